"""Rendering and storing reports (``.docx``, no LibreOffice): versions, SM3, audit, tampering."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from reports_testlib import REPORT_DAY, sm3_of

from anbao import errors
from anbao.audit.models import AuditRecord
from anbao.reports import services
from anbao.reports.models import ReportFile

pytestmark = pytest.mark.django_db


def render_docx(engagement, user=None, **kw):
    return services.render("status", engagement, "docx", user, today=REPORT_DAY, **kw)


def test_render_stores_the_file_with_its_sm3_digest(engagement, reports_dir, make_user):
    user = make_user("engineer1")
    report = render_docx(engagement, user)
    path = Path(reports_dir) / report.path
    data = path.read_bytes()
    assert report.size == len(data) and report.sm3 == sm3_of(data)
    assert report.document_number == "ANBAO-STATUS-20230115-V01"
    assert report.version == 1 and report.format == "docx" and report.created_by == user
    assert path.name == "ANBAO-STATUS-20230115-V01.docx"
    assert not list(path.parent.glob("*.part"))  # the temporary file was renamed away


def test_versions_increment_per_kind_and_engagement(engagement):
    first, second = render_docx(engagement), render_docx(engagement)
    third = services.render("status", engagement, "docx", None, today=REPORT_DAY)
    assert [r.version for r in (first, second, third)] == [1, 2, 3]
    assert len({r.path for r in (first, second, third)}) == 3
    assert third.document_number.endswith("-V03")


def test_render_is_audited(engagement, make_user):
    user = make_user("engineer2")
    report = render_docx(engagement, user)
    entry = AuditRecord.objects.filter(action="report.render").latest("seq")
    assert entry.actor == "engineer2" and entry.outcome == "success"
    assert entry.object_id == str(report.pk)
    assert entry.details["sm3"] == report.sm3 and entry.details["kind"] == "status"


def test_unknown_kind_and_format_are_refused(engagement):
    with pytest.raises(errors.NotFound, match="status"):
        services.render("nonsense", engagement, "docx", None)
    with pytest.raises(errors.ValidationError):
        services.render("status", engagement, "odt", None)
    assert not ReportFile.objects.exists()


def test_open_file_returns_the_verified_bytes_and_audits(engagement):
    report = render_docx(engagement)
    data = services.open_file(report, actor="tester")
    assert sm3_of(data) == report.sm3
    assert AuditRecord.objects.filter(action="report.download", actor="tester").exists()


def test_a_tampered_file_is_refused_and_audited(engagement, reports_dir):
    report = render_docx(engagement)
    path = Path(reports_dir) / report.path
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(errors.IntegrityError, match="SM3"):
        services.open_file(report, actor="tester")
    entry = AuditRecord.objects.filter(action="report.tampered").latest("seq")
    assert entry.outcome == "failure" and entry.details["problem"] == "digest_mismatch"
    assert not AuditRecord.objects.filter(action="report.download").exists()


def test_a_missing_file_is_refused(engagement, reports_dir):
    report = render_docx(engagement)
    (Path(reports_dir) / report.path).unlink()
    with pytest.raises(errors.IntegrityError):
        services.open_file(report)
    entry = AuditRecord.objects.filter(action="report.tampered").latest("seq")
    assert entry.details["problem"] == "missing"


def test_a_path_outside_the_reports_dir_is_refused(engagement):
    report = render_docx(engagement)
    report.path = "../../etc/passwd"
    with pytest.raises(errors.IntegrityError):
        services.open_file(report)


def test_deliverable_must_belong_to_the_engagement(engagement):
    deliverable = engagement.deliverables.first()
    report = render_docx(engagement, deliverable=deliverable)
    assert list(deliverable.report_files.all()) == [report]
    with pytest.raises(errors.NotFound):
        services.find_subject(engagement.pk, 10**9)
    with pytest.raises(errors.NotFound):
        services.find_subject(10**9)


# ---- what the .docx holds --------------------------------------------------------------------


@pytest.fixture
def docx(engagement, reports_dir):
    report = render_docx(engagement)
    return Document(io.BytesIO((Path(reports_dir) / report.path).read_bytes())), report


def _instructions(element) -> str:
    return " ".join(t.text for t in element.iter(qn("w:instrText")))


def test_docx_cover_toc_headings_and_fields(docx):
    doc, report = docx
    texts = [p.text for p in doc.paragraphs]
    assert "项目进度报告" in texts
    assert any("北京市精神卫生保健所" in c.text for t in doc.tables for c in t._cells)
    body = doc.element.body
    assert 'TOC \\o "1-3" \\h \\z \\u' in _instructions(body)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["1  项目概况", "2  交付成果", "2.1  完成情况"]
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert report.document_number in section.header.paragraphs[0].text
    footer = _instructions(section.footer._element)
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert section.footer.paragraphs[0].text.startswith("第 ")
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_docx_fonts_name_the_cjk_faces_for_east_asian_text(docx):
    doc, _report = docx
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    assert fonts.get(qn("w:asciiTheme")) is None
    heading = doc.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "Noto Sans CJK SC"
    assert doc.styles["Normal"].font.size.pt == 12


def test_docx_tables_repeat_their_header_row_and_the_chart_is_a_picture(docx):
    doc, _report = docx
    progress = next(
        t
        for t in doc.tables
        if t.rows[0].cells[0].text == "交付成果" and t.rows[0].cells[1].text == "应交"
    )
    assert progress.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in progress.rows[1].cells][:2] == ["脆弱性识别及检查报告", "4"]
    assert progress.rows[-1].cells[0].text == "合计"
    assert len(doc.inline_shapes) == 1
