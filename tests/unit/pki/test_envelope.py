"""Key wrapping at rest (SM4-GCM) and the GM/T 0009 SM2EnvelopedKey."""

from __future__ import annotations

import os

import pytest

from anbao.errors import ValidationError
from anbao.pki.core.envelope import SM2EnvelopedKey, envelop, open_envelope, unwrap, wrap
from anbao.sm import SM2PrivateKey
from anbao.sm.errors import DecryptionError, SMError

KEK = bytes(range(16))


def test_wrap_round_trip_and_context_binding():
    blob = wrap(KEK, b"pkcs8 bytes", b"ca:root")
    assert unwrap(KEK, blob, b"ca:root") == b"pkcs8 bytes"
    with pytest.raises(DecryptionError):
        unwrap(KEK, blob, b"ca:issuing")  # a blob moved to another record does not open
    with pytest.raises(DecryptionError):
        unwrap(os.urandom(16), blob, b"ca:root")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        unwrap(KEK, tampered, b"ca:root")
    with pytest.raises(DecryptionError):
        unwrap(KEK, b"\x02" + blob[1:], b"ca:root")


def test_each_wrap_uses_a_fresh_nonce():
    assert wrap(KEK, b"x", b"c") != wrap(KEK, b"x", b"c")


def test_envelope_opens_only_with_the_recipient_key():
    enc, sign = SM2PrivateKey.generate(), SM2PrivateKey.generate()
    blob = envelop(enc, sign.public_key())
    parsed = SM2EnvelopedKey.load(blob)
    assert parsed["sym_alg_id"]["algorithm"].dotted == "1.2.156.10197.1.104.1"
    assert bytes(parsed["sm2_public_key"].native) == enc.public_key().to_point()
    assert open_envelope(blob, sign).private_value == enc.private_value
    with pytest.raises(SMError):
        open_envelope(blob, SM2PrivateKey.generate())


def test_garbage_envelope_is_refused():
    with pytest.raises(ValidationError):
        open_envelope(b"\x30\x02\x05\x00", SM2PrivateKey.generate())
