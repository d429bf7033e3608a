"""The Celery application of anbao: ``celery -A anbao.jobs.celery_app worker`` (and ``beat``).

Configured from Django settings: the broker is ``CELERY_BROKER_URL`` (Redis or RabbitMQ).
Results are not kept by Celery: the job's database row holds state, progress and result, so
no result backend is needed. Tasks are acknowledged after they run (``acks_late``) and a worker
takes one message at a time, so a lost worker's job is redelivered and then marked failed.
``ANBAO_CELERY_QUEUE`` names the queue (default ``anbao``) when several deployments share a
broker.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import django
from django.apps import apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anbao.settings")
if not apps.ready:  # a worker or beat process; the web process has set Django up already
    django.setup()

from celery import Celery  # noqa: E402
from celery.schedules import crontab  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import close_old_connections  # noqa: E402

from anbao.jobs import core  # noqa: E402
from anbao.jobs.schedules import SCHEDULES, Periodic  # noqa: E402

RUN_TASK = "anbao.jobs.run"
SCHEDULED_TASK = "anbao.jobs.submit_scheduled"
QUEUE = os.environ.get("ANBAO_CELERY_QUEUE", "").strip() or "anbao"
# A Redis broker hands an unacknowledged message out again after this many seconds; with
# late acknowledgement that must exceed the longest job, or a running job counts as lost.
VISIBILITY_TIMEOUT = 12 * 3600


def beat_entry(entry: Periodic) -> dict[str, Any]:
    schedule = entry.schedule
    if isinstance(schedule, core.Interval):
        when: Any = timedelta(seconds=schedule.seconds)
    else:
        minute, hour, day_of_month, month, day_of_week = schedule.expression.split()
        when = crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month,
            day_of_week=day_of_week,
        )
    return {"task": SCHEDULED_TASK, "schedule": when, "args": (entry.name,)}


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {entry.name: beat_entry(entry) for entry in SCHEDULES}


app = Celery("anbao")
app.conf.update(
    broker_url=settings.CELERY_BROKER_URL or None,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_queue=QUEUE,
    task_serializer="json",
    accept_content=["json"],
    timezone=settings.TIME_ZONE,
    enable_utc=True,
    beat_schedule=beat_schedule(),
    worker_hijack_root_logger=False,
)


@app.task(name=RUN_TASK, bind=True)
def run(self: Any, job_id: str) -> str:
    """Run one job by id; the outcome is stored on its row."""
    from anbao.jobs.runner import run_job

    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    close_old_connections()
    try:
        return run_job(job_id, redelivered=redelivered)
    finally:
        close_old_connections()


@app.task(name=SCHEDULED_TASK)
def submit_scheduled(name: str) -> str:
    """Beat's tick: create the job row of a periodic entry and queue it like any other job."""
    from anbao.jobs import services
    from anbao.jobs.schedules import by_name

    close_old_connections()
    try:
        entry = by_name(name)
        return str(services.submit(entry.kind, dict(entry.params), schedule=entry.name).id)
    finally:
        close_old_connections()
