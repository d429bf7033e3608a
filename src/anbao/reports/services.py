"""Use cases of the report engine: render and store a report, serve a stored one.

Every render is stored under ``settings.REPORTS_DIR`` as a new version with its SM3 digest,
and audited as ``report.render`` (a failed render too). A stored file is served only after
its digest is checked again; a mismatch is refused and audited as ``report.tampered``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError as DBIntegrityError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import FAILURE, record
from anbao.reports import registry
from anbao.reports.core import (
    RenderContext,
    ReportFormat,
    ReportRenderer,
    document_number,
    format_from_filename,
)
from anbao.reports.models import ReportFile
from anbao.sm.sm3 import SM3Hash

_VERSION_ATTEMPTS = 3
_CHUNK = 1 << 16


def parse_format(value: str) -> ReportFormat:
    try:
        return ReportFormat(str(value).lower().lstrip("."))
    except ValueError:
        raise errors.ValidationError(
            _("Unknown report format %(fmt)s; use docx or pdf.") % {"fmt": value},
            code="invalid_format",
        ) from None


def format_for_output(path: str) -> ReportFormat:
    """The format an output file name asks for, or a ValidationError for another extension."""
    fmt = format_from_filename(path)
    if fmt is None:
        raise errors.ValidationError(
            _("The output file must end in .docx or .pdf: %(path)s") % {"path": path},
            code="invalid_extension",
        )
    return fmt


def renderer_for(fmt: ReportFormat) -> ReportRenderer:
    from anbao.reports.docx_renderer import DocxReportRenderer
    from anbao.reports.pdf import PdfReportRenderer

    return DocxReportRenderer() if fmt is ReportFormat.DOCX else PdfReportRenderer()


def sm3_hex(data: bytes) -> str:
    return SM3Hash(data).hexdigest()


def sm3_file(path: Path) -> str:
    digest = SM3Hash()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def reports_dir() -> Path:
    return Path(settings.REPORTS_DIR)


def write_atomically(target: Path, data: bytes, *, mode: int = 0o640) -> None:
    """Write ``data`` to a temporary file beside ``target``, then rename it into place.

    A reader sees either no file or the whole file, never a half-written one.
    """
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def find_subject(engagement_id: Any, deliverable_id: Any = None) -> tuple[Any, Any]:
    """The engagement (and deliverable) named by id, or NotFound with a message for a person."""
    from anbao.engagement.models import Deliverable, Engagement

    try:
        engagement = Engagement.objects.get(pk=int(engagement_id))
    except (Engagement.DoesNotExist, TypeError, ValueError):
        raise errors.NotFound(
            _("Engagement %(id)s does not exist.") % {"id": engagement_id},
            code="unknown_engagement",
        ) from None
    deliverable = None
    if deliverable_id not in (None, ""):
        try:
            deliverable = Deliverable.objects.get(pk=int(deliverable_id), engagement=engagement)
        except (Deliverable.DoesNotExist, TypeError, ValueError):
            raise errors.NotFound(
                _("Deliverable %(id)s does not exist in this engagement.") % {"id": deliverable_id},
                code="unknown_deliverable",
            ) from None
    return engagement, deliverable


def _next_version(kind: str, engagement: Any) -> int:
    top = ReportFile.objects.filter(kind=kind, engagement=engagement).aggregate(v=Max("version"))
    return int(top["v"] or 0) + 1


def render(
    kind: str,
    engagement: Any,
    fmt: ReportFormat | str,
    user: Any = None,
    deliverable: Any = None,
    *,
    today: date | None = None,
    request: Any = None,
    actor: Any = None,
) -> ReportFile:
    """Render ``kind`` for ``engagement`` as ``fmt``, store it as the next version, audit it."""
    fmt = parse_format(fmt)
    kind_obj = registry.get(kind)
    if deliverable is not None and deliverable.engagement_id != engagement.pk:
        raise errors.ValidationError(
            _("The deliverable does not belong to this engagement."), code="invalid_deliverable"
        )
    today = today or timezone.localdate()
    who = actor if actor is not None else (user or getattr(request, "user", None))
    author = _display_name(user)
    audit = {"kind": kind, "engagement": engagement.pk, "format": fmt.value}
    try:
        for _attempt in range(_VERSION_ATTEMPTS):
            version = _next_version(kind, engagement)
            number = document_number(kind, today, version)
            context = RenderContext(engagement, today, version, number, author)
            data = renderer_for(fmt).render(kind_obj.build(context))
            try:
                report = _store(
                    kind,
                    engagement,
                    deliverable,
                    version,
                    number,
                    fmt,
                    data,
                    user,
                    title=kind_obj.title,
                )
                break
            except DBIntegrityError:
                continue  # another render took this version meanwhile: render the next one
        else:
            raise errors.Conflict(_("Could not allocate a report version; try again."))
    except errors.Error as exc:
        record(
            "report.render",
            actor=who,
            request=request,
            object_type="engagement",
            object_id=engagement.pk,
            outcome=FAILURE,
            details={**audit, "error": exc.message},
        )
        raise
    record(
        "report.render",
        actor=who,
        request=request,
        object_type="report_file",
        object_id=report.pk,
        details={
            **audit,
            "version": report.version,
            "document_number": report.document_number,
            "sm3": report.sm3,
            "size": report.size,
        },
    )
    return report


def _display_name(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(user.get_full_name() or user.get_username())


def _store(
    kind: str,
    engagement: Any,
    deliverable: Any,
    version: int,
    number: str,
    fmt: ReportFormat,
    data: bytes,
    user: Any,
    *,
    title: str,
) -> ReportFile:
    relative = Path(str(engagement.pk)) / kind / f"{number}.{fmt.value}"
    target = reports_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    with transaction.atomic():
        report = ReportFile.objects.create(
            kind=kind,
            engagement=engagement,
            deliverable=deliverable,
            version=version,
            format=fmt.value,
            document_number=number,
            title=title,
            path=relative.as_posix(),
            size=len(data),
            sm3=sm3_hex(data),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # The row and the file appear together: if writing fails the row is rolled back.
        write_atomically(target, data)
    return report


def stored_path(report: ReportFile) -> Path:
    base = reports_dir().resolve()
    path = (base / report.path).resolve()
    if not path.is_relative_to(base):
        raise errors.IntegrityError(
            _("The stored path of this report is outside the reports directory.")
        )
    return path


def verify_file(report: ReportFile, *, actor: Any = None, request: Any = None) -> Path:
    """Return the stored file's path after checking its SM3 digest; refuse and audit if not."""
    path = stored_path(report)
    problem = ""
    if not path.is_file():
        problem = "missing"
    elif sm3_file(path) != report.sm3:
        problem = "digest_mismatch"
    if problem:
        record(
            "report.tampered",
            actor=actor,
            request=request,
            object_type="report_file",
            object_id=report.pk,
            outcome=FAILURE,
            details={"problem": problem, "path": report.path, "expected_sm3": report.sm3},
        )
        raise errors.IntegrityError(
            _("The stored file %(name)s failed its SM3 integrity check and was not served.")
            % {"name": report.filename},
            code="report_tampered",
        )
    return path


