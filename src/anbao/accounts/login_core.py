"""Certificate + password login: the signed challenge and the failed-login policy (pure).

See docs/cert-login.md. Time is a parameter everywhere; nothing here touches a database.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from anbao.sm import hmac_sm3

PROTOCOL = "anbao-login-v1"
CHALLENGE_LIFETIME = dt.timedelta(seconds=60)

AMR_PASSWORD = ("pwd",)
AMR_CERTIFICATE = ("pwd", "x509", "mfa")
ACR_PASSWORD = "urn:anbao:acr:pwd"
ACR_CERTIFICATE = "urn:anbao:acr:x509+pwd"


@dataclass(frozen=True)
class Challenge:
    """A login challenge as the server made it; nothing of it needs storing until it is used.

    ``challenge_id`` carries 256 random bits (the nonce the client signs), the expiry and a
    MAC under the server's key binding them to the user name: only the server can make one.
    """

    challenge_id: str
    serial: bytes  # the 32 random bytes
    expires: int  # Unix time, whole seconds

    @property
    def nonce(self) -> str:
        return base64.b64encode(self.serial).decode()


_SERIAL_BYTES = 32
MAX_ID_LENGTH = 128  # base64 of 32 + 8 + 16 bytes is 76 characters
_TAG_BYTES = 16
_EXPIRES = struct.Struct(">Q")


def make_challenge(key: bytes, serial: bytes, expires: int, username: str) -> Challenge:
    """The challenge for ``username`` made from ``serial`` (random) and ``expires``."""
    if len(serial) != _SERIAL_BYTES:
        raise ValueError("the challenge serial is 32 random bytes")
    head = serial + _EXPIRES.pack(expires)
    tag = hmac_sm3(key, b"anbao-login-challenge\0" + head + username.encode("utf-8"))
    token = base64.urlsafe_b64encode(head + tag[:_TAG_BYTES]).decode()
    return Challenge(token, serial, expires)


def open_challenge(key: bytes, challenge_id: str, username: str) -> Challenge | None:
    """The challenge behind ``challenge_id`` if this server made it for ``username``."""
    try:
        raw = base64.urlsafe_b64decode(challenge_id.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    if len(raw) != _SERIAL_BYTES + _EXPIRES.size + _TAG_BYTES:
        return None
    serial = raw[:_SERIAL_BYTES]
    (expires,) = _EXPIRES.unpack(raw[_SERIAL_BYTES : _SERIAL_BYTES + _EXPIRES.size])
    made = make_challenge(key, serial, expires, username)
    if not hmac.compare_digest(made.challenge_id.encode(), challenge_id.encode("ascii")):
        return None
    return made


def canonical_challenge(server: str, username: str, nonce_b64: str, expires_at: str) -> bytes:
    """The exact bytes a client signs: five lines, LF-separated, UTF-8."""
    for name, value in (
        ("server", server),
        ("user", username),
        ("nonce", nonce_b64),
        ("time", expires_at),
    ):
        if "\n" in value or "\r" in value:
            raise ValueError(f"{name} must be one line")
    lines = [
        PROTOCOL,
        f"server={server}",
        f"user={username}",
        f"nonce={nonce_b64}",
        f"time={expires_at}",
    ]
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class LockPolicy:
    """``limit`` failures within ``window`` lock for ``duration`` (MLPS 8.1.4.1 b)."""

    limit: int
    window: dt.timedelta
    duration: dt.timedelta


ACCOUNT_POLICY = LockPolicy(5, dt.timedelta(minutes=15), dt.timedelta(minutes=30))
ADDRESS_POLICY = LockPolicy(20, dt.timedelta(minutes=15), dt.timedelta(minutes=30))


@dataclass(frozen=True)
class LockState:
    locked_until: dt.datetime | None
    remaining: int  # failures still allowed before the lock; 0 when locked

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def lock_state(
    failures: Iterable[dt.datetime],
    policy: LockPolicy,
    now: dt.datetime,
    since: dt.datetime | None = None,
) -> LockState:
    """Whether ``failures`` (times) lock, and how many more are allowed.

    Only failures after ``since`` (the last success or unlock) count. A lock starts at the
    failure that completes ``limit`` failures within ``window`` and lasts ``duration``.
    """
    times: Sequence[dt.datetime] = sorted(t for t in failures if since is None or t > since)
    locked_until = None
    for i in range(len(times) - policy.limit + 1):
        first, last = times[i], times[i + policy.limit - 1]
        if last - first <= policy.window:
            until = last + policy.duration
            if until > now and (locked_until is None or until > locked_until):
                locked_until = until
    if locked_until is not None:
        return LockState(locked_until, 0)
    recent = [t for t in times if now - t <= policy.window]
    return LockState(None, max(policy.limit - len(recent), 0))


def combine(account: LockState, address: LockState) -> LockState:
    """The state a person sees: locked if either is; the account's countdown otherwise."""
    if account.locked or address.locked:
        until = max(t for t in (account.locked_until, address.locked_until) if t is not None)
        return LockState(until, 0)
    return LockState(None, min(account.remaining, address.remaining))
