"""One-time downloads of secrets: a generated key file, the ZIP of a batch.

The file is kept in the data dir (any web process or worker may hand it out), sealed with
SM4-GCM under the CA key-encryption key, bound to the one account allowed to fetch it, and
deleted by the first download or once its lifetime is over. Taking it renames the file
first: of two concurrent requests only one can win the rename, so it is given out once.
The PIN of a generated key is never stored here or anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import DENIED, FAILURE, record
from anbao.pki import keystore

KEY_LIFETIME = dt.timedelta(minutes=10)
BATCH_LIFETIME = dt.timedelta(hours=24)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Pickup:
    token: str
    filename: str
    content_type: str
    object_type: str  # "certificate" or "batch", for the audit trail
    object_id: str
    data: bytes


def _dir() -> Path:
    path = Path(settings.DATA_DIR) / "pki" / "pickups"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _path(token: str) -> Path:
    if not TOKEN_RE.match(token):
        raise _gone()
    return _dir() / token


def _gone() -> errors.NotFound:
    return errors.NotFound(
        _("this download was already taken or has expired"), code="download_gone"
    )


def offer(
    data: bytes,
    *,
    user: object,
    filename: str,
    content_type: str,
    object_type: str,
    object_id: str,
    lifetime: dt.timedelta = KEY_LIFETIME,
    token: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Keep ``data`` sealed for one download by ``user``; return the download token."""
    now = now or timezone.now()
    purge(now=now)
    token = token or secrets.token_urlsafe(24)
    header = {
        "user": getattr(user, "pk", None),
        "filename": filename,
        "content_type": content_type,
        "object_type": object_type,
        "object_id": object_id,
        "expires": (now + lifetime).timestamp(),
    }
    sealed = keystore.seal(data, f"pickup:{token}")
    path = _path(token)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(json.dumps(header).encode() + b"\n" + sealed)
    return token


def _read(path: Path) -> tuple[dict[str, object], bytes]:
    raw = path.read_bytes()
    head, _sep, sealed = raw.partition(b"\n")
    return json.loads(head), sealed


def peek(token: str, *, now: dt.datetime | None = None) -> dict[str, object] | None:
    """The header of a pickup still waiting, or None."""
    try:
        header, _sealed = _read(_path(token))
    except (FileNotFoundError, errors.NotFound, ValueError):
        return None
    if float(header["expires"]) <= (now or timezone.now()).timestamp():  # type: ignore[arg-type]
        return None
    return header


def take(
    token: str, *, user: object, request: object = None, now: dt.datetime | None = None
) -> Pickup:
    """Hand out the pickup once, to its owner; audited whether given or refused."""
    now = now or timezone.now()
    purge(now=now)
    header = peek(token, now=now)
    if header is None:
        record(
            "pickup.take",
            actor=user,
            request=request,
            object_type="pickup",
            object_id=token[:64],
            outcome=FAILURE,
            details={"reason": "gone"},
        )
        raise _gone()
    what: dict[str, Any] = {
        "object_type": str(header["object_type"]),
        "object_id": str(header["object_id"]),
    }
    if header["user"] != getattr(user, "pk", None):
        record("pickup.take", actor=user, request=request, outcome=DENIED, **what)
        raise errors.PermissionDenied(_("only the administrator who asked for it may download it"))
    path = _path(token)
    claimed = path.with_name(f"{token}.taken.{secrets.token_hex(8)}")
    try:
        os.rename(path, claimed)  # atomic: a concurrent second request finds nothing
    except FileNotFoundError:
        raise _gone() from None
    try:
        header, sealed = _read(claimed)
        data = keystore.unseal(sealed, f"pickup:{token}")
    except Exception as exc:  # noqa: BLE001 - damaged file or changed KEK: refuse, keep nothing
        record(
            "pickup.take",
            actor=user,
            request=request,
            outcome=FAILURE,
            details={"reason": type(exc).__name__},
            **what,
        )
        raise errors.IntegrityError(_("the download could not be opened")) from None
    finally:
        claimed.unlink(missing_ok=True)
    record("pickup.take", actor=user, request=request, details={"file": header["filename"]}, **what)
    return Pickup(
        token,
        str(header["filename"]),
        str(header["content_type"]),
        what["object_type"],
        what["object_id"],
        data,
    )


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete pickups past their lifetime (and leftovers of interrupted takes)."""
    stamp = (now or timezone.now()).timestamp()
    removed = 0
    for path in _dir().iterdir():
        try:
            if ".taken." in path.name:  # a take that stopped half-way; give it a minute
                expired = path.stat().st_ctime < stamp - 60
            else:
                expired = float(_read(path)[0]["expires"]) <= stamp  # type: ignore[arg-type]
        except FileNotFoundError:
            continue
        except (OSError, ValueError, KeyError):
            expired = True
        if expired:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
