"""Build and check X.509 v3 certificates signed with SM2-with-SM3 (GM/T 0015)."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import algos, core, parser, x509

from anbao.errors import ValidationError
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
    subject: x509.Name
    public_key: SM2PublicKey
    usage: Usage
    not_before: dt.datetime
    not_after: dt.datetime
    serial: int
    email: str = ""
    links: Links = field(default_factory=Links)


def _validity(not_before: dt.datetime, not_after: dt.datetime) -> x509.Validity:
    if not_before.tzinfo is None or not_after.tzinfo is None:
        raise ValidationError("certificate validity needs timezone-aware times")
    if not_after <= not_before:
        raise ValidationError("the certificate would expire before it starts")
    return x509.Validity({"not_before": _time(not_before), "not_after": _time(not_after)})


def _time(when: dt.datetime) -> x509.Time:
    # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    return x509.Time({"utc_time" if when.year < 2050 else "general_time": when})


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


def _extensions(req: CertificateRequest, issuer_key_id: bytes) -> list[x509.Extension]:
    head, middle, tail = _profile_extensions(req.usage, issuer_key_id, req.links)
    ski = _extension("key_identifier", False, key_identifier(req.public_key))
    san = (
        [_extension("subject_alt_name", False, [x509.GeneralName({"rfc822_name": req.email})])]
        if req.email
        else []
    )
    # constraints, key usage, SKI, AKI, EKU, SAN, CDP, AIA
    return [x509.Extension.load(der) for der in (*head, ski, *middle, *san, *tail)]


# DER pieces that never change: version v3 ([0] EXPLICIT INTEGER 2), the algorithm.
_VERSION_V3 = parser.emit(2, 1, 0, core.Integer(2).dump())
_SM2_WITH_SM3_DER = bytes(algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3}).dump())


def _sequence(*parts: bytes) -> bytes:
    return bytes(parser.emit(0, 1, 16, b"".join(parts)))


def issue(
    req: CertificateRequest, issuer: x509.Name, issuer_public_key: SM2PublicKey, sign: Signer
) -> x509.Certificate:
    """Build the TBSCertificate, sign it with ``sign``, return the certificate.

    The DER is assembled from pieces that asn1crypto encodes (most of them once per issuer),
    joined with ``asn1crypto.parser.emit``: building the whole nested value in asn1crypto
    costs five times the SM2 signature. Tests parse the result back and give it to OpenSSL.
    """
    extensions = b"".join(ext.dump() for ext in _extensions(req, key_identifier(issuer_public_key)))
    tbs = _sequence(
        _VERSION_V3,
        core.Integer(req.serial).dump(),
        _SM2_WITH_SM3_DER,
        issuer.dump(),
        _validity(req.not_before, req.not_after).dump(),
        req.subject.dump(),
        req.public_key.to_spki_der(),
        parser.emit(2, 1, 3, _sequence(extensions)),
    )
    signature = core.OctetBitString(sign(tbs)).dump()
    return x509.Certificate.load(_sequence(tbs, _SM2_WITH_SM3_DER, signature))


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
