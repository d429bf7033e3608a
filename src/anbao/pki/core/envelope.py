"""Protecting private keys: SM4-GCM key wrapping at rest, and the GM/T 0009 enveloped key.

``wrap``/``unwrap`` keep CA keys and escrowed encryption keys in the database under a
key-encryption key (KEK) that never enters the database. ``SM2EnvelopedKey`` (GM/T 0009-2012
§7.4) delivers a CA-generated encryption key pair to the holder, readable only with the
holder's signing private key.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from asn1crypto import algos, core

from anbao.errors import ValidationError
from anbao.pki.core import der
from anbao.sm import SM2PrivateKey, SM2PublicKey, sm4
from anbao.sm.errors import DecryptionError

WRAP_VERSION = b"\x01"
NONCE_SIZE = 12
SM4_ECB_OID = "1.2.156.10197.1.104.1"
RandomBytes = Callable[[int], bytes]


def wrap(
    kek: bytes, plaintext: bytes, context: bytes, random_bytes: RandomBytes = os.urandom
) -> bytes:
    """version ‖ nonce ‖ SM4-GCM(kek, plaintext, aad=context)."""
    nonce = random_bytes(NONCE_SIZE)
    return WRAP_VERSION + nonce + sm4.gcm_encrypt(kek, nonce, plaintext, context)


def unwrap(kek: bytes, blob: bytes, context: bytes) -> bytes:
    if len(blob) < 1 + NONCE_SIZE + sm4.TAG_SIZE or blob[:1] != WRAP_VERSION:
        raise DecryptionError("the wrapped key is damaged or of an unknown version")
    nonce, body = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
    return sm4.gcm_decrypt(kek, nonce, body, context)


class SM2Cipher(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("x", core.Integer),
        ("y", core.Integer),
        ("hash", core.OctetString),
        ("cipher_text", core.OctetString),
    ]


class SM2EnvelopedKey(core.Sequence):  # type: ignore[misc]
    """GM/T 0009-2012 §7.4 SM2EnvelopedKey."""

    _fields = [
        ("sym_alg_id", algos.EncryptionAlgorithm),
        ("sym_encrypted_key", SM2Cipher),
        ("sm2_public_key", core.OctetBitString),
        ("sm2_encrypted_private_key", core.OctetBitString),
    ]


_SM4_ECB_ALGORITHM = bytes(algos.EncryptionAlgorithm({"algorithm": SM4_ECB_OID}).dump())


def enveloped_key_der(sealed_key: bytes, public_point: bytes, sealed_private: bytes) -> bytes:
    """SM2EnvelopedKey DER around ``sealed_key``, the DER SM2Cipher that Tongsuo returns.

    Emitted directly: building the value in asn1crypto costs a third of the SM2 encryption.
    The bytes are those of ``SM2EnvelopedKey({...}).dump()`` (tests/unit/pki/test_der.py).
    """
    return der.sequence(
        _SM4_ECB_ALGORITHM,
        bytes(sealed_key),
        der.bit_string(public_point),
        der.bit_string(sealed_private),
    )


def envelop(
    encryption_key: SM2PrivateKey, recipient: SM2PublicKey, random_bytes: RandomBytes = os.urandom
) -> bytes:
    """Seal ``encryption_key`` for ``recipient`` (the holder's signing public key)."""
    sym_key = random_bytes(sm4.KEY_SIZE)
    d = encryption_key.private_value.to_bytes(32, "big")
    sealed_private = sm4.ecb_encrypt(sym_key, d, padding=False)
    point = encryption_key.public_key().to_point()
    return enveloped_key_der(recipient.encrypt(sym_key), point, sealed_private)


def open_envelope(data: bytes, recipient: SM2PrivateKey) -> SM2PrivateKey:
    """Recover the encryption key pair; checks that it matches the enclosed public key."""
    try:
        value = SM2EnvelopedKey.load(data, strict=True)
        algorithm = value["sym_alg_id"]["algorithm"].dotted
        cipher = value["sym_encrypted_key"].dump()
        sealed = bytes(value["sm2_encrypted_private_key"].native)
        point = bytes(value["sm2_public_key"].native)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"not an SM2EnvelopedKey: {exc}", code="invalid_envelope") from None
    if algorithm != SM4_ECB_OID:
        raise ValidationError(f"unsupported envelope cipher {algorithm}", code="invalid_envelope")
    sym_key = recipient.decrypt(cipher)
    d = int.from_bytes(sm4.ecb_decrypt(sym_key, sealed, padding=False), "big")
    key = SM2PrivateKey.from_private_value(d)
    if key.public_key().to_point() != point:
        raise ValidationError(
            "the enveloped key does not match its public key", code="invalid_envelope"
        )
    return key
