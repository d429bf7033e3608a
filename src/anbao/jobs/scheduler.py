"""The in-process scheduler: submits the periodic jobs of ``schedules.SCHEDULES`` on time.

``anbao serve`` calls ``start_scheduler()`` once in its main process. With the Celery backend
it does nothing (``celery beat`` schedules instead); with the in-process backend it first
marks failed the jobs a previous process left unfinished, then starts a daemon thread.
Run one scheduler per deployment: two would submit every periodic job twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.utils import timezone

from anbao.jobs import core
from anbao.jobs.backends import backend_name
from anbao.jobs.schedules import SCHEDULES, Periodic

logger = logging.getLogger(__name__)

MAX_SLEEP = 60.0


def _submit(entry: Periodic) -> Any:
    from anbao.jobs import services

    return services.submit(entry.kind, dict(entry.params), schedule=entry.name)


class Scheduler:
    """Keeps the next run time of each entry and submits the entries that are due."""

    def __init__(
        self,
        entries: Sequence[Periodic],
        *,
        now: datetime,
        submit: Callable[[Periodic], Any] = _submit,
    ) -> None:
        self.entries = {entry.name: entry for entry in entries}
        self.next_runs = {name: core.next_run(e.schedule, now) for name, e in self.entries.items()}
        self._submit = submit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: datetime) -> list[str]:
        """Submit every entry due at ``now``; return their names."""
        names = core.due(self.next_runs, now)
        for name in names:
            entry = self.entries[name]
            self.next_runs[name] = core.next_run(entry.schedule, now)
            try:
                self._submit(entry)
            except Exception:  # noqa: BLE001 - one bad entry must not stop the others
                logger.exception("scheduled job %s (%s) could not be submitted", name, entry.kind)
        return names

    def seconds_to_next(self, now: datetime) -> float:
        if not self.next_runs:
            return MAX_SLEEP
        wait = (min(self.next_runs.values()) - now).total_seconds()
        return max(0.0, min(MAX_SLEEP, wait))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick(timezone.localtime())
            finally:
                connections.close_all()
            self._stop.wait(self.seconds_to_next(timezone.localtime()))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="anbao-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


_scheduler: Scheduler | None = None
_lock = threading.Lock()


def start_scheduler(entries: Sequence[Periodic] | None = None) -> Scheduler | None:
    """Start the in-process scheduler once per process; ``None`` under the Celery backend."""
    global _scheduler
    if backend_name() == "celery":
        logger.info("jobs: Celery backend, periodic jobs come from celery beat")
        return None
    with _lock:
        if _scheduler is not None and _scheduler.running:
            return _scheduler
        from anbao.jobs.services import fail_interrupted

        interrupted = fail_interrupted()
        # The caller may fork worker processes next (gunicorn): leave no connection behind.
        connections.close_all()
        if interrupted:
            logger.warning("jobs: %d unfinished in-process jobs marked interrupted", interrupted)
        _scheduler = Scheduler(SCHEDULES if entries is None else entries, now=timezone.localtime())
        _scheduler.start()
        return _scheduler


def stop_scheduler() -> None:
    global _scheduler
    with _lock:
        if _scheduler is not None:
            _scheduler.stop()
        _scheduler = None
