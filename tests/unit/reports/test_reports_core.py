"""The report document model: heading numbers, document numbers, blocks, the kind registry."""

from __future__ import annotations

from datetime import date

import pytest

from anbao.errors import Conflict, NotFound, ValidationError
from anbao.reports import registry
from anbao.reports.core import (
    Chart,
    ChartType,
    Cover,
    DocumentNumber,
    ReportDocument,
    ReportFormat,
    ReportKind,
    Section,
    Series,
    Table,
    document_number,
    format_from_filename,
    heading_numbers,
    parse_document_number,
)
from anbao.reports.docx_renderer import column_widths, display_width


def sections(*levels: int) -> list[Section]:
    return [Section(f"h{i}", level) for i, level in enumerate(levels)]


def cover() -> Cover:
    return Cover("标题", "系统", "甲方", "乙方", date(2026, 1, 5), "ANBAO-X-20260105-V01")


# ---- heading numbers ------------------------------------------------------------------------


def test_heading_numbers_nest_and_reset():
    assert heading_numbers(sections(1, 2, 2, 3, 3, 1, 2, 3, 1)) == [
        "1",
        "1.1",
        "1.2",
        "1.2.1",
        "1.2.2",
        "2",
        "2.1",
        "2.1.1",
        "3",
    ]


def test_heading_numbers_may_climb_several_levels_at_once():
    assert heading_numbers(sections(1, 2, 3, 1)) == ["1", "1.1", "1.1.1", "2"]


def test_heading_numbers_of_nothing():
    assert heading_numbers([]) == []


@pytest.mark.parametrize("levels", [(2,), (1, 3), (1, 2, 4), (0,), (1, -1)])
def test_heading_levels_that_skip_or_leave_the_range_are_refused(levels):
    with pytest.raises(ValidationError):
        heading_numbers(sections(*levels))


def test_a_document_checks_its_outline_when_built():
    with pytest.raises(ValidationError, match="jumps"):
        ReportDocument(cover(), tuple(sections(1, 3)))


# ---- document numbers ---------------------------------------------------------------------


def test_document_number_scheme():
    assert document_number("status", date(2026, 1, 5), 3) == "ANBAO-STATUS-20260105-V03"
    assert document_number("mlps_assessment", date(2023, 12, 31), 120) == (
        "ANBAO-MLPS_ASSESSMENT-20231231-V120"
    )


def test_document_number_round_trip():
    number = document_number("risk_analysis", date(2024, 2, 29), 7)
    assert parse_document_number(number) == DocumentNumber("risk_analysis", date(2024, 2, 29), 7)


@pytest.mark.parametrize("key", ["", "Status", "1status", "sta-tus", "x" * 33, "状态"])
def test_document_number_refuses_bad_kind_keys(key):
    with pytest.raises(ValidationError):
        document_number(key, date(2026, 1, 5), 1)


def test_document_number_refuses_version_zero():
    with pytest.raises(ValidationError):
        document_number("status", date(2026, 1, 5), 0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ANBAO-STATUS-2026015-V01",
        "XX-STATUS-20260105-V01",
        "ANBAO-STATUS-20260230-V01",
        "ANBAO-STATUS-20260105-1",
    ],
)
def test_parse_document_number_refuses_malformed_or_impossible(text):
    with pytest.raises(ValidationError):
        parse_document_number(text)


# ---- blocks -------------------------------------------------------------------------------


def test_table_rows_must_match_the_header():
    Table(("a", "b"), (("1", "2"),))
    with pytest.raises(ValidationError, match="row 2"):
        Table(("a", "b"), (("1", "2"), ("3",)))
    with pytest.raises(ValidationError):
        Table((), ())


def test_chart_series_must_match_categories():
    with pytest.raises(ValidationError):
        Chart(ChartType.BAR, "t", ("a", "b"), (Series("s", (1.0,)),))
    with pytest.raises(ValidationError):
        Chart(ChartType.LINE, "t", (), ())


def test_pie_takes_one_series_of_non_negative_values():
    Chart(ChartType.PIE, "t", ("a", "b"), (Series("s", (1.0, 0.0)),))
    with pytest.raises(ValidationError):
        Chart(ChartType.PIE, "t", ("a",), (Series("s", (1.0,)), Series("u", (2.0,))))
    with pytest.raises(ValidationError):
        Chart(ChartType.PIE, "t", ("a",), (Series("s", (-1.0,)),))


def test_document_lists_its_tables_and_charts():
    table = Table(("a",), (("1",),))
    chart = Chart(ChartType.BAR, "t", ("a",), (Series("s", (1.0,)),))
    doc = ReportDocument(cover(), (Section("x", 1, (table,)), Section("y", 2, (chart,))))
    assert doc.tables() == [table] and doc.charts() == [chart]


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("a.docx", ReportFormat.DOCX),
        ("A.PDF", ReportFormat.PDF),
        ("dir.v1/a.pdf", ReportFormat.PDF),
        ("a.txt", None),
        ("a", None),
        ("a.docx.txt", None),
    ],
)
def test_format_from_filename(name, fmt):
    assert format_from_filename(name) is fmt


# ---- table layout -------------------------------------------------------------------------


def test_display_width_counts_cjk_double():
    assert display_width("ab") == 2 and display_width("项目") == 4 and display_width("1项") == 3


def test_column_widths_fill_the_text_width_and_keep_short_columns_whole():
    long_text = "很长的说明文字" * 10
    table = Table(("交付成果", "到期日", "说明"), (("安全巡检报告", "2022年12月14日", long_text),))
    widths = column_widths(table, total_cm=15.6)
    assert sum(widths) == pytest.approx(15.6, abs=0.05)
    date_wants = display_width("2022年12月14日") * 0.21 + 0.5
    assert widths[1] >= date_wants - 0.01  # the date never wraps
    assert widths[2] == max(widths)


# ---- registry -----------------------------------------------------------------------------


def _build(context):  # pragma: no cover - never called
    raise AssertionError


def test_registry_knows_the_status_kind():
    assert registry.get("status").title == "项目进度报告"
    assert "status" in [k.key for k in registry.kinds()]


def test_unknown_kind_is_not_found_and_names_the_known_ones():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(NotFound) as caught:
        registry.get("nonsense")
    assert "nonsense" in caught.value.message and "status" in caught.value.message
    assert "未知的报告类型" in caught.value.message


def test_register_is_idempotent_but_refuses_a_different_kind_under_a_taken_key():
    kind = ReportKind("unit_test_kind", "测试", _build)
    try:
        assert registry.register(kind) is kind
        registry.register(kind)
        with pytest.raises(Conflict):
            registry.register(ReportKind("unit_test_kind", "另一个", _build))
        assert registry.get("unit_test_kind") is kind
    finally:
        registry.unregister("unit_test_kind")
    with pytest.raises(NotFound):
        registry.get("unit_test_kind")


def test_kind_keys_are_checked():
    with pytest.raises(ValidationError):
        ReportKind("Bad Key", "x", _build)
