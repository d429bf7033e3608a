"""Dates of a contract period: working days, months, quarters. Pure, no Django.

Working days skip Saturdays and Sundays. Official holidays and the adjusted working weekends
of the Chinese calendar (调休) are *not* modelled: they change every year by State Council
notice. Callers that know them pass ``holidays``; the default is none.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

NO_HOLIDAYS: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Period:
    """A closed range of days, ``start`` and ``end`` included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def is_working_day(day: date, holidays: frozenset[date] = NO_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: date, count: int, holidays: frozenset[date] = NO_HOLIDAYS) -> date:
    """The day ``count`` working days after ``day`` (before it when negative); 0 → ``day``."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_period(start: date, end: date, months: int) -> list[Period]:
    """Consecutive spans of ``months`` months from ``start``; the last one stops at ``end``.

    The spans follow the contract, not the calendar: a period from 1 June has quarters
    June–August, September–November, December–February, March–May.
    """
    if end < start:
        raise ValueError("end before start")
    spans = []
    index = 0
    span_start = start
    while span_start <= end:
        index += 1
        next_start = add_months(start, months * index)
        spans.append(Period(span_start, min(next_start - timedelta(days=1), end)))
        span_start = next_start
    return spans


def months_of(start: date, end: date) -> list[Period]:
    return split_period(start, end, 1)


def quarters_of(start: date, end: date) -> list[Period]:
    return split_period(start, end, 3)


def month_containing(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def days_late(due: date, done: date) -> int:
    """Whole days after ``due`` (0 when on time or early)."""
    return max(0, (done - due).days)


def union_days(spans: Iterable[tuple[date, date]]) -> int:
    """How many distinct days the half-open spans ``[from, to)`` cover together."""
    total = 0
    covered_until: date | None = None
    for begin, finish in sorted(spans):
        if finish <= begin:
            continue
        if covered_until is not None and begin < covered_until:
            begin = covered_until
        if finish > begin:
            total += (finish - begin).days
            covered_until = finish
    return total
