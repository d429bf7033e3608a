"""PKCS#10 certification requests: parse, check the curve, check proof of possession."""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import csr, pem
from asn1crypto import x509 as asn1_x509

from anbao.errors import ValidationError
from anbao.pki.core.certificates import SM2_CURVE, SM2_WITH_SM3
from anbao.sm import DEFAULT_ID, SM2PublicKey
from anbao.sm.errors import InvalidKey, InvalidSignature

# OpenSSL 3.0 signs requests with an empty SM2 ID unless told `-sigopt distid:…`; GM/T 0015
# tools use the default ID. Both prove possession of the key, so both are accepted.
ACCEPTED_IDS = (DEFAULT_ID, b"")


@dataclass(frozen=True)
class ParsedRequest:
    subject: asn1_x509.Name
    public_key: SM2PublicKey
    signed_with_id: bytes


def parse_csr(data: bytes) -> ParsedRequest:
    """Parse a PEM or DER PKCS#10 request for an SM2 key and check its self-signature."""
    try:
        if pem.detect(data):
            label, _, data = pem.unarmor(data)
            if label not in {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"}:
                raise ValidationError(
                    f"expected a CERTIFICATE REQUEST, got a {label} PEM block", code="invalid_csr"
                )
        request = csr.CertificationRequest.load(data, strict=True)
        info = request["certification_request_info"]
        spki = info["subject_pk_info"]
        algorithm = spki["algorithm"]
        _ = request.native  # parse everything now, so later access cannot fail
    except ValidationError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError(
            f"not a PKCS#10 certification request: {exc}", code="invalid_csr"
        ) from None
    if (
        algorithm["algorithm"].native != "ec"
        or algorithm["parameters"].name != "named"
        or algorithm["parameters"].chosen.dotted != SM2_CURVE
    ):
        curve = (
            algorithm["parameters"].native
            if algorithm["algorithm"].native == "ec"
            else algorithm["algorithm"].native
        )
        raise ValidationError(
            f"the request's key is not SM2 (sm2p256v1) but {curve}", code="wrong_curve"
        )
    if request["signature_algorithm"]["algorithm"].dotted != SM2_WITH_SM3:
        raise ValidationError("the request is not signed with SM2-with-SM3", code="invalid_csr")
    try:
        public_key = SM2PublicKey.from_point(spki["public_key"].native)
    except InvalidKey as exc:
        raise ValidationError(
            f"the request's public key is invalid: {exc.message}", code="invalid_csr"
        ) from None
    signature, tbs = bytes(request["signature"]), info.dump()
    for distinguishing_id in ACCEPTED_IDS:
        try:
            public_key.verify(signature, tbs, distinguishing_id=distinguishing_id)
        except InvalidSignature:
            continue
        return ParsedRequest(info["subject"], public_key, distinguishing_id)
    raise ValidationError(
        "the request's signature does not verify: no proof of possession",
        code="csr_signature_invalid",
    )
