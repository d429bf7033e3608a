"""Built-in job kinds: the daily audit-trail verification and the jobs self test."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao.audit import services as audit
from anbao.errors import IntegrityError, ValidationError
from anbao.jobs import core
from anbao.jobs.registry import job

SELFTEST_MAX_STEPS = 100
SELFTEST_MAX_PAUSE = 5.0


@job("audit.verify", label=gettext_lazy("Verify the audit trail"))
def verify_audit_trail(ctx: Any) -> dict[str, Any]:
    """Check the whole SM3 chain and record the outcome in the audit trail itself."""
    ctx.progress(0, _("Verifying the audit trail"))
    checked, broken = audit.verify()
    details: dict[str, Any] = {"checked": checked, "job": str(ctx.job_id)}
    if broken is not None:
        details.update(broken_at=broken.seq, reason=broken.reason)
    audit.record(
        "audit.verify",
        actor=ctx.actor,
        object_type="audit_chain",
        outcome=audit.SUCCESS if broken is None else audit.FAILURE,
        details=details,
    )
    if broken is not None:
        ctx.log(f"chain broken at record {broken.seq}: {broken.reason}")
        raise IntegrityError(
            _("The audit chain is broken at record %(seq)s (%(reason)s).")
            % {"seq": broken.seq, "reason": broken.reason}
        )
    ctx.log(f"{checked} records checked, chain intact")
    ctx.progress(100, _("%(count)d records checked, chain intact") % {"count": checked})
    return {"checked": checked, "intact": True}


def _selftest_params(params: dict[str, Any]) -> dict[str, Any]:
    steps, pause = params.get("steps"), params.get("pause")
    if isinstance(steps, str) and steps.isdigit():
        steps = int(steps)
    if isinstance(pause, str):
        try:
            pause = float(pause)
        except ValueError:
            pause = None
    if (
        isinstance(steps, bool)
        or not isinstance(steps, int)
        or not 1 <= steps <= SELFTEST_MAX_STEPS
    ):
        raise ValidationError(
            _("steps must be a whole number from 1 to %(max)d.") % {"max": SELFTEST_MAX_STEPS}
        )
    if (
        isinstance(pause, bool)
        or not isinstance(pause, int | float)
        or not 0 <= pause <= SELFTEST_MAX_PAUSE
    ):
        raise ValidationError(
            _("pause must be a number of seconds from 0 to %(max)s.") % {"max": SELFTEST_MAX_PAUSE}
        )
    unknown = sorted(set(params) - {"steps", "pause"})
    if unknown:
        raise ValidationError(_("Unknown parameter: %(name)s") % {"name": unknown[0]})
    return {"steps": steps, "pause": float(pause)}


@job(
    "jobs.selftest",
    label=gettext_lazy("Jobs self test"),
    validate=_selftest_params,
    defaults={"steps": 3, "pause": 0.0},
)
def selftest(ctx: Any, steps: int, pause: float) -> dict[str, Any]:
    """Prove that a worker reaches the database, the data directory and an intact audit chain.

    Each of ``steps`` rounds times a database round trip, writes and reads back a probe file
    in the data directory, and verifies the audit chain; ``pause`` seconds separate rounds so
    that progress and cancellation can be watched.
    """
    from anbao.jobs.models import Job

    rounds: list[dict[str, Any]] = []
    for done in range(steps):
        ctx.check_cancelled()
        started = time.perf_counter()
        jobs = Job.objects.count()
        db_ms = round((time.perf_counter() - started) * 1000, 3)
        probe_ok = _probe_data_dir()
        checked, broken = audit.verify()
        if broken is not None:
            raise IntegrityError(
                _("The audit chain is broken at record %(seq)s (%(reason)s).")
                % {"seq": broken.seq, "reason": broken.reason}
            )
        rounds.append(
            {"db_ms": db_ms, "jobs": jobs, "audit_checked": checked, "data_dir_writable": probe_ok}
        )
        ctx.log(
            f"round {done + 1}/{steps}: database {db_ms} ms ({jobs} jobs), "
            f"data dir {'writable' if probe_ok else 'NOT writable'}, "
            f"audit chain intact ({checked} records)"
        )
        ctx.progress(
            core.step_progress(done + 1, steps),
            _("Round %(done)d of %(total)d done") % {"done": done + 1, "total": steps},
        )
        if pause and done + 1 < steps:
            ctx.sleep(pause)
    if not all(r["data_dir_writable"] for r in rounds):
        raise ValidationError(_("The data directory is not writable by this worker."))
    return {
        "rounds": len(rounds),
        "database": connection.vendor,
        "worker_pid": os.getpid(),
        "audit_checked": rounds[-1]["audit_checked"],
        "details": rounds,
    }


def _probe_data_dir() -> bool:
    path = settings.DATA_DIR / f".jobs-probe-{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    try:
        path.write_text(token, encoding="ascii")
        return path.read_text(encoding="ascii") == token
    except OSError:
        return False
    finally:
        path.unlink(missing_ok=True)


@job("audit.purge", label=gettext_lazy("Apply the audit retention period"))
def purge_audit_trail(ctx: Any) -> dict[str, Any]:
    """Remove audit records older than the retention period (never under 180 days)."""
    ctx.progress(0, _("Applying the audit retention period"))
    removed = audit.purge_expired()
    ctx.progress(100, _("%(n)d audit records past retention removed") % {"n": removed})
    return {"removed": removed}
