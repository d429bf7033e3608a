"""The contract period's months, quarters and working days; the due dates of 第七条."""

from datetime import date

import pytest

from anbao.engagement.core.calendar import (
    Period,
    add_months,
    add_working_days,
    days_late,
    month_containing,
    months_of,
    quarters_of,
    union_days,
)
from anbao.engagement.core.schedule import (
    Cadence,
    acceptance_window_opens,
    expected_count,
    schedule,
)

START, END = date(2022, 6, 1), date(2023, 5, 31)  # 第三条


def test_quarters_follow_the_contract_not_the_calendar():
    assert quarters_of(START, END) == [
        Period(date(2022, 6, 1), date(2022, 8, 31)),
        Period(date(2022, 9, 1), date(2022, 11, 30)),
        Period(date(2022, 12, 1), date(2023, 2, 28)),
        Period(date(2023, 3, 1), date(2023, 5, 31)),
    ]


def test_twelve_months():
    months = months_of(START, END)
    assert len(months) == 12
    assert months[0] == Period(date(2022, 6, 1), date(2022, 6, 30))
    assert months[8] == Period(date(2023, 2, 1), date(2023, 2, 28))
    assert months[-1] == Period(date(2023, 5, 1), date(2023, 5, 31))


def test_a_short_period_ends_with_a_partial_span():
    assert quarters_of(date(2024, 1, 15), date(2024, 5, 1)) == [
        Period(date(2024, 1, 15), date(2024, 4, 14)),
        Period(date(2024, 4, 15), date(2024, 5, 1)),
    ]
    with pytest.raises(ValueError):
        quarters_of(END, START)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2022, 11, 30), 3) == date(2023, 2, 28)


def test_working_days_skip_weekends():
    friday = date(2022, 9, 2)
    assert add_working_days(friday, 1) == date(2022, 9, 5)  # Monday
    assert add_working_days(friday, 0) == friday
    assert add_working_days(date(2022, 9, 5), -1) == friday
    assert add_working_days(date(2022, 8, 31), 10) == date(2022, 9, 14)


def test_holidays_can_be_passed_in():
    national_day = frozenset(date(2022, 10, d) for d in range(1, 8))
    assert add_working_days(date(2022, 9, 30), 1) == date(2022, 10, 3)
    assert add_working_days(date(2022, 9, 30), 1, national_day) == date(2022, 10, 10)


def test_acceptance_window_opens_30_working_days_before_the_end():
    # 2023-05-31 is a Wednesday; 30 working days are six whole weeks.
    assert acceptance_window_opens(END) == date(2023, 4, 19)


def test_quarterly_reports_due_10_working_days_after_the_quarter_capped_by_the_window():
    due = [s.due_date for s in schedule(Cadence.QUARTERLY, START, END, count=4)]
    assert due == [date(2022, 9, 14), date(2022, 12, 14), date(2023, 3, 14), date(2023, 4, 19)]


def test_monthly_inspection_reports():
    items = schedule(Cadence.MONTHLY, START, END, count=12)
    assert [s.sequence for s in items] == list(range(1, 13))
    assert items[0].due_date == date(2022, 7, 7)
    assert items[10].due_date == date(2023, 5, 5)  # April: 30 April is a Sunday
    assert items[11].due_date == END  # May: capped at the end of the period


def test_one_off_deliverables_tied_to_the_end():
    [assessment] = schedule(Cadence.AT_ACCEPTANCE, START, END, count=1, offset_working_days=-20)
    [rectification] = schedule(Cadence.AT_ACCEPTANCE, START, END, count=1)
    [final] = schedule(Cadence.AT_END, START, END, count=1)
    assert assessment.due_date == date(2023, 3, 22)
    assert rectification.due_date == date(2023, 4, 19)
    assert final.due_date == END
    assert final.period == Period(START, END)


def test_periodic_count_must_match_the_period():
    assert expected_count(Cadence.QUARTERLY, START, END) == 4
    assert expected_count(Cadence.AT_END, START, END) is None
    with pytest.raises(ValueError):
        schedule(Cadence.QUARTERLY, START, END, count=3)
    with pytest.raises(ValueError):
        schedule(Cadence.AT_END, START, END, count=0)


def test_month_containing_and_days_late():
    assert month_containing(date(2023, 2, 14)) == Period(date(2023, 2, 1), date(2023, 2, 28))
    assert date(2023, 2, 28) in month_containing(date(2023, 2, 1))
    assert days_late(date(2022, 12, 10), date(2022, 12, 20)) == 10
    assert days_late(date(2022, 12, 10), date(2022, 12, 9)) == 0


def test_union_days_counts_overlaps_once():
    d = date(2023, 1, 1)
    spans = [
        (d, date(2023, 1, 8)),
        (date(2023, 1, 5), date(2023, 1, 10)),
        (date(2023, 1, 2), date(2023, 1, 3)),
        (date(2023, 2, 1), date(2023, 2, 2)),
    ]
    assert union_days(spans) == 9 + 1
    assert union_days([]) == 0
