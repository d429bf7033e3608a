"""Writing, verifying and exporting the audit trail."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Subquery
from django.db.models.functions import Coalesce

from anbao.audit import core
from anbao.audit.models import AuditHead, AuditRecord

SUCCESS = "success"
FAILURE = "failure"
DENIED = "denied"


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def client_address(request: Any) -> str:
    """The peer address of a request; a trusted proxy's header is not consulted."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _actor_name(actor: Any) -> str:
    if actor is None:
        return ""
    if isinstance(actor, str):
        return actor[:150]
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())[:150]
    return ""


@dataclass(frozen=True)
class Event:
    """One event for :func:`record_many`; the fields mean what :func:`record`'s arguments do."""

    action: str
    actor: Any = None
    request: Any = None
    object_type: str = ""
    object_id: object = ""
    outcome: str = SUCCESS
    details: dict[str, Any] | None = None
    source_ip: str | None = None


def _fields(event: Event, seq: int) -> dict[str, Any]:
    actor = event.actor
    if actor is None and event.request is not None:
        actor = getattr(event.request, "user", None)
    fields = {
        "seq": seq,
        "timestamp": _utc_now(),
        "actor": _actor_name(actor),
        "source_ip": (
            event.source_ip if event.source_ip is not None else client_address(event.request)
        ),
        "action": event.action[:64],
        "object_type": event.object_type[:64],
        "object_id": str(event.object_id)[:255],
        "outcome": event.outcome,
        "details": event.details or {},
    }
    # Round-trip through JSON so the stored details hash the same way when read back.
    fields["details"] = json.loads(core.canonical_json(fields))["details"]
    return fields


def _lock_head() -> tuple[AuditHead, int]:
    """Lock the head; return it and the sequence number the next record takes."""
    head = AuditHead.objects.select_for_update().get_or_create(pk=1)[0]
    # Rows slipped in below the application must not stop the logging: append after
    # the highest sequence number present; verification reports the tampering.
    highest = AuditRecord.objects.aggregate(m=Max("seq"))["m"] or 0
    return head, max(head.last_seq, highest) + 1


def record(
    action: str,
    *,
    actor: Any = None,
    request: Any = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = SUCCESS,
    details: dict[str, Any] | None = None,
    source_ip: str | None = None,
) -> AuditRecord:
    """Append one event to the chain. ``actor`` is a user, a name, or taken from ``request``."""
    event = Event(action, actor, request, object_type, object_id, outcome, details, source_ip)
    with transaction.atomic():
        head, seq = _lock_head()
        fields = _fields(event, seq)
        digest = core.chain_hash(head.last_hash, fields)
        entry = AuditRecord.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
        AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=digest)
    return entry


def record_many(events: Iterable[Event]) -> list[AuditRecord]:
    """Append several events in order, as many calls of :func:`record` would, at once.

    The head is locked and the table's highest sequence number read once, and the records
    go in with one bulk insert: a batch of 800 certificates keeps one record each without
    800 round trips. The records and their hashes are those sequential calls would write.
    """
    events = list(events)
    if not events:
        return []
    with transaction.atomic():
        head, seq = _lock_head()
        entries, prev_hash = [], head.last_hash
        for offset, event in enumerate(events):
            fields = _fields(event, seq + offset)
            digest = core.chain_hash(prev_hash, fields)
            entries.append(AuditRecord(prev_hash=prev_hash, hash=digest, **fields))
            prev_hash = digest
        AuditRecord.objects.bulk_create(entries)
        AuditHead.objects.filter(pk=1).update(last_seq=entries[-1].seq, last_hash=prev_hash)
    return entries


def _ordered_records(through_seq: int) -> Iterator[dict[str, Any]]:
    rows = AuditRecord.objects.filter(seq__lte=through_seq).order_by("seq")
    for row in rows.iterator(chunk_size=2000):
        yield row.chained()


def verify() -> tuple[int, core.ChainBreak | None]:
    """Check the whole chain; return (records checked, first break or None).

    Records are walked up to the head as read first, so appends made while the check runs
    are not mistaken for a break. An append moves the head in the same transaction, so a row
    beyond the head as read afterwards was written below the application.
    """
    head = AuditHead.objects.filter(pk=1).first()
    anchor_seq = head.anchor_seq if head else 0
    anchor_hash = head.anchor_hash if head else core.GENESIS_HASH
    last_seq = head.last_seq if head else 0
    checked, broken = core.find_break(
        _ordered_records(last_seq), anchor_seq=anchor_seq, anchor_hash=anchor_hash
    )
    if broken is None and last_seq != anchor_seq + checked:
        # The newest records were removed: the head remembers more than the table holds.
        broken = core.ChainBreak(anchor_seq + checked + 1, "missing")
    if broken is None:
        # One statement, so the head and the rows beyond it are read in one snapshot.
        head_now = AuditHead.objects.filter(pk=1).values("last_seq")[:1]
        stray = (
            AuditRecord.objects.filter(seq__gt=Coalesce(Subquery(head_now), 0))
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        if stray is not None:
            broken = core.ChainBreak(stray, "out_of_order")
    return checked, broken


def search(
    *,
    actor: str = "",
    action: str = "",
    outcome: str = "",
    since: str = "",
    until: str = "",
    text: str = "",
) -> Any:
    qs = AuditRecord.objects.all()
    if actor:
        qs = qs.filter(actor=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(timestamp__gte=since)
    if until:
        qs = qs.filter(timestamp__lt=until)
    if text:
        qs = qs.filter(object_id__icontains=text)
    return qs.order_by("-seq")


# Every stored field of a record: the chained ones, then the links of the chain.
CSV_COLUMNS = [*core.CHAINED_FIELDS, "prev_hash", "hash"]


def export_csv(records: Any) -> str:
    """CSV of records, details as JSON; cells that a spreadsheet would run are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for rec in records:
        row = rec.chained()
        row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow([_safe_cell(str(row[c])) for c in CSV_COLUMNS])
    return out.getvalue()


def _safe_cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def purge_expired(now: datetime | None = None) -> int:
    """Delete records older than the retention period (never under 180 days), keeping an anchor."""
    days = max(settings.ANBAO_AUDIT_RETENTION_DAYS, 180)
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat().replace("+00:00", "Z")
    with transaction.atomic():
        AuditHead.objects.select_for_update().get_or_create(pk=1)
        last = AuditRecord.objects.filter(timestamp__lt=cutoff).order_by("-seq").first()
        if last is None:
            return 0
        with connection.cursor() as cur:
            cur.execute(
                f"DELETE FROM {AuditRecord._meta.db_table} WHERE seq <= %s",  # noqa: S608
                [last.seq],
            )
            count = cur.rowcount
        AuditHead.objects.filter(pk=1).update(anchor_seq=last.seq, anchor_hash=last.hash)
    record("audit.purge", actor="system", details={"removed": count, "through_seq": last.seq})
    return count
