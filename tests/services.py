"""Reaching the real services the tests need (PostgreSQL, Redis, RabbitMQ, programs).

Under CI=true a missing service fails the test with a clear message; elsewhere it skips.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

SERVICES = {
    "postgresql": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
    "rabbitmq": ("127.0.0.1", 5672),
}


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require_service(name: str) -> tuple[str, int]:
    host, port = SERVICES[name]
    try:
        with socket.create_connection((host, port), timeout=2):
            pass
    except OSError as exc:
        unavailable(f"{name} is not reachable on {host}:{port} ({exc})")
    return host, port


def require_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"the program {name!r} is not installed (make test installs it)")
    return path  # type: ignore[return-value]
