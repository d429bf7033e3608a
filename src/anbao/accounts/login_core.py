"""Certificate + password login: the signed challenge and the failed-login policy (pure).

See docs/cert-login.md. Time is a parameter everywhere; nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PROTOCOL = "anbao-login-v1"
CHALLENGE_LIFETIME = dt.timedelta(seconds=60)

AMR_PASSWORD = ("pwd",)
AMR_CERTIFICATE = ("pwd", "x509", "mfa")
ACR_PASSWORD = "urn:anbao:acr:pwd"
ACR_CERTIFICATE = "urn:anbao:acr:x509+pwd"


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
