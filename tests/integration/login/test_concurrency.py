"""50 wrong attempts at once: no more than the allowed 5 are ever evaluated.

Meaningful on PostgreSQL (the `ANBAO_TEST_DATABASE=postgres` pass of `make test`), where the
live server's threads use separate connections; each attempt holds its account's gate row.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from axes.models import AccessFailureLog

# The in-memory SQLite of the first pass cannot take concurrent writers (table locks); a
# file SQLite in production serialises them with BEGIN IMMEDIATE. This runs in the
# PostgreSQL pass only (`make test` deselects the marker in the SQLite pass).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def attempt(url: str, results: list[int], barrier: threading.Barrier) -> None:
    body = json.dumps({"username": "target", "password": "Wrong-Pass-1"}).encode()
    request = urllib.request.Request(
        url + "/api/auth/login",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    barrier.wait()
    for _ in range(20):  # the test server's listen queue is short: reconnect when refused
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310
                results.append(resp.status)
            return
        except urllib.error.HTTPError as exc:
            results.append(exc.code)
            return
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.05)


def test_fifty_concurrent_wrong_passwords(live_server, make_user):
    make_user("target", "engineer")
    results: list[int] = []
    barrier = threading.Barrier(50)
    threads = [
        threading.Thread(target=attempt, args=(live_server.url, results, barrier))
        for _ in range(50)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50
    evaluated = AccessFailureLog.objects.filter(username="target").count()
    assert evaluated == 5, f"{evaluated} attempts were evaluated, 5 are allowed"
    # The five evaluated attempts answer 401 or, once the fifth failure is in, 423; every
    # other attempt is refused with 423 without being looked at.
    assert set(results) <= {401, 423} and results.count(423) >= 45
