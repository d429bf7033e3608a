"""``record_many``: several events in one append, chained exactly as repeated ``record`` calls."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from anbao.audit import services
from anbao.audit.models import AuditHead, AuditRecord
from anbao.cli.main import main

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = [
    services.Event(
        "cert.issue",
        actor="admin",
        object_type="certificate",
        object_id=format(i, "X"),
        details={"holder": f"h{i}@example.cn", "说明": "批量", "dual": True, "n": i},
    )
    for i in range(1, 8)
] + [services.Event("cert.batch", actor="admin", outcome=services.FAILURE, source_ip="10.0.0.1")]


def chain_of(write, monkeypatch):
    """The rows and head that ``write`` leaves after two plain records, then taken back."""
    ticks = iter(f"2026-11-24T08:00:00.{n:06d}Z" for n in range(1000))
    monkeypatch.setattr(services, "_utc_now", lambda: next(ticks))
    with transaction.atomic():
        services.record("before", actor="alice", details={"i": 1})
        services.record("before", actor="alice", details={"i": 2})
        write()
        rows = [r.chained() for r in AuditRecord.objects.order_by("seq")]
        head = AuditHead.objects.values("last_seq", "last_hash").get(pk=1)
        transaction.set_rollback(True)
    return rows, head


def test_same_records_and_hashes_as_repeated_record(monkeypatch):
    def one_by_one():
        for e in EVENTS:
            services.record(
                e.action,
                actor=e.actor,
                object_type=e.object_type,
                object_id=e.object_id,
                outcome=e.outcome,
                details=e.details,
                source_ip=e.source_ip,
            )

    expected = chain_of(one_by_one, monkeypatch)
    assert len(expected[0]) == 2 + len(EVENTS)
    assert chain_of(lambda: services.record_many(EVENTS), monkeypatch) == expected


def test_chain_verifies_after_record_many(capsys):
    services.record("before", actor="alice")
    written = services.record_many(EVENTS)
    services.record("after", actor="alice")
    assert [r.seq for r in written] == list(range(2, 2 + len(EVENTS)))
    assert all(r.pk is not None for r in written)
    assert services.verify() == (len(EVENTS) + 2, None)
    assert main(["audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True
    stored = AuditRecord.objects.get(seq=3)
    assert stored.details == EVENTS[1].details and stored.object_id == "2"


def test_nothing_to_record():
    assert services.record_many([]) == []
    assert not AuditRecord.objects.exists()


def test_a_failed_transaction_leaves_no_record():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_many(EVENTS)
        raise RuntimeError("the batch failed")
    assert not AuditRecord.objects.exists()
    assert services.verify() == (0, None)
