"""The in-process backend end to end: real processes, a real thread pool, a shared database.

The pool only runs committed jobs in other threads, which a test's own transaction cannot
show them; so these tests drive ``anbao job`` in subprocesses against a fresh database.
"""

from __future__ import annotations

import json
import signal

import pytest
from jobs_procs import fresh_instance, parse_json, wait_for


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    with fresh_instance(tmp_path_factory.mktemp("jobs-inprocess")) as inst:
        yield inst


def test_run_and_follow_progress(instance):
    done = instance.anbao(
        "job",
        "run",
        "jobs.selftest",
        "--param",
        "steps=3",
        "--param",
        "pause=0.4",
        "--wait",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    job = parse_json(done.stdout)
    assert job["state"] == "succeeded" and job["backend"] == "inprocess"
    assert job["result"]["rounds"] == 3 and job["progress"] == 100
    bars = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert any(" 33% " in line or " 67% " in line for line in bars), done.stderr
    assert bars[-1].startswith("[" + "#" * 30 + "] 100%")
    shown = instance.anbao("job", "show", job["id"])
    assert shown.returncode == 0 and "round 3/3" in shown.stdout


def test_cancel_from_another_process(instance):
    runner = instance.spawn(
        "job",
        "run",
        "jobs.selftest",
        "--param",
        "steps=40",
        "--param",
        "pause=0.25",
        "--wait",
        "--json",
    )
    try:
        job = wait_for(
            lambda: next(
                (j for j in instance.jobs() if j["state"] == "running" and j["progress"] > 0), None
            ),
            30,
            "the job to make progress",
        )
        cancelled = instance.anbao("job", "cancel", job["id"])
        assert cancelled.returncode == 0, cancelled.stderr
        assert "Cancel requested" in cancelled.stdout
        out, err = runner.communicate(timeout=30)
    finally:
        runner.kill()
    assert runner.returncode == 1, err
    final = parse_json(out)
    assert final["state"] == "cancelled" and 0 < final["progress"] < 100
    assert final["cancel_requested"] and "ended cancelled" in err


def test_the_pool_is_bounded(instance):
    # Three jobs in one process with the default two threads: never three at once.
    code = """
import json, time
from anbao.jobs import services
from anbao.jobs.models import Job
ids = [services.submit("jobs.selftest", {"steps": 3, "pause": 0.3}).id for _ in range(3)]
most, queued_while_full = 0, False
deadline = time.monotonic() + 40
while time.monotonic() < deadline:
    states = list(Job.objects.filter(pk__in=ids).values_list("state", flat=True))
    running = states.count("running")
    most = max(most, running)
    queued_while_full |= running == 2 and "queued" in states
    if all(s in ("succeeded", "failed", "cancelled") for s in states):
        break
    time.sleep(0.05)
errors = list(Job.objects.filter(pk__in=ids).values_list("error", flat=True))
print(json.dumps({"most": most, "queued_while_full": queued_while_full, "states": states,
                  "errors": errors}))
"""
    done = instance.python(code)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["states"] == ["succeeded"] * 3, seen["errors"]
    assert seen["most"] == 2 and seen["queued_while_full"]


def test_ctrl_c_while_waiting_cancels_the_in_process_job(instance):
    before = {j["id"] for j in instance.jobs()}
    runner = instance.spawn(
        "job", "run", "jobs.selftest", "--param", "steps=40", "--param", "pause=0.25", "--wait"
    )
    try:
        job = wait_for(
            lambda: next(
                (
                    j
                    for j in instance.jobs()
                    if j["id"] not in before and j["state"] == "running" and j["progress"] > 0
                ),
                None,
            ),
            30,
            "the job to make progress",
        )
        runner.send_signal(signal.SIGINT)
        _, err = runner.communicate(timeout=30)
    finally:
        runner.kill()
    assert runner.returncode == 130, err
    assert err.strip().endswith("anbao: interrupted")
    final = {j["id"]: j for j in instance.jobs()}[job["id"]]
    assert final["state"] == "cancelled"
