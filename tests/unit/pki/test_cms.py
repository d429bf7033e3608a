"""Detached GM/T 0010 SignedData: round trip, tampering, structure errors, fuzzing."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import cms
from hypothesis import given, settings
from hypothesis import strategies as st

from anbao.errors import ValidationError
from anbao.pki.core import certificates as C
from anbao.pki.core import cms as M
from anbao.pki.core.names import parse_dn
from anbao.pki.core.profiles import Usage
from anbao.sm import SM2PrivateKey
from anbao.sm.errors import InvalidSignature

NOW = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
KEY = SM2PrivateKey.generate()
NAME = parse_dn("CN=张三,O=北京市精神卫生保健所,C=CN")
CERT = C.issue(
    C.CertificateRequest(
        NAME, KEY.public_key(), Usage.SIGNING, NOW, NOW + dt.timedelta(days=365), 77
    ),
    NAME,
    KEY.public_key(),
    KEY.sign,
)
CONTENT = "随访记录".encode()
SIGNED = M.sign_detached(CONTENT, CERT, KEY.sign, now=NOW)


def test_structure_uses_the_gmt_0010_oids():
    info = cms.ContentInfo.load(SIGNED)
    assert info["content_type"].dotted == M.GM_SIGNED_DATA
    signed = info["content"]
    assert signed["encap_content_info"]["content_type"].dotted == M.GM_DATA
    assert signed["encap_content_info"]["content"].native is None  # detached
    signer = signed["signer_infos"][0]
    assert signer["digest_algorithm"]["algorithm"].dotted == M.SM3
    assert signer["signature_algorithm"]["algorithm"].dotted == M.SM2_SIGN


def test_round_trip_and_signing_time():
    result = M.verify_detached(SIGNED, CONTENT)
    assert result.signer.serial_number == 77 and result.signing_time == NOW


def test_other_content_or_id_is_invalid():
    with pytest.raises(InvalidSignature):
        M.verify_detached(SIGNED, CONTENT + b"!")
    with pytest.raises(InvalidSignature):
        M.verify_detached(SIGNED, CONTENT, distinguishing_id=b"ALICE123@YAHOO.COM")


def test_tampered_signed_attributes_are_invalid():
    info = cms.ContentInfo.load(SIGNED)
    attrs = info["content"]["signer_infos"][0]["signed_attrs"]
    attrs[1]["values"][0] = cms.Time({"utc_time": NOW + dt.timedelta(days=1)})
    with pytest.raises(InvalidSignature):
        M.verify_detached(info.dump(force=True), CONTENT)


def test_a_certificate_that_is_not_the_signer_is_refused():
    other_key = SM2PrivateKey.generate()
    other = C.issue(
        C.CertificateRequest(
            NAME, other_key.public_key(), Usage.SIGNING, NOW, NOW + dt.timedelta(days=1), 78
        ),
        NAME,
        other_key.public_key(),
        other_key.sign,
    )
    with pytest.raises(ValidationError) as info:
        M.verify_detached(SIGNED, CONTENT, certificate=other)
    assert info.value.code == "signer_certificate_missing"


def test_rfc_5652_oids_are_read_too():
    info = cms.ContentInfo.load(SIGNED)
    pkcs7 = cms.ContentInfo({"content_type": "signed_data", "content": info["content"]})
    assert M.verify_detached(pkcs7.dump(), CONTENT).signer.serial_number == 77


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=800))
def test_parser_never_crashes(data):
    try:
        M.verify_detached(data, CONTENT)
    except (ValidationError, InvalidSignature):
        pass


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(SIGNED) - 1), st.integers(1, 255))
def test_flipped_bytes_never_pass_or_crash(index, mask):
    data = bytearray(SIGNED)
    data[index] ^= mask
    try:
        M.verify_detached(bytes(data), CONTENT)
    except (ValidationError, InvalidSignature):
        return
    # a flip inside the unsigned certificate copy or other unsigned bytes may still verify
    assert M.verify_detached(bytes(data), CONTENT).signer is not None
