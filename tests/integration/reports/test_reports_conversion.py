"""The LibreOffice and matplotlib seams without running LibreOffice: errors, profiles, parsing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from anbao import errors
from anbao.reports import charts, pdf
from anbao.reports.core import Chart, ChartType, Series


class Recorder:
    """Stands in for subprocess.run: records commands, answers as told."""

    def __init__(self, returncode=0, stdout=b"", stderr=b"", write_pdf=True, raises=None):
        self.commands, self.returncode, self.raises = [], returncode, raises
        self.stdout, self.stderr, self.write_pdf = stdout, stderr, write_pdf

    def __call__(self, command, **kwargs):
        self.commands.append(command)
        if self.raises:
            raise self.raises
        if self.write_pdf and "--outdir" in command:
            out = Path(command[command.index("--outdir") + 1])
            out.mkdir(parents=True, exist_ok=True)
            (out / "report.pdf").write_bytes(b"%PDF-1.7 test")
        return subprocess.CompletedProcess(command, self.returncode, self.stdout, self.stderr)


def test_each_conversion_uses_its_own_profile(monkeypatch):
    run = Recorder()
    monkeypatch.setattr(pdf.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(pdf.subprocess, "run", run)
    assert pdf.docx_to_pdf(b"PK") == b"%PDF-1.7 test"
    assert pdf.docx_to_pdf(b"PK") == b"%PDF-1.7 test"
    profiles = [
        next(a for a in c if a.startswith("-env:UserInstallation=file://")) for c in run.commands
    ]
    assert len(set(profiles)) == 2
    assert all("--headless" in c for c in run.commands)


def test_missing_soffice_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(errors.ConfigurationError, match="libreoffice-writer-nogui"):
        pdf.docx_to_pdf(b"PK")


def test_a_failed_conversion_says_why(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        pdf.subprocess,
        "run",
        Recorder(returncode=1, stderr=b"Error: source file could not be loaded", write_pdf=False),
    )
    with pytest.raises(pdf.ConversionError, match="could not be loaded"):
        pdf.docx_to_pdf(b"not a docx")


def test_a_slow_conversion_times_out(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        pdf.subprocess, "run", Recorder(raises=subprocess.TimeoutExpired("soffice", 1))
    )
    with pytest.raises(pdf.ConversionError):
        pdf.docx_to_pdf(b"PK", timeout=1)


def test_heading_pages_are_read_from_the_pdf_destinations(monkeypatch):
    listing = (
        b"Page  Destination                 Name\n"
        b'   3 [ XYZ   79  739 null      ] "5FToc00000001"\n'
        b'   4 [ XYZ   79  757 null      ] "5FToc00000002"\n'
        b'   4 [ XYZ   79  100 null      ] "_Toc00000003"\n'
        b'   5 [ XYZ   79  100 null      ] "other"\n'
    )
    monkeypatch.setattr(pdf.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(pdf.subprocess, "run", Recorder(stdout=listing, write_pdf=False))
    assert pdf.heading_pages(b"%PDF") == {0: 3, 1: 4, 2: 4}
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert pdf.heading_pages(b"%PDF") == {}


# ---- charts -------------------------------------------------------------------------------------

CATS = ("脆弱性识别", "安全巡检", "渗透测试")


@pytest.mark.parametrize(
    "chart",
    [
        Chart(
            ChartType.BAR,
            "已交与应交",
            CATS,
            (Series("应交", (4, 12, 4)), Series("已交", (3, 10, 2))),
        ),
        Chart(ChartType.BAR, "横向", CATS, (Series("应交", (4, 12, 4)),), horizontal=True),
        Chart(ChartType.LINE, "趋势", CATS, (Series("得分", (70, 75.5, 80)),), y_label="分"),
        Chart(ChartType.PIE, "占比", CATS, (Series("份数", (1, 2, 3)),)),
        Chart(ChartType.PIE, "空", CATS, (Series("份数", (0, 0, 0)),)),
    ],
    ids=["bar", "barh", "line", "pie", "empty-pie"],
)
def test_charts_render_to_png(chart, tmp_path):
    try:
        charts.cjk_font()
    except errors.ConfigurationError:
        from services import unavailable

        unavailable("no CJK font (fonts-noto-cjk) is installed")
    data = charts.render_png(chart, dpi=80)
    (tmp_path / "c.png").write_bytes(data)
    image = Image.open(tmp_path / "c.png")
    assert image.format == "PNG" and image.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_the_chart_font_has_glyphs_for_chinese():
    from matplotlib import ft2font

    try:
        family, path = charts.cjk_font()
    except errors.ConfigurationError:
        from services import unavailable

        unavailable("no CJK font (fonts-noto-cjk) is installed")
    font = ft2font.FT2Font(str(path))
    assert all(font.get_char_index(ord(ch)) for ch in "交付成果已交应交图表")
    assert "CJK" in family or "Hei" in family or "Han" in family


def test_without_a_cjk_font_charts_refuse_instead_of_drawing_tofu(monkeypatch):
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such Font SC",))
    charts.cjk_font.cache_clear()
    try:
        with pytest.raises(errors.ConfigurationError, match="fonts-noto-cjk"):
            charts.render_png(Chart(ChartType.BAR, "标题", ("一",), (Series("s", (1,)),)))
    finally:
        charts.cjk_font.cache_clear()
