"""OCSP responses (RFC 6960) signed with SM2-with-SM3 by the issuing CA."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import core, ocsp
from asn1crypto import x509 as asn1_x509

from anbao.pki.core.certificates import Signer, public_key_of, sm2_algorithm
from anbao.pki.core.crl import Reason
from anbao.sm import sm3

SM3_OID = "1.2.156.10197.1.401"


class Status(enum.StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CertificateStatus:
    status: Status
    revoked_at: dt.datetime | None = None
    reason: Reason = Reason.UNSPECIFIED


StatusLookup = Callable[[int], CertificateStatus]  # serial → status


def _hash(algorithm: str, data: bytes) -> bytes | None:
    if algorithm in {"sha1", "sha256", "sha384", "sha512"}:
        return hashlib.new(algorithm, data).digest()
    if algorithm == SM3_OID:
        return sm3(data)
    return None


def _issued_by(cert_id: ocsp.CertId, issuer: asn1_x509.Certificate) -> bool:
    algorithm = cert_id["hash_algorithm"]["algorithm"]
    name = str(algorithm.native)
    name_hash = _hash(name, issuer.subject.dump())
    key_hash = _hash(name, public_key_of(issuer).to_point())
    return bool(
        name_hash == cert_id["issuer_name_hash"].native
        and key_hash == cert_id["issuer_key_hash"].native
    )


def error_response(status: str) -> bytes:
    """An unsigned OCSP error (``malformed_request``, ``internal_error``, ``unauthorized``)."""
    return bytes(ocsp.OCSPResponse({"response_status": status}).dump())


def respond(
    request_der: bytes,
    issuer: asn1_x509.Certificate,
    lookup: StatusLookup,
    sign: Signer,
    *,
    now: dt.datetime,
    validity: dt.timedelta,
) -> bytes:
    """Answer a DER OCSPRequest; malformed input yields a ``malformed_request`` response."""
    try:
        request = ocsp.OCSPRequest.load(request_der, strict=True)
        items = list(request["tbs_request"]["request_list"])
        nonce = request.nonce_value
        _ = request.native
    except (ValueError, TypeError, KeyError):
        return error_response("malformed_request")
    if not items:
        return error_response("malformed_request")
    responses = []
    for item in items:
        cert_id = item["req_cert"]
        serial = cert_id["serial_number"].native
        status = (
            lookup(serial) if _issued_by(cert_id, issuer) else CertificateStatus(Status.UNKNOWN)
        )
        responses.append(
            {
                "cert_id": cert_id,
                "cert_status": _status_value(status),
                "this_update": now,
                "next_update": now + validity,
            }
        )
    data = {
        "version": "v1",
        # RFC 6960 4.2.1: byKey is the SHA-1 of the responder's public key bits.
        "responder_id": ocsp.ResponderId(
            {"by_key": hashlib.sha1(public_key_of(issuer).to_point()).digest()}  # noqa: S324
        ),
        "produced_at": now,
        "responses": responses,
    }
    if nonce is not None:
        data["response_extensions"] = [
            {"extn_id": "nonce", "critical": False, "extn_value": nonce.native}
        ]
    tbs = ocsp.ResponseData(data)
    basic = ocsp.BasicOCSPResponse(
        {
            "tbs_response_data": tbs,
            "signature_algorithm": sm2_algorithm(),
            "signature": core.OctetBitString(sign(tbs.dump())),
            "certs": [issuer],
        }
    )
    response = ocsp.OCSPResponse(
        {
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
        }
    )
    return bytes(response.dump())


def _status_value(status: CertificateStatus) -> ocsp.CertStatus:
    if status.status == Status.GOOD:
        return ocsp.CertStatus({"good": core.Null()})
    if status.status == Status.REVOKED:
        info: dict[str, object] = {"revocation_time": status.revoked_at}
        if status.reason != Reason.UNSPECIFIED:
            info["revocation_reason"] = status.reason.value
        return ocsp.CertStatus({"revoked": info})
    return ocsp.CertStatus({"unknown": core.Null()})
