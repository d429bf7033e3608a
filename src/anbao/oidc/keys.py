"""The RSA key that signs ID tokens (RS256): read from a file, created on first use.

Imported by ``anbao.settings``, so nothing here touches models or the app registry. The key lives in
``$ANBAO_DATA_DIR/oidc/rsa.pem`` (mode 0600) unless ``ANBAO_OIDC_KEY_FILE`` names another
file; it is created the first time an ID token is signed or the JWKS is served, not at
import, so ``anbao --help`` and ``anbao init`` on an empty data directory write nothing.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

KEY_FILE_ENV = "ANBAO_OIDC_KEY_FILE"
RSA_BITS = 3072


def key_path(data_dir: Path, environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    named = env.get(KEY_FILE_ENV)
    return Path(named) if named else Path(data_dir) / "oidc" / "rsa.pem"


def load_or_create(path: Path) -> str:
    """The PEM text of the private key at ``path``, generating it (0600) when absent."""
    if path.exists():
        return path.read_text(encoding="ascii")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written aside, then linked into place: a second worker starting at the same moment
    # either links first (and this one reads its key) or finds the complete file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text(encoding="ascii")
    finally:
        tmp.unlink()
    return pem.decode("ascii")


def lazy_private_key(data_dir: Path) -> object:
    """A str-like value for ``OIDC_RSA_PRIVATE_KEY`` that reads the key when first used."""
    from django.utils.functional import lazy

    @functools.cache
    def pem() -> str:
        return load_or_create(key_path(data_dir))

    return lazy(pem, str)()
