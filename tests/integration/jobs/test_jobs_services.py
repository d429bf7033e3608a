"""The jobs services and runner against the database, with the eager backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anbao import errors
from anbao.accounts.core import Role
from anbao.audit import services as audit
from anbao.audit.core import ChainBreak
from anbao.audit.models import AuditRecord
from anbao.jobs import runner, scheduler, services
from anbao.jobs.core import State
from anbao.jobs.models import Job
from anbao.jobs.schedules import Periodic

pytestmark = pytest.mark.django_db


def events(job):
    return list(
        AuditRecord.objects.filter(object_type="job", object_id=str(job.id))
        .order_by("seq")
        .values_list("action", "outcome")
    )


def test_selftest_runs_to_success_with_progress_log_and_audit(eager, make_user):
    user = make_user("alice", Role.ENGINEER)
    job = services.submit("jobs.selftest", {"steps": 3}, user=user)
    assert job.state == State.SUCCEEDED
    assert job.progress == 100
    assert job.backend == "eager" and job.created_by == user
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at
    assert job.result["rounds"] == 3 and job.result["database"] in {"sqlite", "postgresql"}
    assert all(r["data_dir_writable"] for r in job.result["details"])
    assert job.log.count("round ") == 3 and "audit chain intact" in job.log
    assert events(job) == [
        ("job.submit", "success"),
        ("job.start", "success"),
        ("job.end", "success"),
    ]
    assert AuditRecord.objects.filter(action="job.start").first().actor == "alice"
    assert audit.verify()[1] is None
    assert services.result(job.id) == job.result
    status = services.status(str(job.id))
    assert status["state"] == "succeeded" and status["progress"] == 100 and status["finished"]


def test_selftest_defaults_and_string_params(eager):
    job = services.submit("jobs.selftest", {"steps": "2", "pause": "0"})
    assert job.params == {"steps": 2, "pause": 0.0}
    assert job.state == State.SUCCEEDED
    assert services.submit("jobs.selftest").params == {"steps": 3, "pause": 0.0}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"steps": 0}, "steps"),
        ({"steps": 101}, "steps"),
        ({"steps": "x"}, "steps"),
        ({"steps": True}, "steps"),
        ({"pause": 9}, "pause"),
        ({"pause": "soon"}, "pause"),
        ({"color": "red"}, "color"),
    ],
)
def test_bad_params_are_refused_before_anything_is_stored(eager, english, params, message):
    with pytest.raises(errors.ValidationError, match=message):
        services.submit("jobs.selftest", params)
    assert not Job.objects.exists()


def test_unknown_kind_and_non_object_params(eager, english):
    with pytest.raises(errors.ValidationError, match="Unknown job kind: no.such"):
        services.submit("no.such", {})
    with pytest.raises(errors.ValidationError, match="must be an object"):
        services.submit("jobs.selftest", ["steps", 3])
    assert not Job.objects.exists()


def test_a_failing_kind_is_recorded_not_raised(eager, kind):
    def explode(ctx):
        ctx.progress(40, "halfway")
        raise RuntimeError("disk on fire")

    job = services.submit(kind("test.explode", explode))
    assert job.state == State.FAILED
    assert job.error == "RuntimeError: disk on fire"
    assert job.progress == 40 and job.message == job.error
    assert "Traceback" in job.log
    assert events(job)[-1] == ("job.end", "failure")
    with pytest.raises(errors.Conflict):
        services.result(job.id)


def test_a_domain_error_keeps_its_message(eager, kind):
    def refuse(ctx):
        raise errors.ValidationError("target out of the authorized scope")

    job = services.submit(kind("test.refuse", refuse))
    assert job.state == State.FAILED and job.error == "target out of the authorized scope"


def test_a_result_that_is_not_json_fails_the_job(eager, kind):
    job = services.submit(kind("test.object", lambda ctx: object()))
    assert job.state == State.FAILED and "JSON serializable" in job.error


def test_progress_is_clamped_and_log_is_bounded(eager, kind, monkeypatch):
    monkeypatch.setattr(runner, "LOG_MAX_CHARS", 400)

    def chatty(ctx):
        ctx.progress(250, "too far")
        for n in range(50):
            ctx.log(f"line {n}")
        return {"n": 50}

    job = services.submit(kind("test.chatty", chatty))
    assert job.state == State.SUCCEEDED
    assert len(job.log) <= 404 and job.log.startswith("[…]\n")
    assert job.log.rstrip().endswith("line 49") and "line 0\n" not in job.log


def test_cancel_while_running_stops_at_the_next_check(eager, kind, make_user):
    user = make_user("bob", Role.SYSTEM_ADMIN)
    reached = []

    def long_job(ctx):
        ctx.progress(10, "working")
        services.cancel(ctx.job_id, user)  # as if another process asked
        reached.append("after cancel request")
        ctx.sleep(5)
        reached.append("never")

    job = services.submit(kind("test.long", long_job))
    assert job.state == State.CANCELLED
    assert job.cancel_requested and job.finished_at and job.progress == 10
    assert reached == ["after cancel request"]
    actions = [a for a, _ in events(job)]
    assert actions == ["job.submit", "job.start", "job.cancel", "job.end"]
    assert AuditRecord.objects.get(action="job.cancel").actor == "bob"


def test_cancel_a_queued_job_means_it_never_runs(queued_only, kind):
    ran = []
    job = services.submit(kind("test.queued", lambda ctx: ran.append(1)))
    assert job.state == State.QUEUED and job.backend == "inprocess"
    cancelled = services.cancel(str(job.id))
    assert cancelled.state == State.CANCELLED and cancelled.finished_at
    assert runner.run_job(job.id) == "cancelled"
    assert ran == [] and Job.objects.get(pk=job.id).started_at is None


def test_cancel_refusals(eager, make_user, english):
    job = services.submit("jobs.selftest", {"steps": 1})
    with pytest.raises(errors.Conflict, match="already finished"):
        services.cancel(job.id)
    with pytest.raises(errors.NotFound):
        services.cancel("not-a-uuid")
    with pytest.raises(errors.NotFound):
        services.cancel("00000000-0000-0000-0000-000000000000")
    officer = make_user("carol", Role.CLIENT_OFFICER)
    with pytest.raises(errors.PermissionDenied):
        services.cancel(job.id, officer)


def test_a_job_runs_once(eager):
    job = services.submit("jobs.selftest", {"steps": 1})
    starts = AuditRecord.objects.filter(action="job.start").count()
    assert runner.run_job(job.id) == "succeeded"
    assert AuditRecord.objects.filter(action="job.start").count() == starts
    assert runner.run_job("6d1f0c62-0000-4000-8000-000000000000") == "missing"


def test_a_redelivered_running_job_is_marked_lost(queued_only, kind, settings):
    settings.LANGUAGE_CODE = "en"
    job = services.submit(kind("test.lost", lambda ctx: None))
    Job.objects.filter(pk=job.id).update(state=State.RUNNING, started_at=timezone.now())
    assert runner.run_job(job.id) == "running"  # not redelivered: somebody runs it
    assert runner.run_job(job.id, redelivered=True) == "failed"
    assert "lost" in Job.objects.get(pk=job.id).error


def test_fail_interrupted_marks_leftover_in_process_jobs(queued_only, kind):
    first = services.submit(kind("test.left", lambda ctx: None))
    second = services.submit("test.left")
    Job.objects.filter(pk=second.id).update(state=State.RUNNING)
    assert services.fail_interrupted() == 2
    assert set(Job.objects.values_list("state", flat=True)) == {"failed"}
    assert Job.objects.get(pk=first.id).message
    assert services.fail_interrupted() == 0


def test_list_jobs_filters(eager, kind, english):
    services.submit("jobs.selftest", {"steps": 1})
    services.submit(kind("test.fail", lambda ctx: 1 / 0))
    assert services.list_jobs(state="failed").count() == 1
    assert services.list_jobs(kind="jobs.selftest").count() == 1
    with pytest.raises(errors.ValidationError, match="Unknown job state"):
        services.list_jobs(state="paused")


def test_audit_verify_job_records_an_intact_chain(eager):
    audit.record("test.event", actor="tester")
    job = services.submit("audit.verify")
    assert job.state == State.SUCCEEDED and job.result["intact"]
    assert job.result["checked"] >= 2
    rec = AuditRecord.objects.filter(action="audit.verify").get()
    assert rec.outcome == "success" and rec.details["job"] == str(job.id)


def test_audit_verify_job_fails_and_records_a_broken_chain(eager, monkeypatch):
    # The append-only triggers keep us from breaking the chain for real; stand in for it.
    monkeypatch.setattr(audit, "verify", lambda: (7, ChainBreak(4, "modified")))
    job = services.submit("audit.verify")
    assert job.state == State.FAILED and "4" in job.error
    rec = AuditRecord.objects.filter(action="audit.verify").get()
    assert rec.outcome == "failure" and rec.details["broken_at"] == 4


def test_scheduler_submits_due_entries_once_per_period(eager):
    now = timezone.localtime()
    entries = [
        Periodic("check-hourly", "jobs.selftest", "every 1h", {"steps": 1}),
        Periodic("nightly", "audit.verify", "30 2 * * *"),
    ]
    sched = scheduler.Scheduler(entries, now=now)
    assert sched.tick(now) == []
    later = now + timedelta(hours=1, seconds=1)
    assert sched.tick(later) == ["check-hourly"]
    assert sched.tick(later) == []
    job = Job.objects.get()
    assert job.schedule == "check-hourly" and job.state == State.SUCCEEDED
    assert job.created_by is None and job.actor_name == "scheduler"
    assert 0 < sched.seconds_to_next(later) <= scheduler.MAX_SLEEP


def test_scheduler_survives_a_bad_entry(eager, caplog):
    now = timezone.localtime()
    sched = scheduler.Scheduler([Periodic("broken", "no.such.kind", "every 1s")], now=now)
    assert sched.tick(now + timedelta(seconds=2)) == ["broken"]
    assert "could not be submitted" in caplog.text
    assert not Job.objects.exists()


def test_start_scheduler_in_process_and_under_celery(queued_only, settings):
    started = scheduler.start_scheduler(entries=[])
    try:
        assert started is not None and started.running
        assert scheduler.start_scheduler(entries=[]) is started
    finally:
        scheduler.stop_scheduler()
    assert not started.running
    settings.ANBAO_JOB_BACKEND = "celery"
    assert scheduler.start_scheduler() is None


def test_the_default_schedule_verifies_the_audit_trail_daily():
    from anbao.jobs import core, registry
    from anbao.jobs.schedules import SCHEDULES

    names = {entry.name for entry in SCHEDULES}
    assert len(names) == len(SCHEDULES)
    for entry in SCHEDULES:
        registry.get_kind(entry.kind)
        assert entry.schedule  # parses
    daily = next(e for e in SCHEDULES if e.kind == "audit.verify")
    assert isinstance(daily.schedule, core.Cron)


def test_celery_beat_schedule_is_built_from_the_same_list():
    from celery.schedules import crontab

    from anbao.jobs import celery_app
    from anbao.jobs.schedules import SCHEDULES

    beat = celery_app.beat_schedule()
    assert set(beat) == {e.name for e in SCHEDULES}
    entry = beat["audit-verify-daily"]
    assert entry["task"] == celery_app.SCHEDULED_TASK and entry["args"] == ("audit-verify-daily",)
    assert entry["schedule"] == crontab(minute="30", hour="2")
    interval = celery_app.beat_entry(Periodic("x", "jobs.selftest", "every 30m"))
    assert interval["schedule"] == timedelta(minutes=30)
    assert celery_app.app.conf.task_acks_late and celery_app.app.conf.task_ignore_result
