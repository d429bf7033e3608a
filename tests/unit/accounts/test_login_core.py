"""The signed challenge and the lockout policy, on worked times."""

import base64
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anbao.accounts import login_core as L

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def m(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_canonical_challenge_bytes():
    msg = L.canonical_challenge("https://anbao.example", "张三", "bm9uY2U=", "2026-11-24T09:01:00Z")
    assert (
        msg
        == (
            "anbao-login-v1\nserver=https://anbao.example\nuser=张三\n"
            "nonce=bm9uY2U=\ntime=2026-11-24T09:01:00Z"
        ).encode()
    )


def test_canonical_challenge_refuses_line_breaks():
    with pytest.raises(ValueError, match="user"):
        L.canonical_challenge("s", "a\nserver=evil", "n", "t")


def test_countdown_then_lock_for_30_minutes():
    policy = L.ACCOUNT_POLICY
    fails = [m(0), m(1), m(2), m(3)]
    assert L.lock_state(fails, policy, m(4)) == L.LockState(None, 1)
    fails.append(m(4))
    state = L.lock_state(fails, policy, m(4))
    assert state.locked and state.locked_until == m(34) and state.remaining == 0
    assert L.lock_state(fails, policy, m(33.9)).locked
    assert L.lock_state(fails, policy, m(34)) == L.LockState(None, 5)


def test_failures_spread_over_more_than_15_minutes_do_not_lock():
    fails = [m(0), m(4), m(8), m(12), m(16)]
    assert L.lock_state(fails, L.ACCOUNT_POLICY, m(16)) == L.LockState(None, 1)


def test_only_failures_after_the_last_success_or_unlock_count():
    fails = [m(0), m(1), m(2), m(3), m(4)]
    assert L.lock_state(fails, L.ACCOUNT_POLICY, m(5), since=m(4.5)) == L.LockState(None, 5)
    assert L.lock_state(fails, L.ACCOUNT_POLICY, m(5), since=m(2.5)).remaining == 3


def test_address_limit_is_twenty():
    fails = [m(i * 0.5) for i in range(19)]
    assert L.lock_state(fails, L.ADDRESS_POLICY, m(10)).remaining == 1
    assert L.lock_state([*fails, m(10)], L.ADDRESS_POLICY, m(10)).locked_until == m(40)


def test_combine():
    free, locked = L.LockState(None, 3), L.LockState(m(30), 0)
    assert L.combine(free, L.LockState(None, 7)) == L.LockState(None, 3)
    assert L.combine(free, locked) == locked
    assert L.combine(L.LockState(m(40), 0), locked).locked_until == m(40)


KEY = bytes(range(32))
SERIAL = bytes.fromhex("00112233445566778899aabbccddeeff") * 2


def test_a_challenge_opens_for_its_user_only():
    made = L.make_challenge(KEY, SERIAL, 1_800_000_000, "zhangsan")
    assert L.open_challenge(KEY, made.challenge_id, "zhangsan") == made
    assert L.open_challenge(KEY, made.challenge_id, "lisi") is None
    assert L.open_challenge(bytes(32), made.challenge_id, "zhangsan") is None
    assert base64.b64decode(made.nonce) == SERIAL
    assert len(made.challenge_id) <= L.MAX_ID_LENGTH  # the API field's limit


def test_the_id_differs_with_every_input():
    base = L.make_challenge(KEY, SERIAL, 1_800_000_000, "zhangsan")
    others = [
        L.make_challenge(KEY, bytes(32), 1_800_000_000, "zhangsan"),
        L.make_challenge(KEY, SERIAL, 1_800_000_001, "zhangsan"),
        L.make_challenge(KEY, SERIAL, 1_800_000_000, "zhangsa"),
        L.make_challenge(bytes(32), SERIAL, 1_800_000_000, "zhangsan"),
    ]
    assert len({base.challenge_id, *(o.challenge_id for o in others)}) == 5


@given(st.text(max_size=120))
def test_garbage_never_opens(text):
    assert L.open_challenge(KEY, text, "zhangsan") is None


@given(st.integers(0, 2**64 - 1), st.text(min_size=1, max_size=150))
def test_any_expiry_and_name_round_trip(expires, username):
    made = L.make_challenge(KEY, SERIAL, expires, username)
    assert L.open_challenge(KEY, made.challenge_id, username) == made


def test_tampering_with_any_byte_is_detected():
    made = L.make_challenge(KEY, SERIAL, 1_800_000_000, "zhangsan")
    raw = bytearray(base64.urlsafe_b64decode(made.challenge_id))
    for i in range(len(raw)):
        changed = raw.copy()
        changed[i] ^= 1
        forged = base64.urlsafe_b64encode(bytes(changed)).decode()
        assert L.open_challenge(KEY, forged, "zhangsan") is None
