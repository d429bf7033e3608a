"""The status report as PDF through LibreOffice, read back with poppler.

One PDF is rendered for the whole module (LibreOffice takes seconds per conversion).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy
import pytest
from django.utils import translation
from PIL import Image
from reports_testlib import REPORT_DAY, sm3_of

from services import require_program

# django_db also tells pytest-django to create the test database the module fixture uses.
pytestmark = [pytest.mark.external, pytest.mark.django_db]


@dataclass
class Rendered:
    path: Path
    sm3: str
    size: int
    document_number: str


@pytest.fixture(scope="module")
def pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """Render the status report of the sample engagement once, as PDF, through the service."""
    require_program("soffice")
    from django.db import transaction
    from django.test import override_settings

    from anbao.engagement.services import load_sample
    from anbao.reports import services

    reports = tmp_path_factory.mktemp("pdf-reports")
    with django_db_blocker.unblock(), override_settings(REPORTS_DIR=reports):
        with transaction.atomic():
            report = services.render("status", load_sample(), "pdf", None, today=REPORT_DAY)
            rendered = Rendered(
                reports / report.path, report.sm3, report.size, report.document_number
            )
            transaction.set_rollback(True)  # leave the test database as it was
    return rendered


def text_of(path: Path, *pages: int) -> str:
    require_program("pdftotext")
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(
        ["pdftotext", "-layout", *first_last, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def page_png(path: Path, page: int, tmp_path: Path, dpi: int = 60) -> Image.Image:
    require_program("pdftoppm")
    out = tmp_path / f"page{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(path),
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(f"{out}.png").convert("L")


def ink(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """Share of dark pixels inside ``box`` (fractions of width and height)."""
    w, h = image.size
    region = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    histogram = region.histogram()
    return sum(histogram[:128]) / sum(histogram)


def test_the_stored_pdf_matches_its_digest(pdf):
    data = pdf.path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert sm3_of(data) == pdf.sm3 and len(data) == pdf.size


def test_pdf_text_has_the_chinese_title_and_table_cells(pdf):
    text = text_of(pdf.path)
    assert "项目进度报告" in text
    assert "北京市精神卫生保健所" in text  # the client, on the cover and in a table
    assert "脆弱性识别及检查报告" in text  # a row of the deliverables table
    assert "879,000.00" in text  # the contract amount, a table cell
    assert pdf.document_number in text
    assert re.search(r"第\s*3\s*页\s*共\s*\d+\s*页", text)  # the footer's PAGE and NUMPAGES


def test_the_table_of_contents_carries_page_numbers(pdf):
    toc = text_of(pdf.path, 2)
    assert "目" in toc and "录" in toc
    lines = [line for line in toc.splitlines() if "项目概况" in line]
    assert lines and lines[0].rstrip().endswith("3"), lines  # chapter 1 starts on page 3


def test_cjk_fonts_are_embedded(pdf):
    require_program("pdffonts")
    fonts = subprocess.run(
        ["pdffonts", str(pdf.path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk)  # the "emb" column


def test_cover_page_renders_with_ink_where_the_title_is(pdf, tmp_path):
    cover = page_png(pdf.path, 1, tmp_path)
    assert cover.getextrema()[0] < 64  # not a blank page
    title_band = ink(cover, (0.25, 0.18, 0.75, 0.30))  # system name and title, centred
    margin = ink(cover, (0.0, 0.55, 0.08, 0.95))  # the left margin stays empty
    assert title_band > 0.02 and margin == 0.0


def test_the_chart_is_drawn_with_its_bars(pdf, tmp_path):
    require_program("pdftoppm")
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf.path)], capture_output=True, text=True, check=True, timeout=60
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    # The bars are the brand blue #0b4f8a; look for them on the body pages.
    found = False
    for page in range(3, pages + 1):
        out = tmp_path / f"c{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-f",
                str(page),
                "-l",
                str(page),
                "-png",
                "-singlefile",
                str(pdf.path),
                str(out),
            ],
            check=True,
            timeout=60,
        )
        rgb = numpy.asarray(Image.open(f"{out}.png").convert("RGB")).astype(int)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        blue = int(((r < 40) & (g > 60) & (g < 110) & (b > 110) & (b < 170)).sum())
        if blue > 200:
            found = True
            break
    assert found, "no page shows the chart's bars"


def test_cli_renders_a_pdf_from_the_extension(engagement, tmp_path, capsys, monkeypatch):
    from anbao.cli.main import main
    from anbao.reports.models import ReportFile

    require_program("soffice")
    monkeypatch.setenv("ANBAO_CLI_LANGUAGE", "zh-hans")
    out = tmp_path / "进度报告.pdf"
    try:
        code = main(
            ["report", "render", "status", "--engagement", str(engagement.pk), "--out", str(out)]
        )
    finally:
        translation.deactivate()
    _out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    report = ReportFile.objects.get()
    assert report.format == "pdf" and out.read_bytes().startswith(b"%PDF-")
    assert sm3_of(out.read_bytes()) == report.sm3
    assert "项目进度报告" in text_of(out, 1)
