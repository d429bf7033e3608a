"""The `anbao` console script as an operator runs it: a fresh data dir, real processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ANBAO = str(Path(sys.executable).with_name("anbao"))


def run(data_dir: Path, *args: str, stdin: str | None = None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({"ANBAO_DATA_DIR": str(data_dir), "ANBAO_LANGUAGE": "zh-hans"})
    env.update(env_extra or {})
    return subprocess.run(
        [ANBAO, *args], capture_output=True, text=True, env=env, input=stdin, timeout=120
    )


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("instance") / "var"
    first = run(data_dir, "init")
    assert first.returncode == 0, first.stderr
    return data_dir, first


def test_init_creates_admin_key_and_sample(instance):
    data_dir, first = instance
    assert "admin" in first.stdout
    assert "一次性密码" in first.stdout  # the one-time password is printed, in Chinese
    key = data_dir / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_init_twice_duplicates_nothing(instance):
    data_dir, first = instance
    users_before = json.loads(run(data_dir, "user", "list", "--json").stdout)
    again = run(data_dir, "init")
    assert again.returncode == 0, again.stderr
    assert "一次性密码" not in again.stdout
    users_after = json.loads(run(data_dir, "user", "list", "--json").stdout)
    assert users_before == users_after
    assert [u["role"] for u in users_after] == ["system_admin"]


def test_check_passes_then_fails_on_loose_permissions(instance):
    data_dir, _ = instance
    ok = run(data_dir, "check")
    assert ok.returncode == 0, ok.stdout
    os.chmod(data_dir, 0o755)
    try:
        bad = run(data_dir, "check", "--json")
        assert bad.returncode == 1
        failed = [c for c in json.loads(bad.stdout) if not c["ok"]]
        assert len(failed) == 1 and str(data_dir) in failed[0]["detail"]
    finally:
        os.chmod(data_dir, 0o700)


def test_check_names_an_unreachable_broker(instance):
    data_dir, _ = instance
    bad = run(data_dir, "check", env_extra={"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"})
    assert bad.returncode == 1 and "redis://127.0.0.1:1/0" in bad.stdout


def test_user_add_with_password_file_and_list(instance, tmp_path):
    data_dir, _ = instance
    pw = tmp_path / "pw"
    pw.write_text("Quarter-Moon7\n", encoding="utf-8")
    added = run(
        data_dir,
        "user",
        "add",
        "officer",
        "--role",
        "client_officer",
        "--password-file",
        str(pw),
        "--email",
        "officer@example.cn",
    )
    assert added.returncode == 0, added.stderr
    assert "Quarter-Moon7" not in added.stdout
    listed = json.loads(run(data_dir, "user", "list", "--json").stdout)
    assert {"username": "officer", "role": "client_officer"}.items() <= listed[-1].items() or any(
        u["username"] == "officer" for u in listed
    )


@pytest.mark.parametrize(
    "args",
    [
        ["user", "add", "x", "--role", "root"],
        ["user", "add", "bad name", "--role", "engineer"],
        ["user", "add", "weak", "--role", "engineer", "--password-file", "/nonexistent"],
        ["user", "add", "admin", "--role", "engineer"],
        ["serve", "--port", "70000"],
        ["serve", "--workers", "0"],
        ["init", "--admin-password-file", "/nonexistent"],
        ["report"],
        ["no-such-command"],
    ],
)
def test_bad_usage_is_exit_2_with_one_line(instance, args):
    data_dir, _ = instance
    result = run(data_dir, *args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr


def test_weak_password_file_is_refused_and_nothing_written(instance, tmp_path):
    data_dir, _ = instance
    pw = tmp_path / "weak"
    pw.write_text("password\n", encoding="utf-8")
    result = run(
        data_dir, "user", "add", "weakling", "--role", "engineer", "--password-file", str(pw)
    )
    assert result.returncode == 2
    listed = json.loads(run(data_dir, "user", "list", "--json").stdout)
    assert all(u["username"] != "weakling" for u in listed)


def test_serve_refuses_an_uninitialised_data_dir(tmp_path):
    result = run(tmp_path / "empty", "serve", "--port", "8999")
    assert result.returncode == 2 and "anbao init" in result.stderr


def test_help_in_chinese_and_english(instance):
    data_dir, _ = instance
    zh = run(data_dir, "--help")
    en = run(data_dir, "--help", env_extra={"ANBAO_LANGUAGE": "en"})
    assert zh.returncode == en.returncode == 0
    assert "审计" in zh.stdout and "audit trail" in en.stdout


def test_audit_verify_after_init(instance):
    data_dir, _ = instance
    result = run(data_dir, "audit", "verify", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["intact"] is True
