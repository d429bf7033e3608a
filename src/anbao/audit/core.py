"""The audit hash chain (MLPS 8.1.4.3): pure functions, no Django, no I/O.

Each record's hash is SM3(previous hash ‖ canonical JSON of the record). Changing, deleting
or reordering any record breaks the chain at that record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from anbao.sm import sm3

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = (
    "seq",
    "timestamp",
    "actor",
    "source_ip",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "details",
)


def sm3_hex(data: bytes) -> str:
    # anbao.sm's one-shot: in C end to end where Python's OpenSSL has SM3 (a batch of 800
    # certificates chains 800 records).
    return sm3(data).hex()


def canonical_json(record: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON of the chained fields, keys sorted, no whitespace."""
    body = {name: record[name] for name in CHAINED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, record: Mapping[str, Any]) -> str:
    return sm3_hex(bytes.fromhex(prev_hash) + canonical_json(record))


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str  # "modified", "missing", "out_of_order"

    def describe(self) -> str:
        return f"record {self.seq}: {self.reason}"


def find_break(
    records: Iterable[Mapping[str, Any]],
    *,
    anchor_seq: int = 0,
    anchor_hash: str = GENESIS_HASH,
) -> tuple[int, ChainBreak | None]:
    """Walk records in ``seq`` order; return (records checked, first break or None).

    ``anchor_seq``/``anchor_hash`` describe the last record removed by retention, so a
    chain whose oldest part was purged still verifies.
    """
    expected_seq = anchor_seq + 1
    prev_hash = anchor_hash
    prev_time = ""
    checked = 0
    for record in records:
        seq = int(record["seq"])
        if seq > expected_seq:
            return checked, ChainBreak(expected_seq, "missing")
        if seq < expected_seq or record["prev_hash"] != prev_hash:
            return checked, ChainBreak(seq, "out_of_order")
        if record["timestamp"] < prev_time:
            return checked, ChainBreak(seq, "out_of_order")
        if chain_hash(prev_hash, record) != record["hash"]:
            return checked, ChainBreak(seq, "modified")
        checked += 1
        prev_hash = record["hash"]
        prev_time = record["timestamp"]
        expected_seq = seq + 1
    return checked, None
