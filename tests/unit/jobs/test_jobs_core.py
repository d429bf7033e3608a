"""The pure job rules: lifecycle, progress, schedule arithmetic (worked examples)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from anbao.jobs import core
from anbao.jobs.core import Cron, Interval, ScheduleError, State, TransitionError

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (State.QUEUED, State.RUNNING),
        (State.QUEUED, State.CANCELLED),
        (State.QUEUED, State.FAILED),
        (State.RUNNING, State.SUCCEEDED),
        (State.RUNNING, State.FAILED),
        (State.RUNNING, State.CANCELLED),
    ],
)
def test_allowed_transitions(current, new):
    assert core.can_transition(current, new)
    core.check_transition(current.value, new.value)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (State.QUEUED, State.SUCCEEDED),
        (State.RUNNING, State.QUEUED),
        (State.SUCCEEDED, State.RUNNING),
        (State.FAILED, State.QUEUED),
        (State.CANCELLED, State.RUNNING),
        (State.SUCCEEDED, State.CANCELLED),
    ],
)
def test_refused_transitions(current, new):
    assert not core.can_transition(current, new)
    with pytest.raises(TransitionError, match=f"{current.value} job cannot become {new.value}"):
        core.check_transition(current, new)


def test_finished_and_active_partition_the_states():
    assert core.FINISHED == {State.SUCCEEDED, State.FAILED, State.CANCELLED}
    assert core.ACTIVE == {State.QUEUED, State.RUNNING}
    assert core.is_finished("failed") and not core.is_finished("running")
    with pytest.raises(ValueError):
        core.is_finished("paused")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-5, 0),
        (0, 0),
        (42.4, 42),
        (42.6, 43),
        (100, 100),
        (250, 100),
        (float("nan"), 0),
        (float("inf"), 100),
        (float("-inf"), 0),
    ],
)
def test_clamp_progress(value, expected):
    assert core.clamp_progress(value) == expected


@pytest.mark.parametrize("value", [-1, 101, 100.5, float("nan"), "50", None, True])
def test_check_progress_refuses(value):
    with pytest.raises(ValueError):
        core.check_progress(value)


def test_check_progress_accepts():
    assert core.check_progress(0) == 0
    assert core.check_progress(99.6) == 100
    assert core.check_progress(100) == 100


@pytest.mark.parametrize(
    ("done", "total", "pct"),
    [(0, 3, 0), (1, 3, 33), (2, 3, 67), (3, 3, 100), (0, 0, 100), (5, 4, 100)],
)
def test_step_progress(done, total, pct):
    assert core.step_progress(done, total) == pct


def test_short_message_is_one_bounded_line():
    assert core.short_message("  two\nlines\t here ") == "two lines here"
    long = core.short_message("x" * 600)
    assert len(long) == core.MESSAGE_MAX and long.endswith("…")


# ---- schedules --------------------------------------------------------------------------


def test_interval_counts_from_now():
    now = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)
    assert Interval(90).next_after(now) == now + timedelta(seconds=90)
    with pytest.raises(ScheduleError):
        Interval(0)


@pytest.mark.parametrize(
    ("expr", "now", "expected"),
    [
        # daily at 02:30: later the same day, or the next day once passed
        ("30 2 * * *", datetime(2026, 3, 1, 1, 0), datetime(2026, 3, 1, 2, 30)),
        ("30 2 * * *", datetime(2026, 3, 1, 2, 30), datetime(2026, 3, 2, 2, 30)),
        ("30 2 * * *", datetime(2026, 12, 31, 23, 59), datetime(2027, 1, 1, 2, 30)),
        # every 15 minutes: strictly after now, seconds dropped
        ("*/15 * * * *", datetime(2026, 3, 1, 10, 14, 59), datetime(2026, 3, 1, 10, 15)),
        ("*/15 * * * *", datetime(2026, 3, 1, 10, 45, 1), datetime(2026, 3, 1, 11, 0)),
        # Mondays at 09:00 (2026-03-01 is a Sunday)
        ("0 9 * * 1", datetime(2026, 3, 1, 12, 0), datetime(2026, 3, 2, 9, 0)),
        # Sunday as 0 and as 7
        ("0 9 * * 0", datetime(2026, 3, 2, 12, 0), datetime(2026, 3, 8, 9, 0)),
        ("0 9 * * 7", datetime(2026, 3, 2, 12, 0), datetime(2026, 3, 8, 9, 0)),
        # the first of each quarter's month at 08:00 (lists, ranges with steps)
        ("0 8 1 1-12/3 *", datetime(2026, 4, 1, 8, 0), datetime(2026, 7, 1, 8, 0)),
        # 29 February only: the next leap year
        ("0 0 29 2 *", datetime(2026, 3, 1, 0, 0), datetime(2028, 2, 29, 0, 0)),
        # both day fields restricted: either matches (the 15th, or any Friday)
        ("0 12 15 * 5", datetime(2026, 3, 10, 0, 0), datetime(2026, 3, 13, 12, 0)),
        ("0 12 15 * 5", datetime(2026, 3, 13, 13, 0), datetime(2026, 3, 15, 12, 0)),
        # working hours on weekdays, lists
        ("0,30 9-17 * * 1-5", datetime(2026, 3, 6, 17, 30), datetime(2026, 3, 9, 9, 0)),
    ],
)
def test_cron_next_after(expr, now, expected):
    assert Cron(expr).next_after(now.replace(tzinfo=SHANGHAI)) == expected.replace(tzinfo=SHANGHAI)


def test_cron_keeps_the_time_zone_of_now():
    now = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # 02:00 in Shanghai on 2 March
    local = now.astimezone(SHANGHAI)
    nxt = core.next_run(Cron("30 2 * * *"), local)
    assert nxt.tzinfo is SHANGHAI
    assert nxt.astimezone(UTC) == datetime(2026, 3, 1, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "expr",
    [
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * * 13 *",
        "* * * * 8",
        "a * * * *",
        "*/0 * * * *",
        "5-2 * * * *",
        "1,,2 * * * *",
    ],
)
def test_bad_cron_expressions(expr):
    with pytest.raises(ScheduleError):
        Cron(expr)


def test_cron_that_never_matches():
    with pytest.raises(ScheduleError, match="never matches"):
        Cron("0 0 31 2 *").next_after(datetime(2026, 1, 1, tzinfo=SHANGHAI))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every 45s", Interval(45)),
        ("every 30m", Interval(1800)),
        ("every 6h", Interval(21600)),
        ("every 1d", Interval(86400)),
        (" 30 2 * * * ", Cron("30 2 * * *")),
    ],
)
def test_parse_schedule(text, expected):
    assert core.parse_schedule(text) == expected


@pytest.mark.parametrize("text", ["every", "every 5", "every 5w", "every -5m", "every m"])
def test_parse_schedule_refuses(text):
    with pytest.raises(ScheduleError):
        core.parse_schedule(text)


def test_due_lists_names_whose_time_came():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    runs = {"b": now, "a": now - timedelta(seconds=1), "c": now + timedelta(seconds=1)}
    assert core.due(runs, now) == ["a", "b"]
    assert core.due({}, now) == []
