"""SM3 (GB/T 32905-2016) and HMAC-SM3 against published and independent values."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sm_testdata import load_vectors

from anbao.sm import InvalidSignature, SM3Hash, hmac_sm3, sm3, verify_hmac_sm3
from anbao.sm.sm3 import HASHLIB_SM3, tongsuo_hmac_sm3, tongsuo_sm3

SM3_VECTORS = load_vectors("sm3")["vectors"]
HMAC_VECTORS = load_vectors("hmac_sm3")["vectors"]
SYSTEM_SM3 = "sm3" in hashlib.algorithms_available


@pytest.mark.parametrize("digest", [sm3, tongsuo_sm3])
@pytest.mark.parametrize("vector", SM3_VECTORS, ids=lambda v: v["id"])
def test_sm3_published_examples(vector, digest):
    assert digest(bytes.fromhex(vector["message_hex"])).hex() == vector["digest"]


def test_the_one_shot_functions_use_openssl_where_it_has_sm3():
    assert HASHLIB_SM3 == SYSTEM_SM3


def test_sm3_of_empty_message():
    # Not in GB/T 32905; the value every implementation agrees on (OpenSSL, GmSSL).
    assert sm3(b"").hex() == "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"


@given(st.lists(st.binary(max_size=200), max_size=8))
def test_incremental_equals_one_shot(chunks):
    h = SM3Hash()
    for chunk in chunks:
        h.update(chunk)
    assert h.digest() == sm3(b"".join(chunks))
    assert h.hexdigest() == h.digest().hex()  # digest() does not finalize


def test_copy_is_independent():
    h = SM3Hash(b"ab")
    c = h.copy()
    c.update(b"c")
    assert c.hexdigest() == SM3_VECTORS[0]["digest"]
    assert h.digest() == sm3(b"ab")


@pytest.mark.parametrize("vector", HMAC_VECTORS, ids=lambda v: v["id"])
def test_hmac_sm3_vectors(vector):
    key, msg = bytes.fromhex(vector["key"]), bytes.fromhex(vector["message_hex"])
    assert hmac_sm3(key, msg).hex() == vector["tag"]
    assert tongsuo_hmac_sm3(key, msg).hex() == vector["tag"]
    verify_hmac_sm3(key, msg, bytes.fromhex(vector["tag"]))


def test_verify_hmac_raises_on_mismatch():
    with pytest.raises(InvalidSignature):
        verify_hmac_sm3(b"k", b"m", bytes(32))


@pytest.mark.skipif(not SYSTEM_SM3, reason="the system OpenSSL has no SM3 in hashlib")
@given(st.binary(max_size=200), st.lists(st.binary(max_size=300), max_size=4))
def test_tongsuo_and_system_openssl_agree(key, parts):
    # hashlib's SM3 is OpenSSL 3's, a different implementation from Tongsuo's.
    data = b"".join(parts)
    assert tongsuo_hmac_sm3(key, data) == hmac.new(key, data, "sm3").digest() == hmac_sm3(key, data)
    assert tongsuo_sm3(*parts) == hashlib.new("sm3", data).digest() == sm3(*parts)
