"""Due dates of the deliverables of 第七条, derived from the contract period.

第七条 says acceptance (项目最终验收) starts within the 30 working days before the service
period ends, and that the provider applies for it with every report. The rules below follow
from that; each kind of deliverable carries a cadence and an offset in working days:

``quarterly``
    one per contract quarter (quarters counted from the start date), due ``offset`` working
    days after the quarter ends (default 10), but never later than the acceptance window
    opens: the last quarter's reports are part of the acceptance application.
``monthly``
    one per contract month, due ``offset`` working days after the month ends (default 5),
    never later than the last day of the period.
``at_acceptance``
    due ``offset`` working days from the day the acceptance window opens (0 or negative:
    the MLPS assessment report comes 20 working days before, so that the rectification
    report can follow by the window).
``at_end``
    due ``offset`` working days from the last day of the period (the final acceptance
    report: the client has 5 working days to accept after the application).

The acceptance window opens ``acceptance_working_days`` (30) working days before the last
day. Weekends are skipped; official holidays are not modelled (see ``calendar``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from anbao.engagement.core.calendar import (
    NO_HOLIDAYS,
    Period,
    add_working_days,
    months_of,
    quarters_of,
)

DEFAULT_ACCEPTANCE_WORKING_DAYS = 30


class Cadence(enum.StrEnum):
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    AT_ACCEPTANCE = "at_acceptance"
    AT_END = "at_end"


DEFAULT_OFFSETS: dict[Cadence, int] = {
    Cadence.QUARTERLY: 10,
    Cadence.MONTHLY: 5,
    Cadence.AT_ACCEPTANCE: 0,
    Cadence.AT_END: 0,
}


@dataclass(frozen=True)
class ScheduledDeliverable:
    """The n-th deliverable of a kind: the span it covers and its due date."""

    sequence: int
    period: Period
    due_date: date


def acceptance_window_opens(
    end: date,
    working_days: int = DEFAULT_ACCEPTANCE_WORKING_DAYS,
    holidays: frozenset[date] = NO_HOLIDAYS,
) -> date:
    """The first day of the acceptance window: ``working_days`` working days before ``end``."""
    return add_working_days(end, -working_days, holidays)


def periods_for(cadence: Cadence, start: date, end: date) -> list[Period]:
    """The spans a cadence divides the contract period into (one span for the one-offs)."""
    if cadence is Cadence.QUARTERLY:
        return quarters_of(start, end)
    if cadence is Cadence.MONTHLY:
        return months_of(start, end)
    return [Period(start, end)]


def expected_count(cadence: Cadence, start: date, end: date) -> int | None:
    """How many deliverables a periodic cadence implies; ``None`` for the one-offs."""
    if cadence in (Cadence.QUARTERLY, Cadence.MONTHLY):
        return len(periods_for(cadence, start, end))
    return None


def schedule(
    cadence: Cadence,
    start: date,
    end: date,
    *,
    count: int,
    offset_working_days: int | None = None,
    acceptance_working_days: int = DEFAULT_ACCEPTANCE_WORKING_DAYS,
    holidays: frozenset[date] = NO_HOLIDAYS,
) -> list[ScheduledDeliverable]:
    """The ``count`` deliverables of one kind with their due dates.

    A periodic cadence needs ``count`` equal to the number of its spans (4 quarters, 12
    months for a one-year period); ``ValueError`` otherwise. A one-off cadence may ask for
    several copies, all due on the same day.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    offset = DEFAULT_OFFSETS[cadence] if offset_working_days is None else offset_working_days
    window = acceptance_window_opens(end, acceptance_working_days, holidays)
    spans = periods_for(cadence, start, end)
    if cadence in (Cadence.QUARTERLY, Cadence.MONTHLY):
        if count != len(spans):
            raise ValueError(
                f"{cadence.value} cadence gives {len(spans)} deliverables, not {count}"
            )
        cap = window if cadence is Cadence.QUARTERLY else end
        return [
            ScheduledDeliverable(n, span, min(add_working_days(span.end, offset, holidays), cap))
            for n, span in enumerate(spans, start=1)
        ]
    anchor = window if cadence is Cadence.AT_ACCEPTANCE else end
    due = add_working_days(anchor, offset, holidays)
    return [ScheduledDeliverable(n, spans[0], due) for n in range(1, count + 1)]
