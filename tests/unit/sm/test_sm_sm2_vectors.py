"""SM2 on sm2p256v1 against GB/T 32918.5-2017 Annexes A and C and library examples.

Tongsuo draws k itself, so the published r, s and C1 cannot be reproduced by signing or
encrypting; Z_A and e are checked exactly, and the published signature and ciphertexts are
verified and decrypted.
"""

from __future__ import annotations

import pytest
from sm_testdata import load_vectors
from tongsuopy.crypto import hashes
from tongsuopy.crypto.asymciphers import ec

from anbao.sm import (
    DEFAULT_ID,
    CiphertextFormat,
    InvalidKey,
    InvalidSignature,
    SM2PrivateKey,
    SM2PublicKey,
    compute_za,
    decode_signature,
    encode_signature,
)
from anbao.sm import sm2 as sm2_module

DATA = load_vectors("sm2")
SIGN = DATA["sign"][0]
ENC = DATA["encrypt"][0]
GMSM_VERIFY, GMSM_DECRYPT = DATA["secondary_library_vectors"]
H = bytes.fromhex


def annex_key() -> SM2PrivateKey:
    return SM2PrivateKey.from_private_value(int(SIGN["d"], 16))


def test_curve_constants_match_the_standard():
    curve = DATA["curve_sm2p256v1"]
    for name in ("p", "a", "b", "n", "gx", "gy"):
        assert getattr(sm2_module, name.upper()) == int(curve[name], 16), name


def test_annex_a_public_key():
    pub = annex_key().public_key()
    assert (pub.x, pub.y) == (int(SIGN["pub_x"], 16), int(SIGN["pub_y"], 16))
    assert pub.to_point() == b"\x04" + H(SIGN["pub_x"]) + H(SIGN["pub_y"])


def test_annex_a_za_and_e():
    pub = annex_key().public_key()
    assert SIGN["user_id_ascii"].encode() == DEFAULT_ID
    assert pub.za().hex() == SIGN["za"]
    assert compute_za(pub.x, pub.y, SIGN["user_id_ascii"]).hex() == SIGN["za"]
    assert pub.digest(H(SIGN["message_hex"])).hex() == SIGN["e"]


def test_annex_a_signature_verifies():
    sig = H(SIGN["signature_der"])
    assert decode_signature(sig) == (int(SIGN["r"], 16), int(SIGN["s"], 16))
    assert encode_signature(int(SIGN["r"], 16), int(SIGN["s"], 16)) == sig
    annex_key().public_key().verify(sig, H(SIGN["message_hex"]))


@pytest.mark.parametrize("other_id", [b"", b"ALICE123@YAHOO.COM", b"1234567812345679"])
def test_annex_a_signature_fails_with_another_id(other_id):
    with pytest.raises(InvalidSignature):
        annex_key().public_key().verify(
            H(SIGN["signature_der"]), H(SIGN["message_hex"]), distinguishing_id=other_id
        )


@pytest.mark.parametrize(
    ("field", "fmt"),
    [
        ("ciphertext_asn1_gmt0009", CiphertextFormat.ASN1),
        ("ciphertext_c1c3c2", CiphertextFormat.C1C3C2),
        ("ciphertext_c1c2c3", CiphertextFormat.C1C2C3),
    ],
)
def test_annex_c_ciphertext_decrypts_in_every_layout(field, fmt):
    key = SM2PrivateKey.from_private_value(int(ENC["d_B"], 16))
    assert key.decrypt(H(ENC[field]), fmt=fmt) == ENC["message_ascii"].encode()


@pytest.mark.parametrize(
    ("field", "fmt"),
    [
        ("ciphertext_c1c3c2", CiphertextFormat.C1C3C2),
        ("ciphertext_c1c2c3", CiphertextFormat.C1C2C3),
    ],
)
def test_annex_c_layouts_convert_exactly(field, fmt):
    asn1 = H(ENC["ciphertext_asn1_gmt0009"])
    raw = H(ENC[field])
    assert sm2_module._from_asn1(asn1, fmt) == raw
    assert sm2_module._to_asn1(raw, fmt) == asn1


def test_gmsm_library_signature_verifies():
    key = SM2PrivateKey.from_private_value(int(GMSM_VERIFY["d"], 16))
    assert key.public_key().to_point() == H(GMSM_VERIFY["pub_uncompressed"])
    msg = GMSM_VERIFY["message_ascii"].encode()
    key.public_key().verify(H(GMSM_VERIFY["signature_der"]), msg)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(H(GMSM_VERIFY["signature_der"]), msg, distinguishing_id=b"")


def test_gmsm_library_ciphertext_decrypts():
    key = SM2PrivateKey.from_private_value(int(GMSM_DECRYPT["d"], 16))
    plain = key.decrypt(H(GMSM_DECRYPT["ciphertext_asn1_gmt0009"]))
    assert plain == GMSM_DECRYPT["plaintext_ascii"].encode()


def test_default_id_matches_tongsuopy_high_level_api():
    # tongsuopy's own sign/verify use the default ID natively: both directions agree.
    key = annex_key()
    ours = key.sign(b"interop")
    key.public_key()._key.verify(ours, b"interop", ec.ECDSA(hashes.SM3()))
    theirs = key._key.sign(b"interop", ec.ECDSA(hashes.SM3()))
    key.public_key().verify(theirs, b"interop")


@pytest.mark.parametrize("d", [0, sm2_module.N - 1, sm2_module.N, -1])
def test_private_value_range(d):
    with pytest.raises(InvalidKey):
        SM2PrivateKey.from_private_value(d)


def test_point_off_the_curve_is_refused():
    with pytest.raises(InvalidKey):
        SM2PublicKey.from_point(b"\x04" + bytes(31) + b"\x01" + bytes(31) + b"\x01")


def test_id_length_limit():
    with pytest.raises(ValueError):
        compute_za(1, 2, b"x" * 8192)
    compute_za(1, 2, b"x" * 8191)


@pytest.mark.parametrize(
    ("r", "s"), [(0, 1), (1, 0), (sm2_module.N, 1), (1, sm2_module.N), (-1, 1)]
)
def test_well_formed_but_out_of_range_signature_is_invalid(r, s):
    from asn1crypto import core

    class Sig(core.Sequence):
        _fields = [("r", core.Integer), ("s", core.Integer)]

    der = Sig({"r": r, "s": s}).dump()
    assert decode_signature(der) == (r, s)
    with pytest.raises(InvalidSignature):
        annex_key().public_key().verify(der, b"message digest")


def test_bytes_like_inputs_are_accepted():
    key = annex_key()
    sig = key.sign(bytearray(b"m"))
    key.public_key().verify(bytearray(sig), memoryview(b"m"))
