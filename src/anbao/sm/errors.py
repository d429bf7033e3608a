"""Errors of the national-cryptography core.

Every error carries a stable ``code`` so adapters (CLI, API) can show a translated message;
the English ``message`` is for logs and for people reading a traceback-free report.

    anbao.errors.ValidationError
    └── SMError              anything anbao.sm refuses           "sm_error", "empty_plaintext"
        ├── InvalidSignature the signature does not match        "invalid_signature"
        ├── InvalidEncoding  not the PEM/DER structure expected  "invalid_encoding"
        ├── InvalidKey       not an sm2p256v1 key, inconsistent  "invalid_key"
        │   └── BadPassphrase  wrong, missing or unexpected      "bad_passphrase",
        │                      passphrase                        "passphrase_required",
        │                                                        "passphrase_unexpected"
        └── DecryptionError  ciphertext malformed or altered     "decryption_failed"

Programming errors (a 15-byte SM4 key, a str where bytes are needed) raise ``ValueError`` or
``TypeError`` as in pyca/cryptography: they are bugs, not input to report.
"""

from __future__ import annotations

from anbao.errors import ValidationError

__all__ = [
    "BadPassphrase",
    "DecryptionError",
    "InvalidEncoding",
    "InvalidKey",
    "InvalidSignature",
    "SMError",
]


class SMError(ValidationError):
    """Base of every refusal of ``anbao.sm``."""

    code = "sm_error"


class InvalidSignature(SMError):
    """The signature is not valid for this message, key and distinguishing ID."""

    code = "invalid_signature"


class InvalidEncoding(SMError):
    """The bytes are not the expected PEM or DER structure."""

    code = "invalid_encoding"


class InvalidKey(SMError):
    """Not a usable SM2 key: wrong algorithm or curve, point off the curve, d out of range."""

    code = "invalid_key"


class BadPassphrase(InvalidKey):
    """An encrypted key without passphrase, a plain key with one, or a wrong passphrase."""

    code = "bad_passphrase"


class DecryptionError(SMError):
    """The ciphertext is malformed or fails its integrity check (SM2 C3, SM4-GCM tag)."""

    code = "decryption_failed"
