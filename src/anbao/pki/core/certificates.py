"""Build and check X.509 v3 certificates signed with SM2-with-SM3 (GM/T 0015)."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import algos, keys, x509

from anbao.errors import ValidationError
from anbao.pki.core import der
from anbao.pki.core.profiles import Usage, policy
from anbao.sm import SM2PublicKey, sm3
from anbao.sm.errors import InvalidSignature

SM2_WITH_SM3 = "1.2.156.10197.1.501"
SM2_CURVE = "1.2.156.10197.1.301"
Signer = Callable[[bytes], bytes]  # TBS DER → DER SM2 signature (default ID)


def random_serial(rng: Callable[[int], bytes] = secrets.token_bytes) -> int:
    """A positive serial of 127 to 128 random bits (RFC 5280 allows up to 20 octets)."""
    value = int.from_bytes(rng(16), "big") >> 1
    return value or 1


def sm2_algorithm() -> algos.SignedDigestAlgorithm:
    # GM/T 0015 and OpenSSL encode SM2-with-SM3 with the parameters absent.
    return algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3})


def key_identifier(public_key: SM2PublicKey) -> bytes:
    """RFC 7093 method 1 with SM3: the leftmost 160 bits of SM3(subjectPublicKey)."""
    return sm3(public_key.to_point())[:20]


@dataclass(frozen=True)
class Links:
    """Where relying parties find revocation status and the issuer certificate."""

    crl_url: str = ""
    ocsp_url: str = ""
    issuer_url: str = ""


@dataclass(frozen=True)
class CertificateRequest:
    subject: x509.Name | bytes  # or its DER
    public_key: SM2PublicKey
    usage: Usage
    not_before: dt.datetime
    not_after: dt.datetime
    serial: int
    email: str = ""
    links: Links = field(default_factory=Links)


def _validity(not_before: dt.datetime, not_after: dt.datetime) -> bytes:
    if not_before.tzinfo is None or not_after.tzinfo is None:
        raise ValidationError("certificate validity needs timezone-aware times")
    if not_after <= not_before:
        raise ValidationError("the certificate would expire before it starts")
    return _validity_der(not_before, not_after, not_before.year < 2050, not_after.year < 2050)


@functools.lru_cache(maxsize=64)
def _validity_der(
    not_before: dt.datetime, not_after: dt.datetime, before_utc: bool, after_utc: bool
) -> bytes:
    """The Validity DER, cached: a batch gives every certificate the same two times.

    Equal datetimes are the same instant, whose UTC form is what is encoded; the choice of
    time type is part of the key because it follows the year as given.
    """
    return der.sequence(_time(not_before, before_utc).dump(), _time(not_after, after_utc).dump())


def _time(when: dt.datetime, utc: bool | None = None) -> x509.Time:
    # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    if utc is None:
        utc = when.year < 2050
    return x509.Time({"utc_time" if utc else "general_time": when})


def _extension(extn_id: str, critical: bool, value: object) -> bytes:
    return bytes(
        x509.Extension({"extn_id": extn_id, "critical": critical, "extn_value": value}).dump()
    )


def _uri(url: str) -> x509.GeneralName:
    return x509.GeneralName({"uniform_resource_identifier": url})


@functools.lru_cache(maxsize=64)
def _profile_extensions(
    usage: Usage, issuer_key_id: bytes, links: Links
) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]:
    """The DER of the extensions shared by every certificate of a usage and issuer.

    Encoding them once per issuer, not once per certificate, is most of what makes issuing
    800 holders cheap: asn1crypto builds nested values slowly and loads DER lazily.
    """
    pol = policy(usage)
    constraints = (
        {"ca": pol.is_ca, "path_len_constraint": pol.path_length} if pol.is_ca else {"ca": False}
    )
    head = (
        _extension("basic_constraints", True, constraints),
        _extension("key_usage", True, set(pol.key_usage)),
    )
    middle = [_extension("authority_key_identifier", False, {"key_identifier": issuer_key_id})]
    if pol.extended_key_usage:
        middle.append(_extension("extended_key_usage", False, list(pol.extended_key_usage)))
    exts = []
    if links.crl_url:
        exts.append(
            _extension(
                "crl_distribution_points",
                False,
                [
                    {
                        "distribution_point": x509.DistributionPointName(
                            {"full_name": [_uri(links.crl_url)]}
                        )
                    }
                ],
            )
        )
    access = []
    if links.ocsp_url:
        access.append({"access_method": "ocsp", "access_location": _uri(links.ocsp_url)})
    if links.issuer_url:
        access.append({"access_method": "ca_issuers", "access_location": _uri(links.issuer_url)})
    if access:
        exts.append(_extension("authority_information_access", False, access))
    return head, tuple(middle), tuple(exts)


_SKI_OID = bytes(x509.ExtensionId("key_identifier").dump())
_SAN_OID = bytes(x509.ExtensionId("subject_alt_name").dump())
_RFC822_NAME = 1  # GeneralName [1] IMPLICIT IA5String


def _subject_key_identifier(public_key: SM2PublicKey) -> bytes:
    # Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (left out), extnValue }
    return der.sequence(_SKI_OID, der.octet_string(der.octet_string(key_identifier(public_key))))


def _email_alt_name(email: str) -> bytes:
    general_name = der.implicit_primitive(_RFC822_NAME, der.email_octets(email))
    return der.sequence(_SAN_OID, der.octet_string(der.sequence(general_name)))


def _extensions(req: CertificateRequest, issuer_key_id: bytes) -> bytes:
    """The DER of the extensions, one after the other (the contents of Extensions)."""
    head, middle, tail = _profile_extensions(req.usage, issuer_key_id, req.links)
    ski = _subject_key_identifier(req.public_key)
    san = (_email_alt_name(req.email),) if req.email else ()
    # constraints, key usage, SKI, AKI, EKU, SAN, CDP, AIA
    return b"".join((*head, ski, *middle, *san, *tail))


@functools.lru_cache(maxsize=16)
def _issuer_key_id(issuer_public_key: SM2PublicKey) -> bytes:
    return key_identifier(issuer_public_key)


# DER pieces that never change: version v3 ([0] EXPLICIT INTEGER 2), the algorithms.
_VERSION_V3 = der.explicit(0, der.integer(2))
_SM2_WITH_SM3_DER = bytes(algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3}).dump())
_SM2_KEY_ALGORITHM = bytes(
    keys.PublicKeyAlgorithm(
        {"algorithm": "ec", "parameters": keys.ECDomainParameters("named", SM2_CURVE)}
    ).dump()
)


def _spki(public_key: SM2PublicKey) -> bytes:
    """SubjectPublicKeyInfo (RFC 5480, namedCurve sm2p256v1), as ``to_spki_der`` writes it.

    Written here from the point because Tongsuo's encoder is a quarter of the work of
    building a certificate around a signature.
    """
    return der.sequence(_SM2_KEY_ALGORITHM, der.bit_string(public_key.to_point()))


def _encoded(name: x509.Name | bytes) -> bytes:
    """A Name's DER; callers that issue many certificates pass the DER they already have
    (asn1crypto's ``dump`` walks the whole parsed value to see whether it changed)."""
    return name if isinstance(name, bytes) else bytes(name.dump())


def issue(
    req: CertificateRequest,
    issuer: x509.Name | bytes,
    issuer_public_key: SM2PublicKey,
    sign: Signer,
) -> x509.Certificate:
    """Build the TBSCertificate, sign it with ``sign``, return the certificate.

    The DER is emitted directly (``anbao.pki.core.der``) from pieces that are mostly encoded
    once per issuer: building the nested value in asn1crypto costs several times the SM2
    signature. tests/unit/pki/test_der.py proves the result byte-identical to the
    TBSCertificate asn1crypto builds; other tests parse it back and give it to OpenSSL.
    """
    extensions = _extensions(req, _issuer_key_id(issuer_public_key))
    tbs = der.sequence(
        _VERSION_V3,
        der.integer(req.serial),
        _SM2_WITH_SM3_DER,
        _encoded(issuer),
        _validity(req.not_before, req.not_after),
        _encoded(req.subject),
        _spki(req.public_key),
        der.explicit(3, der.sequence(extensions)),
    )
    return x509.Certificate.load(der.sequence(tbs, _SM2_WITH_SM3_DER, der.bit_string(sign(tbs))))


def public_key_of(cert: x509.Certificate) -> SM2PublicKey:
    spki = cert["tbs_certificate"]["subject_public_key_info"]
    algorithm = spki["algorithm"]
    if algorithm["algorithm"].native != "ec" or algorithm["parameters"].chosen.dotted != SM2_CURVE:
        raise ValidationError(
            "the certificate's key is not an SM2 key (sm2p256v1)", code="wrong_curve"
        )
    return SM2PublicKey.from_point(spki["public_key"].native)


def verify_signature(cert: x509.Certificate, issuer_key: SM2PublicKey) -> None:
    """Raise InvalidSignature unless ``issuer_key`` signed ``cert`` (SM2-with-SM3, default ID)."""
    if cert["signature_algorithm"]["algorithm"].dotted != SM2_WITH_SM3:
        raise InvalidSignature("the certificate is not signed with SM2-with-SM3")
    issuer_key.verify(bytes(cert["signature_value"]), cert["tbs_certificate"].dump())
