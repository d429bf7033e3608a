"""Fuzzing the parsers: any input either parses or raises one of anbao.sm's errors.

Random bytes rarely reach deep, so mutations of valid encodings (flipped bytes, truncation,
insertions) are fuzzed as well, raw and inside PEM armor.
"""

from __future__ import annotations

from asn1crypto import pem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anbao.sm import (
    CiphertextFormat,
    SM2PrivateKey,
    SMError,
    load_certificate_public_key,
    load_private_key,
    load_public_key,
    load_signature,
    private_key_to_der,
    public_key_to_der,
)

KEY = SM2PrivateKey.generate()
SEEDS = {
    "public": public_key_to_der(KEY.public_key()),
    "private": private_key_to_der(KEY),
    "encrypted": private_key_to_der(KEY, b"pw", iterations=1),
    "signature": KEY.sign(b"seed"),
    "ciphertext": KEY.public_key().encrypt(b"seed"),
}
LABELS = ["PUBLIC KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY", "CERTIFICATE"]


def _mutate(seed: bytes, data: st.DataObject) -> bytes:
    blob = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        pos = data.draw(st.integers(0, max(len(blob) - 1, 0)))
        if action == "flip" and blob:
            blob[pos] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del blob[pos:]
        elif action == "insert":
            blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
        elif blob:
            del blob[pos]
    return bytes(blob)


def _every_parser(blob: bytes) -> None:
    parsers = [
        load_public_key,
        load_certificate_public_key,
        load_signature,
        lambda b: load_private_key(b),
        lambda b: load_private_key(b, b"pw"),
        lambda b: KEY.public_key().verify(b, b"seed"),
        *[lambda b, f=f: KEY.decrypt(b, fmt=f) for f in CiphertextFormat],
    ]
    for parse in parsers:
        try:
            parse(blob)
        except SMError:
            pass


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(blob):
    _every_parser(blob)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_mutated_encodings(kind, data):
    _every_parser(_mutate(SEEDS[kind], data))


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.sampled_from(LABELS), st.data())
def test_mutated_pem(kind, label, data):
    armored = pem.armor(label, SEEDS[kind])
    _every_parser(_mutate(armored, data))
    _every_parser(pem.armor(label, _mutate(SEEDS[kind], data)))
