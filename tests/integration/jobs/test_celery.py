"""The Celery backend with a real worker process and a real broker (Redis, then RabbitMQ).

The worker, the ``anbao`` CLI processes and the test share one fresh database (file SQLite,
or a dedicated PostgreSQL database in the PostgreSQL pass); nothing is mocked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from jobs_procs import ROOT, fresh_instance, parse_json, wait_for

from services import require_service

pytestmark = pytest.mark.celery

CELERY = Path(sys.executable).parent / "celery"
BROKERS = {
    "redis": "redis://127.0.0.1:6379/13",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    with fresh_instance(tmp_path_factory.mktemp("jobs-celery")) as inst:
        yield inst


@pytest.fixture(params=sorted(BROKERS))
def broker_env(request, instance):
    require_service(request.param)
    # A queue of its own, so that nothing left on a shared broker reaches this worker.
    queue = f"anbao-test-{uuid.uuid4().hex[:10]}"
    return instance.env(CELERY_BROKER_URL=BROKERS[request.param], ANBAO_CELERY_QUEUE=queue)


@contextmanager
def celery_worker(env, log_path: Path):
    command = [
        str(CELERY),
        "-A",
        "anbao.jobs.celery_app",
        "worker",
        "--pool=threads",
        "--concurrency=2",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
    try:
        wait_for(
            lambda: "ready." in log_path.read_text(encoding="utf-8") or proc.poll() is not None,
            45,
            "the Celery worker to start",
            interval=0.2,
        )
        assert proc.poll() is None, log_path.read_text(encoding="utf-8")[-3000:]
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_worker_runs_jobs_with_progress_and_cancel(instance, broker_env, tmp_path):
    env = broker_env
    started = time.monotonic()

    # Queued while no worker runs, then cancelled: it must never start.
    queued = instance.anbao("job", "run", "jobs.selftest", "--json", env=env)
    assert queued.returncode == 0, queued.stderr
    early = parse_json(queued.stdout)
    assert early["backend"] == "celery" and early["state"] == "queued"
    assert instance.anbao("job", "cancel", early["id"], env=env).returncode == 0

    log = tmp_path / "worker.log"
    with celery_worker(env, log) as worker:
        done = instance.anbao(
            "job",
            "run",
            "jobs.selftest",
            "--param",
            "steps=4",
            "--param",
            "pause=0.4",
            "--wait",
            "--timeout",
            "40",
            "--json",
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr + log.read_text(encoding="utf-8")[-3000:]
        job = parse_json(done.stdout)
        assert job["state"] == "succeeded" and job["backend"] == "celery"
        assert job["result"]["rounds"] == 4
        assert job["result"]["worker_pid"] == worker.pid  # it ran in the worker
        percents = {
            line.split("]")[1].split("%")[0].strip()
            for line in done.stderr.splitlines()
            if line.startswith("[")
        }
        assert percents & {"25", "50", "75"}, done.stderr  # progress seen on the way
        assert "100" in percents

        runner = instance.spawn(
            "job",
            "run",
            "jobs.selftest",
            "--param",
            "steps=60",
            "--param",
            "pause=0.25",
            "--wait",
            "--timeout",
            "40",
            "--json",
            env=env,
        )
        try:
            running = wait_for(
                lambda: next(
                    (j for j in instance.jobs() if j["state"] == "running" and j["progress"] > 0),
                    None,
                ),
                30,
                "a running job with progress",
            )
            cancel = instance.anbao("job", "cancel", running["id"], env=env)
            assert cancel.returncode == 0, (cancel.stdout, cancel.stderr, instance.jobs())
            out, err = runner.communicate(timeout=30)
        finally:
            runner.kill()
        assert runner.returncode == 1, err
        final = parse_json(out)
        assert final["state"] == "cancelled" and 0 < final["progress"] < 100

        # What celery beat sends at 02:30: the worker creates the scheduled job and runs it.
        tick = instance.python(
            "from anbao.jobs.celery_app import SCHEDULED_TASK, app\n"
            "app.send_task(SCHEDULED_TASK, args=['audit-verify-daily'])\n",
            env=env,
        )
        assert tick.returncode == 0, tick.stderr[-2000:]
        nightly = wait_for(
            lambda: next(
                (
                    j
                    for j in instance.jobs()
                    if j["schedule"] == "audit-verify-daily" and j["state"] == "succeeded"
                ),
                None,
            ),
            20,
            "the scheduled audit verification",
        )
        assert nightly["kind"] == "audit.verify" and nightly["backend"] == "celery"

    rows = {j["id"]: j for j in instance.jobs()}
    assert rows[early["id"]]["state"] == "cancelled"
    assert rows[early["id"]]["started_at"] is None
    assert time.monotonic() - started < 60
