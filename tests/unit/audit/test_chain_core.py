"""The SM3 hash chain, checked on hand-built records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anbao.audit import core

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "vectors" / "sm3_audit.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("vector", VECTORS["sm3"], ids=lambda v: v["id"])
def test_sm3_matches_gbt_32905_examples(vector):
    assert core.sm3_hex(bytes.fromhex(vector["message_hex"])) == vector["digest"]


def build_chain(n: int) -> list[dict]:
    records, prev = [], core.GENESIS_HASH
    for i in range(1, n + 1):
        rec = {
            "seq": i,
            "timestamp": f"2026-01-01T00:00:{i:02d}.000000Z",
            "actor": "alice",
            "source_ip": "127.0.0.1",
            "action": "auth.login",
            "object_type": "user",
            "object_id": "alice",
            "outcome": "success",
            "details": {"n": i, "名": "张三"},
        }
        rec["prev_hash"] = prev
        rec["hash"] = prev = core.chain_hash(prev, rec)
        records.append(rec)
    return records


def test_canonical_json_is_sorted_compact_utf8():
    rec = build_chain(1)[0]
    text = core.canonical_json(rec).decode()
    assert text.startswith('{"action":"auth.login","actor":"alice","details":{"n":1,"名":"张三"}')
    assert " " not in text and "prev_hash" not in text and '"hash"' not in text


def test_hash_is_sm3_of_previous_hash_and_canonical_json():
    rec = build_chain(1)[0]
    expected = core.sm3_hex(bytes(32) + core.canonical_json(rec))
    assert rec["hash"] == expected


def test_intact_chain():
    assert core.find_break(build_chain(5)) == (5, None)


def test_modified_record_is_named():
    chain = build_chain(5)
    chain[2]["outcome"] = "failure"
    assert core.find_break(chain) == (2, core.ChainBreak(3, "modified"))


def test_deleted_record_is_named():
    chain = build_chain(5)
    del chain[1]
    checked, broken = core.find_break(chain)
    assert (checked, broken) == (1, core.ChainBreak(2, "missing"))


def test_record_inserted_out_of_order_is_named():
    chain = build_chain(5)
    chain[2], chain[3] = chain[3], chain[2]
    checked, broken = core.find_break(chain)
    assert checked == 2 and broken is not None and broken.reason in {"missing", "out_of_order"}


def test_forged_record_with_recomputed_hash_but_old_time_is_out_of_order():
    chain = build_chain(3)
    forged = dict(chain[2], timestamp="2025-01-01T00:00:00.000000Z")
    forged["hash"] = core.chain_hash(forged["prev_hash"], forged)
    assert core.find_break([*chain[:2], forged])[1] == core.ChainBreak(3, "out_of_order")


def test_anchor_lets_a_purged_chain_verify():
    chain = build_chain(6)
    anchor = chain[2]
    assert core.find_break(chain[3:], anchor_seq=3, anchor_hash=anchor["hash"]) == (3, None)
    assert core.find_break(chain[3:])[1] == core.ChainBreak(1, "missing")
