"""Running one job by id: the code both backends execute, in a thread or in a Celery worker.

The runner claims a queued job (queued → running) under a row lock, calls its kind with a
``JobContext``, and stores the outcome. It writes ``job.start`` and ``job.end`` to the audit
trail. It never raises for a job's own failure: that is recorded on the row.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import FAILURE, SUCCESS, record
from anbao.jobs import core
from anbao.jobs.core import State
from anbao.jobs.models import Job
from anbao.jobs.registry import get_kind

logger = logging.getLogger(__name__)

LOG_MAX_CHARS = 200_000
SLEEP_SLICE = 0.2


class JobCancelled(Exception):  # noqa: N818 - reads naturally at the raise site
    """Raised inside a job when a cancel was requested; the runner marks it cancelled."""


class JobContext:
    """What a job function gets as ``ctx``: progress, log, cancellation."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.id
        self.kind = job.kind
        self.params = dict(job.params)
        self.actor: Any = job.created_by or job.actor_name
        self._log = job.log

    def progress(self, percent: float, message: str = "") -> None:
        """Store progress (clamped to 0..100) and a one-line message; stop if cancelled."""
        Job.objects.filter(pk=self.job_id).update(
            progress=core.clamp_progress(percent), message=core.short_message(message)
        )
        self.check_cancelled()

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self._log += f"{stamp} {line.rstrip()}\n"
        if len(self._log) > LOG_MAX_CHARS:
            # Keep the newest lines: the end of a long log says why it stopped.
            cut = self._log.find("\n", len(self._log) - LOG_MAX_CHARS) + 1
            self._log = "[…]\n" + self._log[cut:]
        Job.objects.filter(pk=self.job_id).update(log=self._log)

    def cancel_requested(self) -> bool:
        return Job.objects.filter(pk=self.job_id, cancel_requested=True).exists()

    def check_cancelled(self) -> None:
        """Raise ``JobCancelled`` when somebody asked to cancel this job."""
        if self.cancel_requested():
            raise JobCancelled

    def sleep(self, seconds: float) -> None:
        """Wait, checking for a cancel request several times a second."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.check_cancelled()
            time.sleep(min(SLEEP_SLICE, left))
        self.check_cancelled()


def run_job(job_id: UUID | str, *, redelivered: bool = False) -> str:
    """Run the queued job ``job_id``; return the state it ended in.

    Messages stored on the row are in the site language, whoever started the job.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _run(job_id, redelivered)


def _run(job_id: UUID | str, redelivered: bool) -> str:
    job, claimed = _claim(job_id, redelivered)
    if job is None or not claimed:
        return job.state if job else "missing"
    _audit(job, "job.start", SUCCESS)
    ctx = JobContext(job)
    try:
        kind = get_kind(job.kind)
        value = kind.fn(ctx, **job.params)
        json.dumps(value)  # the result must be storable as JSON
    except JobCancelled:
        return _finish(job, State.CANCELLED, message=_("Cancelled"))
    except errors.Error as exc:
        return _finish(job, State.FAILED, error=exc.message)
    except Exception as exc:  # noqa: BLE001 - a job's failure is stored on its row, not raised
        logger.warning("job %s (%s) failed", job.id, job.kind, exc_info=True)
        ctx.log(traceback.format_exc())
        return _finish(job, State.FAILED, error=f"{type(exc).__name__}: {exc}")
    return _finish(job, State.SUCCEEDED, result=value)


def _claim(job_id: UUID | str, redelivered: bool) -> tuple[Job | None, bool]:
    """queued → running under a row lock, so that one job runs once; (job, claimed)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("job %s does not exist (deleted, or another database)", job_id)
            return None, False
        if job.state == State.RUNNING and redelivered:
            # The broker handed the job out again: the worker running it was lost.
            _mark_failed(job, _("The worker running this job was lost."))
            return job, False
        if job.state != State.QUEUED:
            return job, False
        job.state = State.RUNNING.value
        job.started_at = timezone.now()
        job.message = _("Job started")
        job.save(update_fields=["state", "started_at", "message"])
    return job, True


def _mark_failed(job: Job, error: str) -> None:
    core.check_transition(job.state, State.FAILED)
    job.state = State.FAILED.value
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    _audit(job, "job.end", FAILURE)


def _finish(
    job: Job, state: State, *, result: Any = None, error: str = "", message: str | None = None
) -> str:
    core.check_transition(job.state, state)
    fields: dict[str, Any] = {
        "state": state.value,
        "finished_at": timezone.now(),
        "error": error,
        "result": result,
    }
    if state == State.SUCCEEDED:
        fields["progress"] = core.PROGRESS_MAX
    if message is not None:
        fields["message"] = message
    elif error:
        fields["message"] = core.short_message(error)
    Job.objects.filter(pk=job.id, state=State.RUNNING.value).update(**fields)
    job.refresh_from_db()
    _audit(job, "job.end", FAILURE if state == State.FAILED else SUCCESS)
    return job.state


def _audit(job: Job, action: str, outcome: str) -> None:
    details: dict[str, Any] = {"kind": job.kind, "state": job.state, "backend": job.backend}
    if job.schedule:
        details["schedule"] = job.schedule
    if job.error:
        details["error"] = job.error[:500]
    record(
        action,
        actor=job.created_by or job.actor_name,
        object_type="job",
        object_id=str(job.id),
        outcome=outcome,
        details=details,
    )
