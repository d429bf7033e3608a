"""SM4 (GB/T 32907-2016) in ECB/CBC/CTR/GCM against published vectors, plus round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sm_testdata import load_vectors

from anbao.sm import DecryptionError, sm4

VECTORS = {v["id"]: v for v in load_vectors("sm4")["vectors"]}
H = bytes.fromhex


@pytest.mark.parametrize("vid", ["sm4_example1_single_block", "sm4_ribose_example_fedcba"])
def test_block_examples(vid):
    v = VECTORS[vid]
    key, pt, ct = H(v["key"]), H(v["plaintext"]), H(v["ciphertext"])
    assert sm4.ecb_encrypt(key, pt, padding=False) == ct
    assert sm4.ecb_decrypt(key, ct, padding=False) == pt


def test_gbt32907_example2_one_million_encryptions():
    # E^1000000(P) as the last block of CBC over 10^6 zero blocks with IV = P: each block is
    # E(previous XOR 0). The same trick as the vector's OpenSSL recipe, in well under a second.
    v = VECTORS["sm4_example2_1e6_iterations"]
    key, pt = H(v["key"]), H(v["plaintext"])
    out = sm4.cbc_encrypt(key, pt, bytes(16 * v["iterations"]), padding=False)
    assert out[-16:] == H(v["ciphertext"])


def test_cbc_vector():
    v = VECTORS["sm4_cbc_2blocks"]
    key, iv, pt, ct = H(v["key"]), H(v["iv"]), H(v["plaintext"]), H(v["ciphertext"])
    assert sm4.cbc_encrypt(key, iv, pt, padding=False) == ct
    assert sm4.cbc_decrypt(key, iv, ct, padding=False) == pt


def test_ctr_vector():
    v = VECTORS["sm4_ctr_4blocks"]
    key, iv, pt, ct = H(v["key"]), H(v["iv"]), H(v["plaintext"]), H(v["ciphertext"])
    assert sm4.ctr_encrypt(key, iv, pt) == ct
    assert sm4.ctr_decrypt(key, iv, ct) == pt


def test_gcm_rfc8998():
    v = VECTORS["sm4_gcm_rfc8998_a1"]
    key, iv, aad = H(v["key"]), H(v["iv"]), H(v["aad"])
    sealed = sm4.gcm_encrypt(key, iv, H(v["plaintext"]), aad)
    assert sealed == H(v["ciphertext"]) + H(v["tag"])
    assert sm4.gcm_decrypt(key, iv, sealed, aad) == H(v["plaintext"])


@pytest.mark.parametrize("where", ["ciphertext", "tag", "aad"])
def test_gcm_detects_tampering(where):
    v = VECTORS["sm4_gcm_rfc8998_a1"]
    key, iv, aad = H(v["key"]), H(v["iv"]), bytearray(H(v["aad"]))
    sealed = bytearray(H(v["ciphertext"]) + H(v["tag"]))
    if where == "ciphertext":
        sealed[0] ^= 1
    elif where == "tag":
        sealed[-1] ^= 0x80
    else:
        aad[0] ^= 1
    with pytest.raises(DecryptionError):
        sm4.gcm_decrypt(key, iv, bytes(sealed), bytes(aad))


def test_gcm_too_short():
    with pytest.raises(DecryptionError):
        sm4.gcm_decrypt(bytes(16), bytes(12), b"short")


KEYS = st.binary(min_size=16, max_size=16)


@given(KEYS, KEYS, st.binary(max_size=100))
def test_padded_round_trips(key, iv, data):
    assert sm4.cbc_decrypt(key, iv, sm4.cbc_encrypt(key, iv, data)) == data
    assert sm4.ecb_decrypt(key, sm4.ecb_encrypt(key, data)) == data
    assert len(sm4.cbc_encrypt(key, iv, data)) == (len(data) // 16 + 1) * 16


@given(KEYS, st.binary(min_size=12, max_size=12), st.binary(max_size=100), st.binary(max_size=40))
def test_gcm_round_trip(key, nonce, data, aad):
    assert sm4.gcm_decrypt(key, nonce, sm4.gcm_encrypt(key, nonce, data, aad), aad) == data


@given(KEYS, st.binary(min_size=16, max_size=16).filter(lambda b: b != bytes(16)))
def test_wrong_key_padding_is_refused_or_differs(key, other):
    # A wrong key yields random padding: almost always refused, never the plaintext.
    ct = sm4.cbc_encrypt(key, bytes(16), b"secret message")
    wrong = bytes(a ^ b for a, b in zip(key, other, strict=True))
    try:
        assert sm4.cbc_decrypt(wrong, bytes(16), ct) != b"secret message"
    except DecryptionError:
        pass


@pytest.mark.parametrize("bad", [b"", b"x" * 15, b"x" * 17])
def test_bad_ciphertext_lengths(bad):
    with pytest.raises(DecryptionError):
        sm4.cbc_decrypt(bytes(16), bytes(16), bad)


def test_programming_errors_are_value_errors():
    with pytest.raises(ValueError):
        sm4.ecb_encrypt(bytes(15), b"x")
    with pytest.raises(ValueError):
        sm4.cbc_encrypt(bytes(16), bytes(8), b"x")
    with pytest.raises(ValueError):
        sm4.ecb_encrypt(bytes(16), b"x", padding=False)
    with pytest.raises(ValueError):
        sm4.gcm_encrypt(bytes(16), bytes(4), b"x")
