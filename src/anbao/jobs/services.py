"""Use cases of jobs: submit, look up, cancel, list, wait. Web, API, CLI and the scheduler
call these; they never touch a backend directly.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao.accounts.core import Capability
from anbao.audit.services import record
from anbao.errors import ConfigurationError, Conflict, NotFound, PermissionDenied, ValidationError
from anbao.jobs import core
from anbao.jobs.backends import get_backend
from anbao.jobs.core import State
from anbao.jobs.models import Job
from anbao.jobs.registry import get_kind

# What is stored on a job row is read later by anyone: it is in the site language, not in
# the language of whoever happened to submit or cancel.
QUEUED = gettext_lazy("Queued")
CANCELLED_EARLY = gettext_lazy("Cancelled before it started")
CANCEL_REQUESTED = gettext_lazy("Cancel requested")
INTERRUPTED = gettext_lazy("Interrupted")
INTERRUPTED_ERROR = gettext_lazy("Interrupted: the process running this job stopped.")


def site_text(text: Any) -> str:
    """``text`` (a lazy translation) in the site language, for storing."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _parse_id(job_id: object) -> uuid.UUID:
    if isinstance(job_id, uuid.UUID):
        return job_id
    try:
        return uuid.UUID(str(job_id).strip())
    except ValueError:
        raise NotFound(_("No job with id %(id)s.") % {"id": str(job_id)[:64]}) from None


def get(job_id: object) -> Job:
    """The job ``job_id`` (a UUID or its text); ``NotFound`` for a bad or unknown id."""
    job = Job.objects.select_related("created_by").filter(pk=_parse_id(job_id)).first()
    if job is None:
        raise NotFound(_("No job with id %(id)s.") % {"id": str(job_id)[:64]})
    return job


def submit(
    kind: str,
    params: dict[str, Any] | None = None,
    user: Any = None,
    *,
    actor: str = "",
    schedule: str = "",
    request: Any = None,
) -> Job:
    """Queue a job of ``kind`` with ``params`` and start it on the configured backend.

    ``user`` is the person submitting; without one, ``actor`` names the submitter for the
    audit trail (``cli``; the scheduler is named by ``schedule``).
    """
    if params is not None and not isinstance(params, dict):
        raise ValidationError(_("Job parameters must be an object."))
    job_kind = get_kind(kind)
    clean = job_kind.clean_params(dict(params or {}))
    backend = get_backend()
    creator = user if getattr(user, "is_authenticated", False) else None
    if creator is not None:
        submitter = str(creator.get_username())
    else:
        submitter = actor or ("scheduler" if schedule else "system")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            name=str(job_kind.label)[:200],
            params=clean,
            backend=backend.name,
            schedule=schedule,
            created_by=creator,
            submitted_by=submitter[:150],
            message=site_text(QUEUED),
        )
        record(
            "job.submit",
            actor=creator or submitter,
            request=request,
            object_type="job",
            object_id=str(job.id),
            details={"kind": kind, "backend": backend.name, "schedule": schedule},
        )
        backend.enqueue(job)
    job.refresh_from_db()
    return job


def status(job_id: object) -> dict[str, Any]:
    """State, progress and message of a job, as plain values."""
    return as_dict(get(job_id))


def result(job_id: object) -> Any:
    """The stored result of a succeeded job; ``Conflict`` while it runs or when it did not."""
    job = get(job_id)
    if job.state != State.SUCCEEDED:
        raise Conflict(_("The job has no result: it is %(state)s.") % {"state": job.state_label})
    return job.result


def cancel(job_id: object, user: Any = None, *, actor: str = "", request: Any = None) -> Job:
    """Cancel a queued job at once; ask a running job to stop at its next check."""
    if user is not None and not user.can(Capability.JOBS_CANCEL):
        raise PermissionDenied(_("You may not cancel jobs."))
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=_parse_id(job_id)).first()
        if job is None:
            raise NotFound(_("No job with id %(id)s.") % {"id": str(job_id)[:64]})
        before = job.state
        if core.is_finished(before):
            raise Conflict(
                _("The job has already finished: it is %(state)s.") % {"state": job.state_label}
            )
        job.cancel_requested = True
        if before == State.QUEUED:
            job.state = State.CANCELLED.value
            job.finished_at = timezone.now()
            job.message = site_text(CANCELLED_EARLY)
        else:
            job.message = site_text(CANCEL_REQUESTED)
        job.save(update_fields=["cancel_requested", "state", "finished_at", "message"])
        record(
            "job.cancel",
            actor=user or actor or None,
            request=request,
            object_type="job",
            object_id=str(job.id),
            details={"kind": job.kind, "state_before": before},
        )
    if before == State.QUEUED:
        try:
            get_backend(job.backend or None).revoke(job)
        except ConfigurationError:
            pass  # this process cannot reach that backend; the row already says cancelled
    return job


def list_jobs(*, state: str = "", kind: str = "") -> QuerySet[Job]:
    qs = Job.objects.select_related("created_by").order_by("-created_at")
    if state:
        if state not in set(State):
            raise ValidationError(_("Unknown job state: %(state)s") % {"state": state})
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def wait(job_id: object, *, timeout: float = 60.0, poll: float = 0.2) -> Job:
    """Poll until the job finishes or ``timeout`` seconds pass; return the last row read."""
    deadline = time.monotonic() + timeout
    job = get(job_id)
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(poll)
        job = get(job_id)
    return job


def fail_interrupted(backend: str = "inprocess") -> int:
    """Mark failed the jobs of ``backend`` left queued or running by a stopped process.

    In-process jobs live only as long as their process; call this once at start-up, before
    any new job is submitted.
    """
    jobs = list(Job.objects.filter(backend=backend, state__in=[s.value for s in core.ACTIVE]))
    for job in jobs:
        Job.objects.filter(pk=job.id, state=job.state).update(
            state=State.FAILED.value,
            finished_at=timezone.now(),
            error=site_text(INTERRUPTED_ERROR),
            message=site_text(INTERRUPTED),
        )
        record(
            "job.end",
            actor="system",
            object_type="job",
            object_id=str(job.id),
            outcome="failure",
            details={"kind": job.kind, "state": "failed", "reason": "interrupted"},
        )
    return len(jobs)


def as_dict(job: Job, *, with_log: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(job.id),
        "kind": job.kind,
        "name": job.name,
        "params": job.params,
        "state": job.state,
        "state_label": job.state_label,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "error": job.error,
        "backend": job.backend,
        "schedule": job.schedule,
        "created_by": job.actor_name,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "cancel_requested": job.cancel_requested,
        "finished": job.is_finished,
    }
    if with_log:
        data["log"] = job.log
    return data


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
