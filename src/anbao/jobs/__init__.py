"""Background jobs: one interface, an in-process backend and a Celery backend.

Public API (import from ``anbao.jobs``)::

    @job("domain.action")                 register fn(ctx, **params) as a job kind
    submit(kind, params, user=None)       -> Job (queued, then started on the backend)
    status(id) -> dict    result(id)      cancel(id, user)    get(id) -> Job
    start_scheduler()                     periodic jobs without Celery (``anbao serve``)

Inside a job, ``ctx.progress(pct, message)``, ``ctx.log(line)``, ``ctx.check_cancelled()``
and ``ctx.sleep(seconds)``. Workers: ``celery -A anbao.jobs.celery_app worker``.
"""

from __future__ import annotations

from typing import Any

from anbao.jobs.registry import job

__all__ = ["cancel", "get", "job", "result", "start_scheduler", "status", "submit"]

_SERVICES = {"submit", "status", "result", "cancel", "get"}


def __getattr__(name: str) -> Any:
    # The services import models, which must wait until Django's apps are loaded.
    if name in _SERVICES:
        from anbao.jobs import services

        return getattr(services, name)
    if name == "start_scheduler":
        from anbao.jobs.scheduler import start_scheduler

        return start_scheduler
    raise AttributeError(name)
