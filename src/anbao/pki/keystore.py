"""The key-encryption key (KEK) that wraps every private key the CA holds.

The KEK is 16 random bytes in ``$ANBAO_DATA_DIR/ca/kek`` (mode 0600), outside the database:
a stolen database dump alone reveals no key. Back it up apart from the database; without it
the CA keys cannot be opened. A cryptographic module (GM/T 0018 密码机) can replace this file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from anbao.errors import ConfigurationError
from anbao.pki.core.envelope import unwrap, wrap
from anbao.sm import SM2PrivateKey, sm4

KEK_FILE = "kek"


def _path() -> Path:
    return Path(settings.DATA_DIR) / "ca" / KEK_FILE


def ensure_kek() -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(os.urandom(sm4.KEY_SIZE))


def _kek() -> bytes:
    try:
        data = _path().read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(
            _("the CA key-encryption key %(path)s is missing") % {"path": _path()}
        ) from None
    if len(data) != sm4.KEY_SIZE:
        raise ConfigurationError(
            _("the CA key-encryption key %(path)s is damaged") % {"path": _path()}
        )
    return data


def seal(data: bytes, context: str) -> bytes:
    """SM4-GCM under the KEK, bound to ``context`` (a blob moved elsewhere does not open)."""
    return wrap(_kek(), data, context.encode())


def unseal(blob: bytes, context: str) -> bytes:
    return unwrap(_kek(), bytes(blob), context.encode())


def wrap_key(key: SM2PrivateKey, context: str) -> bytes:
    return seal(key.to_pkcs8_der(), context)


def key_wrapper() -> Callable[[SM2PrivateKey, str], bytes]:
    """``wrap_key`` with the KEK read once, for the many keys of a batch."""
    kek = _kek()

    def wrap_one(key: SM2PrivateKey, context: str) -> bytes:
        return wrap(kek, key.to_pkcs8_der(), context.encode())

    return wrap_one


def unwrap_key(blob: bytes, context: str) -> SM2PrivateKey:
    from anbao.sm import load_private_key

    return load_private_key(unseal(blob, context))
