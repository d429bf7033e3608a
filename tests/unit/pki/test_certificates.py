"""Certificates and CRLs built by the pure PKI core, checked without external tools."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509

from anbao.errors import ValidationError
from anbao.pki.core import certificates as C
from anbao.pki.core import crl as L
from anbao.pki.core.names import dn_text, parse_dn
from anbao.pki.core.profiles import Usage
from anbao.sm import SM2PrivateKey
from anbao.sm.errors import InvalidSignature

NOW = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ca():
    key = SM2PrivateKey.generate()
    name = parse_dn("CN=Test Issuing CA,O=北京市精神卫生保健所,C=CN")
    cert = C.issue(
        C.CertificateRequest(
            name,
            key.public_key(),
            Usage.ISSUING_CA,
            NOW,
            NOW + dt.timedelta(days=3650),
            C.random_serial(),
        ),
        name,
        key.public_key(),
        key.sign,
    )
    return key, name, cert


def holder_cert(ca, usage=Usage.SIGNING, **kw):
    key, name, _ = ca
    holder = SM2PrivateKey.generate()
    req = C.CertificateRequest(
        parse_dn("CN=张三,OU=信息科,O=北京市精神卫生保健所,C=CN"),
        holder.public_key(),
        usage,
        NOW,
        NOW + dt.timedelta(days=365),
        C.random_serial(),
        **kw,
    )
    return holder, C.issue(req, name, key.public_key(), key.sign)


def test_names_round_trip_with_chinese_and_escapes():
    name = parse_dn(r"CN=王五\, 主任,OU=信息科,O=北京市精神卫生保健所,C=CN,E=w5@example.cn")
    assert name.native["common_name"] == "王五, 主任"
    assert dn_text(name) == r"C=CN,O=北京市精神卫生保健所,OU=信息科,CN=王五\, 主任,E=w5@example.cn"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("O=x", "needs a CN"),
        ("CN=a,XX=b", "unknown name attribute"),
        ("CN=a,C=China", "two-letter"),
        ("CN=a,CN=b", "twice"),
        ("CN", "KEY=value"),
        ("CN=" + "x" * 65, "longer"),
        ("CN=a\\", "backslash"),
        ("CN=", "empty"),
    ],
)
def test_bad_names_are_named(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_dn(text)


def test_serials_are_positive_and_at_least_64_bits():
    serials = {C.random_serial() for _ in range(200)}
    assert len(serials) == 200
    assert all(0 < s < 2**128 for s in serials)
    assert sum(s.bit_length() >= 64 for s in serials) == 200
    assert C.random_serial(lambda n: bytes(n)) == 1


def test_holder_certificate_follows_gmt_0015(ca):
    holder, cert = holder_cert(
        ca, email="zs@example.cn", links=C.Links("http://h/crl", "http://h/ocsp", "http://h/ca")
    )
    tbs = cert["tbs_certificate"]
    assert tbs["version"].native == "v3"
    assert cert["signature_algorithm"]["algorithm"].dotted == C.SM2_WITH_SM3
    assert cert["signature_algorithm"]["parameters"].native is None
    assert cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert cert.extended_key_usage_value.native == ["client_auth", "email_protection"]
    assert cert.ca is False
    assert cert.key_identifier == C.key_identifier(holder.public_key())
    assert cert.authority_key_identifier == C.key_identifier(ca[0].public_key())
    assert cert.crl_distribution_points[0]["distribution_point"].native == ["http://h/crl"]
    assert cert.ocsp_urls == ["http://h/ocsp"]
    assert cert.subject_alt_name_value.native == ["zs@example.cn"]
    assert C.public_key_of(cert) == holder.public_key()
    C.verify_signature(cert, ca[0].public_key())


def test_encryption_certificate_cannot_sign(ca):
    _, cert = holder_cert(ca, Usage.ENCRYPTION)
    assert "digital_signature" not in cert.key_usage_value.native
    assert cert.key_usage_value.native == {"key_encipherment", "data_encipherment", "key_agreement"}


def test_issuing_ca_has_path_length_zero(ca):
    cert = ca[2]
    assert cert.ca and cert.max_path_length == 0
    assert cert.key_usage_value.native >= {"key_cert_sign", "crl_sign"}


def test_another_key_does_not_verify(ca):
    _, cert = holder_cert(ca)
    with pytest.raises(InvalidSignature):
        C.verify_signature(cert, SM2PrivateKey.generate().public_key())


def test_a_flipped_bit_in_tbs_does_not_verify(ca):
    _, cert = holder_cert(ca)
    der = bytearray(cert.dump())
    der[200] ^= 0x01
    with pytest.raises(InvalidSignature):
        C.verify_signature(x509.Certificate.load(bytes(der)), ca[0].public_key())


def test_validity_rules(ca):
    key, name, _ = ca
    with pytest.raises(ValidationError, match="expire before"):
        C.issue(
            C.CertificateRequest(name, key.public_key(), Usage.SIGNING, NOW, NOW, 5),
            name,
            key.public_key(),
            key.sign,
        )
    with pytest.raises(ValidationError, match="timezone"):
        C.issue(
            C.CertificateRequest(
                name,
                key.public_key(),
                Usage.SIGNING,
                NOW.replace(tzinfo=None),
                NOW.replace(tzinfo=None),
                5,
            ),
            name,
            key.public_key(),
            key.sign,
        )
    far = C.issue(
        C.CertificateRequest(
            name, key.public_key(), Usage.ROOT_CA, NOW, dt.datetime(2060, 1, 1, tzinfo=dt.UTC), 7
        ),
        name,
        key.public_key(),
        key.sign,
    )
    assert far["tbs_certificate"]["validity"]["not_after"].name == "general_time"


def test_crl_lists_revoked_serials_with_reasons(ca):
    key, name, _ = ca
    _, cert = holder_cert(ca)
    cl = L.build_crl(
        name,
        key.public_key(),
        [L.Revoked(cert.serial_number, NOW, L.Reason.KEY_COMPROMISE), L.Revoked(5, NOW)],
        number=3,
        this_update=NOW,
        next_update=NOW + dt.timedelta(days=7),
        sign=key.sign,
    )
    parsed = asn1_crl.CertificateList.load(cl.dump())
    entries = parsed["tbs_cert_list"]["revoked_certificates"]
    assert [e["user_certificate"].native for e in entries] == sorted([5, cert.serial_number])
    assert parsed.crl_number_value.native == 3
    reasons = {e["user_certificate"].native: e.crl_reason_value for e in entries}
    assert reasons[cert.serial_number].native == "key_compromise" and reasons[5] is None
    L.verify_crl(parsed, key.public_key())


def test_empty_crl(ca):
    key, name, _ = ca
    cl = L.build_crl(
        name,
        key.public_key(),
        [],
        number=1,
        this_update=NOW,
        next_update=NOW + dt.timedelta(days=7),
        sign=key.sign,
    )
    parsed = asn1_crl.CertificateList.load(cl.dump())
    assert not parsed["tbs_cert_list"]["revoked_certificates"]
    L.verify_crl(parsed, key.public_key())
