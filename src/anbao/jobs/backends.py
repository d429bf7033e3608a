"""Where jobs run: the backends behind ``services.submit``, chosen by ``ANBAO_JOB_BACKEND``.

- ``inprocess`` (default): a bounded thread pool inside the web or CLI process.
- ``celery``: a Celery worker on any host, through the broker in ``CELERY_BROKER_URL``.
- ``eager``: runs the job at once in the caller's thread (tests and one-shot tools).

A backend only starts the job; the job's row is the single source of truth for its state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol
from uuid import UUID

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anbao.errors import ConfigurationError
from anbao.jobs.core import State
from anbao.jobs.models import Job
from anbao.jobs.runner import run_job

logger = logging.getLogger(__name__)

DEFAULT_THREADS = 2


class Backend(Protocol):
    name: str

    def enqueue(self, job: Job) -> None:
        """Arrange for ``job`` (saved, queued) to run once the current transaction commits."""

    def revoke(self, job: Job) -> None:
        """Best effort: drop a job that has not started yet."""


def _run_and_close(job_id: UUID) -> str:
    try:
        return run_job(job_id)
    finally:
        # Pool threads live on; do not keep a connection open between jobs.
        connections.close_all()


class InProcessBackend:
    """A bounded pool of threads in this process; jobs wait in its queue for a free thread."""

    name = "inprocess"

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        self.threads = threads
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="anbao-job")
        self._futures: dict[UUID, Future[str]] = {}
        self._lock = threading.Lock()

    def enqueue(self, job: Job) -> None:
        transaction.on_commit(lambda: self._start(job.id))

    def _start(self, job_id: UUID) -> None:
        future = self._executor.submit(_run_and_close, job_id)
        with self._lock:
            self._futures[job_id] = future
        future.add_done_callback(lambda _f: self._forget(job_id))

    def _forget(self, job_id: UUID) -> None:
        with self._lock:
            self._futures.pop(job_id, None)

    def revoke(self, job: Job) -> None:
        with self._lock:
            future = self._futures.get(job.id)
        if future is not None:
            future.cancel()

    def pending(self) -> int:
        with self._lock:
            return len(self._futures)


class EagerBackend:
    """Runs the job immediately in the calling thread, inside the caller's transaction."""

    name = "eager"

    def enqueue(self, job: Job) -> None:
        run_job(job.id)

    def revoke(self, job: Job) -> None:
        return None


class CeleryBackend:
    """Sends ``anbao.jobs.run`` with the job id as the Celery task id."""

    name = "celery"

    def enqueue(self, job: Job) -> None:
        transaction.on_commit(lambda: self._send(job.id))

    def _send(self, job_id: UUID) -> None:
        from anbao.jobs.celery_app import RUN_TASK, app

        try:
            app.send_task(RUN_TASK, args=[str(job_id)], task_id=str(job_id))
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the job unrunnable
            logger.error("cannot send job %s to the broker: %s", job_id, exc)
            with translation.override(settings.LANGUAGE_CODE):
                Job.objects.filter(pk=job_id, state=State.QUEUED.value).update(
                    state=State.FAILED.value,
                    finished_at=timezone.now(),
                    error=_("The job could not be sent to the broker: %(error)s") % {"error": exc},
                    message=_("Broker unreachable"),
                )

    def revoke(self, job: Job) -> None:
        from anbao.jobs.celery_app import app

        try:
            app.control.revoke(str(job.id))
        except Exception as exc:  # noqa: BLE001 - the row is already cancelled; revoke is extra
            logger.warning("cannot revoke job %s: %s", job.id, exc)


_BACKENDS: dict[str, Backend] = {}
_BACKENDS_LOCK = threading.Lock()
_FACTORIES: dict[str, Callable[[], Backend]] = {
    "inprocess": lambda: InProcessBackend(getattr(settings, "ANBAO_JOB_THREADS", DEFAULT_THREADS)),
    "celery": CeleryBackend,
    "eager": EagerBackend,
}


def backend_name() -> str:
    return str(getattr(settings, "ANBAO_JOB_BACKEND", "inprocess") or "inprocess")


def get_backend(name: str | None = None) -> Backend:
    """The backend called ``name`` (default: the configured one), created once per process."""
    name = name or backend_name()
    if name not in _FACTORIES:
        raise ConfigurationError(
            f"ANBAO_JOB_BACKEND must be one of {sorted(_FACTORIES)}, got {name!r}"
        )
    if name == "celery" and not getattr(settings, "CELERY_BROKER_URL", ""):
        raise ConfigurationError("ANBAO_JOB_BACKEND is celery but CELERY_BROKER_URL is empty")
    with _BACKENDS_LOCK:
        if name not in _BACKENDS:
            _BACKENDS[name] = _FACTORIES[name]()
        return _BACKENDS[name]
