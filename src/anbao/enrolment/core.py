"""Invitation codes and their rules: pure functions, no Django, no I/O."""

from __future__ import annotations

import base64
import datetime as dt
import enum
import re
import secrets
from collections.abc import Callable
from typing import Final

from anbao.sm import sm3

CODE_BYTES: Final = 16  # 128 bits; the brief's floor is 80
CODE_RE: Final = re.compile(r"^[A-Z2-7]{26}$")
DEFAULT_HOURS: Final = 72
MAX_HOURS: Final = 30 * 24

RandomBytes = Callable[[int], bytes]


class State(enum.StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def new_code(random_bytes: RandomBytes = secrets.token_bytes) -> str:
    """A one-time code: 128 random bits in RFC 4648 base32 (no padding), 26 characters."""
    return base64.b32encode(random_bytes(CODE_BYTES)).decode("ascii").rstrip("=")


def normalise(code: str) -> str:
    """Codes are read aloud and typed: ignore case, spaces and dashes."""
    return re.sub(r"[\s-]", "", code).upper()


def is_well_formed(code: str) -> bool:
    return bool(CODE_RE.match(code))


def code_hash(code: str) -> str:
    """What is stored: SM3 of the code. 128 random bits need no salt or stretching."""
    return sm3(code.encode("ascii")).hex()


def state(
    expires_at: dt.datetime,
    used_at: dt.datetime | None,
    now: dt.datetime,
    withdrawn_at: dt.datetime | None = None,
) -> State:
    if used_at is not None:
        return State.USED
    if withdrawn_at is not None:
        return State.WITHDRAWN
    if now >= expires_at:
        return State.EXPIRED
    return State.OPEN


def check_hours(hours: int) -> None:
    if not 1 <= hours <= MAX_HOURS:
        raise ValueError(f"hours must be between 1 and {MAX_HOURS}")
