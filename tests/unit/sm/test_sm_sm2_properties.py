"""Property tests: SM2 round trips hold, and any change (ID, message, signature,
ciphertext) makes the result invalid."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbao.sm import (
    CiphertextFormat,
    DecryptionError,
    InvalidSignature,
    SM2PrivateKey,
    SMError,
)

KEY = SM2PrivateKey.generate()
OTHER = SM2PrivateKey.generate()
PUB = KEY.public_key()
IDS = st.binary(max_size=40) | st.text(max_size=20)
FORMATS = st.sampled_from(list(CiphertextFormat))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), IDS)
def test_sign_verify_round_trip(message, ident):
    sig = KEY.sign(message, distinguishing_id=ident)
    PUB.verify(sig, message, distinguishing_id=ident)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=100), IDS, IDS)
def test_wrong_id_is_invalid(message, ident, other):
    raw = lambda i: i.encode() if isinstance(i, str) else i  # noqa: E731
    if raw(ident) == raw(other):
        return
    sig = KEY.sign(message, distinguishing_id=ident)
    with pytest.raises(InvalidSignature):
        PUB.verify(sig, message, distinguishing_id=other)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=100), st.data())
def test_flipped_message_bit_is_invalid(message, data):
    sig = KEY.sign(message)
    bit = data.draw(st.integers(0, len(message) * 8 - 1))
    changed = bytearray(message)
    changed[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidSignature):
        PUB.verify(sig, bytes(changed), distinguishing_id=b"1234567812345678")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=50), st.integers(min_value=0))
def test_flipped_signature_bit_is_invalid(message, position):
    sig = KEY.sign(message)
    # The DER length varies with the random k, so the position is drawn first, then reduced.
    bit = position % (len(sig) * 8)
    changed = bytearray(sig)
    changed[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidSignature):
        PUB.verify(bytes(changed), message)


def test_other_key_is_invalid():
    with pytest.raises(InvalidSignature):
        OTHER.public_key().verify(KEY.sign(b"m"), b"m")


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=300), FORMATS)
def test_encrypt_decrypt_round_trip(plaintext, fmt):
    ct = PUB.encrypt(plaintext, fmt=fmt)
    assert KEY.decrypt(ct, fmt=fmt) == plaintext


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=60), FORMATS, st.integers(min_value=0))
def test_flipped_ciphertext_bit_is_refused(plaintext, fmt, position):
    ct = PUB.encrypt(plaintext, fmt=fmt)
    bit = position % (len(ct) * 8)
    changed = bytearray(ct)
    changed[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(DecryptionError):
        KEY.decrypt(bytes(changed), fmt=fmt)


def test_wrong_key_cannot_decrypt():
    with pytest.raises(DecryptionError):
        OTHER.decrypt(PUB.encrypt(b"for KEY only"))


def test_empty_plaintext_is_refused():
    with pytest.raises(SMError) as info:
        PUB.encrypt(b"")
    assert info.value.code == "empty_plaintext"


def test_signatures_are_randomized():
    assert KEY.sign(b"same") != KEY.sign(b"same")
