"""``anbao job list|show|run|cancel|kinds`` through the real entry point."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from anbao.audit.models import AuditRecord
from anbao.cli.main import main
from anbao.jobs import services
from anbao.jobs.core import State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cli_english(monkeypatch):
    monkeypatch.setenv("ANBAO_CLI_LANGUAGE", "en")
    yield
    translation.deactivate()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_empty_and_json(capsys, eager):
    assert run(capsys, "job", "list") == (0, "No jobs.\n", "")
    code, out, _ = run(capsys, "job", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_list_shows_jobs(capsys, eager):
    job = services.submit("jobs.selftest", {"steps": 1})
    code, out, err = run(capsys, "job", "list")
    assert code == 0 and err == ""
    assert str(job.id) in out and "succeeded" in out and "100%" in out
    code, out, _ = run(capsys, "job", "list", "--json", "--state", "succeeded")
    assert [j["id"] for j in json.loads(out)] == [str(job.id)]
    code, out, _ = run(capsys, "job", "list", "--json", "--state", "running")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["job", "list", "--state", "paused"], "Unknown job state: paused"),
        (["job", "list", "--limit", "0"], "--limit"),
        (["job", "list", "--limit", "x"], "invalid int value"),
        (["job", "show", "nope"], "No job with id nope"),
        (["job", "cancel", "nope"], "No job with id nope"),
        (["job", "run", "no.such"], "Unknown job kind: no.such"),
        (["job", "run", "jobs.selftest", "--param", "steps"], "NAME=VALUE"),
        (["job", "run", "jobs.selftest", "--param", "steps=0"], "steps must be"),
        (["job"], "required"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, eager, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("anbao: ") and err.count("\n") == 1 and fragment in err


def test_show_prints_progress_and_log(capsys, eager):
    job = services.submit("jobs.selftest", {"steps": 2})
    code, out, _ = run(capsys, "job", "show", str(job.id))
    assert code == 0
    assert f"ID: {job.id}" in out and "State: succeeded" in out
    assert "Progress: [##############################] 100%" in out
    assert "round 2/2" in out
    code, out, _ = run(capsys, "job", "show", str(job.id), "--json")
    data = json.loads(out)
    assert data["progress"] == 100 and "round 1/2" in data["log"]


def test_run_and_wait_shows_progress(capsys, eager):
    code, out, err = run(
        capsys, "job", "run", "jobs.selftest", "--param", "steps=4", "--wait", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["state"] == "succeeded" and data["result"]["rounds"] == 4
    assert "100%" in err  # the progress line on stderr
    assert data["created_by"] == "cli"
    actors = dict(AuditRecord.objects.filter(object_id=data["id"]).values_list("action", "actor"))
    assert actors == {"job.submit": "cli", "job.start": "cli", "job.end": "cli"}


def test_run_without_wait_prints_the_id(capsys, queued_only):
    code, out, _ = run(capsys, "job", "run", "jobs.selftest")
    assert code == 0
    assert services.get(out.strip()).state == State.QUEUED


def test_run_of_a_failing_job_exits_1(capsys, eager, kind):
    kind("test.cli.fail", lambda ctx: 1 / 0)
    code, out, err = run(capsys, "job", "run", "test.cli.fail", "--wait")
    assert code == 1 and "State: failed" in out
    assert err.strip().endswith("ZeroDivisionError: division by zero")


def test_cancel(capsys, queued_only):
    job = services.submit("jobs.selftest")
    code, out, _ = run(capsys, "job", "cancel", str(job.id))
    assert code == 0 and f"Job {job.id} cancelled." in out
    assert AuditRecord.objects.get(action="job.cancel").actor == "cli"
    code, _, err = run(capsys, "job", "cancel", str(job.id))
    assert code == 2 and "already finished" in err


def test_kinds(capsys):
    code, out, _ = run(capsys, "job", "kinds")
    assert code == 0 and "jobs.selftest" in out and "audit.verify" in out


def test_help_is_chinese_by_default(capsys, monkeypatch):
    monkeypatch.delenv("ANBAO_CLI_LANGUAGE")
    with pytest.raises(SystemExit):
        main(["job", "list", "--help"])
    out = capsys.readouterr().out
    assert "--state" in out and "只列出处于该状态的任务" in out and "最多 N 个任务" in out
