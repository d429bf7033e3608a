"""Helpers for the jobs tests that run real processes: the ``anbao`` CLI, Celery workers.

Each such test gets a fresh database shared by all its processes: a file SQLite database in a
throwaway data dir, or, in the PostgreSQL pass (``ANBAO_TEST_DATABASE=postgres``), a dedicated
database on the server at 127.0.0.1:5432 that is dropped afterwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services import require_service

ROOT = Path(__file__).resolve().parents[3]
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
USE_POSTGRES = os.environ.get("ANBAO_TEST_DATABASE") == "postgres"


class Instance:
    """One anbao installation (data dir + database) that subprocesses share."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "ANBAO_CELERY_QUEUE"}
        }
        env.update(
            ANBAO_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="anbao.settings",
            ANBAO_CLI_LANGUAGE="en",
            PYTHONUNBUFFERED="1",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def anbao(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "anbao.cli", *args],
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )

    def spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "anbao.cli", *args],
            env=env or self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def python(
        self, code: str, *, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        prelude = "import django; django.setup()\n"
        return subprocess.run(
            [sys.executable, "-c", prelude + code],
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )

    def jobs(self) -> list[dict[str, Any]]:
        """Every job row, read straight from the database (not through anbao)."""
        query = (
            "SELECT id, state, progress, message, backend, started_at, kind, schedule FROM jobs_job"
        )
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                rows = conn.execute(query).fetchall()
        else:
            conn = sqlite3.connect(self.data_dir / "anbao.sqlite3", timeout=30)
            try:
                rows = conn.execute(query).fetchall()
            finally:
                conn.close()
        keys = ("id", "state", "progress", "message", "backend", "started_at", "kind", "schedule")
        return [dict(zip(keys, (str(uuid.UUID(str(r[0]))), *r[1:]), strict=True)) for r in rows]


@contextmanager
def fresh_instance(tmp_dir: Path) -> Iterator[Instance]:
    """A migrated database and data dir; PostgreSQL in the PostgreSQL pass."""
    data_dir = tmp_dir / "data"
    data_dir.mkdir(mode=0o700)
    name = ""
    if USE_POSTGRES:
        import psycopg

        require_service("postgresql")
        name = f"anbao_jobs_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    instance = Instance(data_dir, f"postgres://postgres@127.0.0.1:5432/{name}" if name else "")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
            env=instance.env(),
            capture_output=True,
            text=True,
            timeout=240,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        yield instance
    finally:
        if name:
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def parse_json(text: str) -> Any:
    return json.loads(text)
