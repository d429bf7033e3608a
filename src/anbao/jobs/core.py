"""Pure rules of background jobs: states, transitions, progress, and schedule arithmetic.

No Django and no I/O here; time is always a parameter (``now``).

A job moves through these states::

    queued ──► running ──► succeeded
      │           ├──────► failed
      │           └──────► cancelled
      └──────────────────► cancelled

A job that never started may also be marked failed (its worker was lost before it ran).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PROGRESS_MIN = 0
PROGRESS_MAX = 100
MESSAGE_MAX = 500


class State(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.QUEUED: frozenset({State.RUNNING, State.CANCELLED, State.FAILED}),
    State.RUNNING: frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED}),
    State.SUCCEEDED: frozenset(),
    State.FAILED: frozenset(),
    State.CANCELLED: frozenset(),
}

FINISHED: frozenset[State] = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)
ACTIVE: frozenset[State] = frozenset(State) - FINISHED


class TransitionError(ValueError):
    """A state change that the lifecycle does not allow."""


class ScheduleError(ValueError):
    """A schedule expression that cannot be parsed."""


def can_transition(current: str | State, new: str | State) -> bool:
    return State(new) in TRANSITIONS[State(current)]


def check_transition(current: str | State, new: str | State) -> None:
    """Raise ``TransitionError`` unless ``current`` may become ``new``."""
    if not can_transition(current, new):
        raise TransitionError(f"a {State(current)} job cannot become {State(new)}")


def is_finished(state: str | State) -> bool:
    return State(state) in FINISHED


def clamp_progress(value: float) -> int:
    """A progress value as a whole percentage within 0..100 (NaN counts as 0)."""
    if value != value:  # NaN
        return PROGRESS_MIN
    return round(max(PROGRESS_MIN, min(PROGRESS_MAX, value)))


def check_progress(value: object) -> int:
    """Validate a progress value given by a person or a caller; return it as an int."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("progress must be a number")
    if value != value or not PROGRESS_MIN <= value <= PROGRESS_MAX:
        raise ValueError("progress must be between 0 and 100")
    return int(round(value))


def step_progress(done: int, total: int) -> int:
    """Percentage for ``done`` of ``total`` steps; an empty task is complete."""
    if total <= 0:
        return PROGRESS_MAX
    return clamp_progress(100 * done / total)


def short_message(message: str) -> str:
    """One line of at most MESSAGE_MAX characters."""
    line = " ".join(message.split())
    return line if len(line) <= MESSAGE_MAX else line[: MESSAGE_MAX - 1] + "…"


# ---- schedules --------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """Every ``seconds`` seconds, counted from the previous run (or from start-up)."""

    seconds: int

    def __post_init__(self) -> None:
        if self.seconds < 1:
            raise ScheduleError("an interval must be at least one second")

    def next_after(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)

    def describe(self) -> str:
        return f"every {self.seconds}s"


_FIELDS = (  # name, lowest, highest
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if base == "*":
                start, end = low, high
            elif "-" in base:
                first, _, last = base.partition("-")
                start, end = int(first), int(last)
            else:
                start = int(base)
                end = high if step_text else start
        except ValueError:
            raise ScheduleError(f"bad {name} field {text!r}") from None
        if step < 1 or not low <= start <= end <= high:
            raise ScheduleError(f"{name} field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A five-field cron expression: minute hour day-of-month month day-of-week.

    Fields take ``*``, numbers, ranges ``a-b``, steps ``*/n`` or ``a-b/n``, and lists.
    Day of week counts from 0 = Sunday (7 is Sunday too). As in cron, when both day
    fields are restricted a day matching either one is due.
    """

    expression: str

    def __post_init__(self) -> None:
        self.fields()  # validate early

    def fields(self) -> tuple[frozenset[int], ...]:
        parts = self.expression.split()
        if len(parts) != len(_FIELDS):
            raise ScheduleError(f"a cron expression has five fields, got {self.expression!r}")
        return tuple(
            _parse_field(text, name, low, high)
            for text, (name, low, high) in zip(parts, _FIELDS, strict=True)
        )

    def _day_matches(self, day: date, fields: tuple[frozenset[int], ...]) -> bool:
        parts = self.expression.split()
        _, _, days, months, weekdays = fields
        weekdays = frozenset(d % 7 for d in weekdays)
        if day.month not in months:
            return False
        in_days = day.day in days
        in_weekdays = day.isoweekday() % 7 in weekdays
        if parts[2] != "*" and parts[4] != "*":
            return in_days or in_weekdays
        return in_days and in_weekdays

    def next_after(self, now: datetime) -> datetime:
        """The first matching minute strictly after ``now``, in ``now``'s time zone."""
        fields = self.fields()
        minutes, hours = sorted(fields[0]), sorted(fields[1])
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        # Four years and a day covers every combination, including 29 February.
        for _ in range(4 * 366 + 1):
            if self._day_matches(day, fields):
                for hour in hours:
                    for minute in minutes:
                        candidate = datetime(
                            day.year, day.month, day.day, hour, minute, tzinfo=now.tzinfo
                        )
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleError(f"{self.expression!r} never matches a real date")

    def describe(self) -> str:
        return f"cron {self.expression}"


Schedule = Interval | Cron


def parse_schedule(text: str) -> Schedule:
    """``every 300s`` / ``every 5m`` / ``every 2h`` / ``every 1d``, or a cron expression."""
    text = text.strip()
    if text.startswith("every "):
        amount = text.removeprefix("every ").strip()
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        unit = amount[-1:]
        if unit not in units or not amount[:-1].isdigit():
            raise ScheduleError(f"bad interval {text!r}: use e.g. 'every 30m'")
        return Interval(int(amount[:-1]) * units[unit])
    return Cron(text)


def next_run(schedule: Schedule, now: datetime) -> datetime:
    """When ``schedule`` is next due after ``now``."""
    return schedule.next_after(now)


def due(next_runs: dict[str, datetime], now: datetime) -> list[str]:
    """The names whose next run time has come, in name order."""
    return sorted(name for name, when in next_runs.items() if when <= now)
