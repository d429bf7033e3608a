"""PDF from the ``.docx``: LibreOffice headless, then poppler to read back heading pages.

Each conversion runs ``soffice`` with its own throwaway profile directory
(``-env:UserInstallation``), because two LibreOffice processes sharing a profile block each
other; conversions can therefore run side by side.

LibreOffice prints a table of contents from the entries cached in the file and does not
rebuild it. ``PdfReportRenderer`` therefore converts twice: the first PDF carries the heading
bookmarks as named destinations, ``pdfinfo -dests`` says on which page each one landed, and
the second conversion is of a ``.docx`` whose cached entries carry those page numbers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from anbao.errors import ConfigurationError, Error
from anbao.reports.core import ReportDocument, ReportFormat
from anbao.reports.docx_renderer import DocxReportRenderer

DEFAULT_TIMEOUT = 180.0
_PDF_FILTER = (
    'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
)
# LibreOffice escapes "_" in destination names as "5F": "_Toc00000003" becomes "5FToc00000003".
_DEST_RE = re.compile(r"^\s*(\d+)\s+\[.*\]\s+\"(?:5F|_)?Toc(\d{8})\"\s*$")


class ConversionError(Error):
    """LibreOffice or poppler failed on a document."""

    code = "conversion_failed"
    http_status = 500


def soffice_path() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConfigurationError(
        _("LibreOffice (soffice) is not installed; install libreoffice-writer-nogui.")
    )


def docx_to_pdf(docx: bytes, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Convert ``.docx`` bytes to PDF bytes with a private LibreOffice profile."""
    program = soffice_path()
    with tempfile.TemporaryDirectory(prefix="anbao-soffice-") as work:
        workdir = Path(work)
        source = workdir / "report.docx"
        source.write_bytes(docx)
        profile = (workdir / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            _PDF_FILTER,
            "--outdir",
            str(workdir / "out"),
            str(source),
        ]
        env = {**os.environ, "HOME": work}
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=timeout, env=env, check=False, cwd=work
            )
        except subprocess.TimeoutExpired:
            raise ConversionError(
                _("LibreOffice did not finish the PDF conversion within %(s)d seconds.")
                % {"s": timeout}
            ) from None
        result = workdir / "out" / "report.pdf"
        if done.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise ConversionError(
                _("LibreOffice could not convert the report to PDF: %(detail)s")
                % {"detail": detail.splitlines()[-1] if detail else f"exit {done.returncode}"}
            )
        return result.read_bytes()


def heading_pages(pdf: bytes, *, timeout: float = 60.0) -> dict[int, int]:
    """Map section index → page number from the heading destinations in ``pdf``.

    Empty when poppler's ``pdfinfo`` is missing: the contents then lack page numbers.
    """
    program = shutil.which("pdfinfo")
    if program is None:
        return {}
    with tempfile.NamedTemporaryFile(suffix=".pdf", prefix="anbao-") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(
            [program, "-dests", handle.name], capture_output=True, timeout=timeout, check=False
        )
    if done.returncode != 0:
        return {}
    pages: dict[int, int] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        match = _DEST_RE.match(line)
        if match:
            pages[int(match.group(2)) - 1] = int(match.group(1))
    return pages


class PdfReportRenderer:
    """Renders to PDF: ``.docx`` first, then LibreOffice, twice for a paginated contents."""

    format = ReportFormat.PDF

    def __init__(
        self, docx_renderer: DocxReportRenderer | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.docx_renderer = docx_renderer or DocxReportRenderer()
        self.timeout = timeout

    def render(self, document: ReportDocument) -> bytes:
        first = docx_to_pdf(
            self.docx_renderer.render(document, heading_pages={}), timeout=self.timeout
        )
        if not document.sections:
            return first
        pages = heading_pages(first)
        if not pages:
            return first
        return docx_to_pdf(
            self.docx_renderer.render(document, heading_pages=pages), timeout=self.timeout
        )
