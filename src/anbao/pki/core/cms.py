"""Detached CMS SignedData with SM2/SM3 (GM/T 0010-2012), built and checked with asn1crypto.

GM/T 0010 keeps the PKCS#7 structures and gives them national OIDs: ``data``
1.2.156.10197.6.1.4.2.1, ``signedData`` 1.2.156.10197.6.1.4.2.2, digest SM3
1.2.156.10197.1.401, signature SM2 1.2.156.10197.1.301.1. anbao writes those; it reads them
and the RFC 5652 OIDs that some SM2 tools use instead. The signature covers the DER of the
signed attributes (content type, signing time, SM3 message digest), with the default SM2 ID.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509

from anbao.errors import ValidationError
from anbao.pki.core.certificates import public_key_of
from anbao.sm import DEFAULT_ID, sm3
from anbao.sm.errors import InvalidKey, InvalidSignature

GM_DATA = "1.2.156.10197.6.1.4.2.1"
GM_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"
SM3 = "1.2.156.10197.1.401"
SM2_SIGN = "1.2.156.10197.1.301.1"
SM2_WITH_SM3 = "1.2.156.10197.1.501"
PKCS7_DATA, PKCS7_SIGNED_DATA = "1.2.840.113549.1.7.1", "1.2.840.113549.1.7.2"

# Teach asn1crypto the national content types so it parses them as it parses PKCS#7 ones.
cms.ContentType._map.setdefault(GM_DATA, "gm_data")
cms.ContentType._map.setdefault(GM_SIGNED_DATA, "gm_signed_data")
cms.ContentType._reverse_map = None
cms.ContentInfo._oid_specs.setdefault("gm_data", core.OctetString)
cms.ContentInfo._oid_specs.setdefault("gm_signed_data", cms.SignedData)

Signer = Callable[[bytes], bytes]


def _signed_attributes(content: bytes, when: dt.datetime) -> cms.CMSAttributes:
    return cms.CMSAttributes(
        [
            {"type": "content_type", "values": [GM_DATA]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": when})]},
            {"type": "message_digest", "values": [sm3(content)]},
        ]
    )


def sign_detached(
    content: bytes, certificate: asn1_x509.Certificate, sign: Signer, *, now: dt.datetime
) -> bytes:
    """A DER ContentInfo (GM/T 0010 signedData) whose signature covers ``content``."""
    attrs = _signed_attributes(content, now)
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": certificate.issuer,
                        "serial_number": certificate.serial_number,
                    }
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": SM3}),
            "signed_attrs": attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": SM2_SIGN}),
            # RFC 5652 5.4: the signature is over the DER of the attributes as a SET OF.
            "signature": sign(attrs.dump()),
        }
    )
    signed = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": SM3})],
            "encap_content_info": {"content_type": GM_DATA},
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    return bytes(cms.ContentInfo({"content_type": GM_SIGNED_DATA, "content": signed}).dump())


@dataclass(frozen=True)
class CMSSignature:
    signer: asn1_x509.Certificate
    signing_time: dt.datetime | None


def _parse(data: bytes) -> cms.SignedData:
    try:
        info = cms.ContentInfo.load(data, strict=True)
        kind = info["content_type"].dotted
        if kind not in {GM_SIGNED_DATA, PKCS7_SIGNED_DATA}:
            raise ValidationError(f"not a SignedData but {kind}", code="invalid_cms")
        signed = info["content"]
        signed.native  # noqa: B018 - parse every field now, so later access cannot fail
    except ValidationError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError(f"not a CMS SignedData: {exc}", code="invalid_cms") from None
    return signed


def _signer_certificate(
    signed: cms.SignedData, signer_info: cms.SignerInfo, given: asn1_x509.Certificate | None
) -> asn1_x509.Certificate:
    sid = signer_info["sid"]
    if sid.name != "issuer_and_serial_number":
        raise ValidationError(
            "only issuer-and-serial signer identifiers are supported", code="invalid_cms"
        )
    wanted = (sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native)
    candidates = (
        [given]
        if given is not None
        else [c.chosen for c in signed["certificates"] if c.name == "certificate"]
    )
    for cert in candidates:
        if (cert.issuer.dump(), cert.serial_number) == wanted:
            return cert
    raise ValidationError(
        "the signer's certificate is not in the signature", code="signer_certificate_missing"
    )


def signer_of(
    data: bytes, certificate: asn1_x509.Certificate | None = None
) -> asn1_x509.Certificate:
    """The signer's certificate of a one-signer SignedData (``certificate`` if it matches)."""
    signed = _parse(data)
    infos = list(signed["signer_infos"])
    if len(infos) != 1:
        raise ValidationError("exactly one signer is supported", code="invalid_cms")
    return _signer_certificate(signed, infos[0], certificate)


def verify_detached(
    data: bytes,
    content: bytes,
    *,
    certificate: asn1_x509.Certificate | None = None,
    distinguishing_id: bytes | str = DEFAULT_ID,
) -> CMSSignature:
    """Check the one signer of a detached SignedData over ``content``.

    Raises ValidationError for a malformed structure and InvalidSignature when the digest
    or the SM2 signature does not match. The caller checks the signer's certificate.
    """
    signed = _parse(data)
    if signed["encap_content_info"]["content"].native not in (None, b""):
        raise ValidationError("the signature is not detached", code="invalid_cms")
    infos = list(signed["signer_infos"])
    if len(infos) != 1:
        raise ValidationError("exactly one signer is supported", code="invalid_cms")
    info = infos[0]
    if info["digest_algorithm"]["algorithm"].dotted != SM3:
        raise ValidationError("the digest is not SM3", code="invalid_cms")
    if info["signature_algorithm"]["algorithm"].dotted not in {SM2_SIGN, SM2_WITH_SM3}:
        raise ValidationError("the signature is not SM2", code="invalid_cms")
    signer = _signer_certificate(signed, info, certificate)
    attrs = info["signed_attrs"]
    if not attrs:
        raise ValidationError("signed attributes are required", code="invalid_cms")
    values = {a["type"].native: a["values"][0].native for a in attrs}
    if values.get("message_digest") != sm3(content):
        raise InvalidSignature("the SM3 digest of the content does not match")
    try:
        public_key_of(signer).verify(
            bytes(info["signature"]), attrs.untag().dump(), distinguishing_id=distinguishing_id
        )
    except InvalidKey as exc:
        raise InvalidSignature(exc.message) from None
    when = values.get("signing_time")
    return CMSSignature(signer, when if isinstance(when, dt.datetime) else None)