def open_file(report: ReportFile, *, actor: Any = None, request: Any = None) -> bytes:
    """The bytes of a stored report, after its digest check; the download is audited."""
    path = verify_file(report, actor=actor, request=request)
    data = path.read_bytes()
    if sm3_hex(data) != report.sm3:  # changed between the check and the read
        return open_file(report, actor=actor, request=request)
    record(
        "report.download",
        actor=actor,
        request=request,
        object_type="report_file",
        object_id=report.pk,
        details={"document_number": report.document_number},
    )
    return data


def export_to(report: ReportFile, out: Path, *, actor: Any = None) -> None:
    """Copy a verified stored report to ``out`` through a temporary file and a rename."""
    check_writable(out)
    path = verify_file(report, actor=actor)
    try:
        fd, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise errors.ValidationError(
            _("Cannot write the output file %(path)s: %(problem)s.")
            % {"path": str(out), "problem": exc.strerror or str(exc)},
            code="unwritable_output",
        ) from None
    os.close(fd)
    try:
        shutil.copyfile(path, temp)
        if sm3_file(Path(temp)) != report.sm3:
            raise errors.IntegrityError(
                _("The copy of %(name)s does not match its SM3 digest.") % {"name": report.filename}
            )
        os.replace(temp, out)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise errors.ValidationError(
            _("Cannot write the output file %(path)s: %(problem)s.")
            % {"path": str(out), "problem": exc.strerror or str(exc)},
            code="unwritable_output",
        ) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def check_writable(out: Path) -> None:
    """Refuse an output path that cannot be written, by trying: a temporary file beside it.

    Trying is the only honest test: permission bits say nothing to root, and nothing about
    read-only or full file systems.
    """
    parent = out.parent
    problem = ""
    if out.is_dir():
        problem = _("it is a folder")
    elif not parent.is_dir():
        problem = _("its folder does not exist")
    else:
        try:
            with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{out.name}.", suffix=".probe"):
                pass
        except OSError as exc:
            problem = exc.strerror or str(exc)
    if problem:
        raise errors.ValidationError(
            _("Cannot write the output file %(path)s: %(problem)s.")
            % {"path": str(out), "problem": problem},
            code="unwritable_output",
        )
