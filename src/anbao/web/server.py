"""Run anbao under gunicorn, the production WSGI server, from ``anbao serve``."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

# gunicorn makes its heartbeat files there with mkstemp and unlinks them at once.
SHM = "/dev/shm"  # noqa: S108


class AnbaoServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from anbao.wsgi import application

        return application


def _when_ready(server: Any) -> None:
    """In the master process: start the in-process scheduler unless Celery beat does it."""
    from django.conf import settings
    from django.db import connections

    if settings.ANBAO_JOB_BACKEND == "inprocess":
        from anbao.jobs.scheduler import start_scheduler

        start_scheduler()
    connections.close_all()


def _pre_fork(server: Any, worker: Any) -> None:
    # A database connection must never be shared between the master and a worker.
    from django.db import connections

    connections.close_all()


def serve(
    host: str, port: int, workers: int, threads: int = 4, access_log: str | None = None
) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    AnbaoServer(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 120,
            "graceful_timeout": 20,
            "accesslog": access_log,
            "errorlog": "-",
            "loglevel": "info",
            "when_ready": _when_ready,
            "pre_fork": _pre_fork,
            "proc_name": "anbao",
            "limit_request_line": 8190,
            # Workers touch a heartbeat file on every loop; in memory it never waits on a
            # disk (gunicorn's own advice for Docker and VMs).
            "worker_tmp_dir": SHM if os.path.isdir(SHM) else None,
        }
    ).run()
