"""Certificate revocation lists (RFC 5280 §5), signed with SM2-with-SM3."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import core, crl, x509

from anbao.pki.core.certificates import (
    Signer,
    _time,
    key_identifier,
    sm2_algorithm,
)
from anbao.sm import SM2PublicKey


class Reason(enum.StrEnum):
    """RFC 5280 CRLReason values people choose from (asn1crypto names)."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    CA_COMPROMISE = "ca_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"
    CERTIFICATE_HOLD = "certificate_hold"
    PRIVILEGE_WITHDRAWN = "privilege_withdrawn"


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: dt.datetime
    reason: Reason = Reason.UNSPECIFIED


def build_crl(
    issuer: x509.Name,
    issuer_public_key: SM2PublicKey,
    revoked: Iterable[Revoked],
    *,
    number: int,
    this_update: dt.datetime,
    next_update: dt.datetime,
    sign: Signer,
) -> crl.CertificateList:
    entries = []
    for item in sorted(revoked, key=lambda r: r.serial):
        entry: dict[str, object] = {
            "user_certificate": item.serial,
            "revocation_date": _time(item.revoked_at),
        }
        if item.reason != Reason.UNSPECIFIED:
            entry["crl_entry_extensions"] = [
                {"extn_id": "crl_reason", "critical": False, "extn_value": item.reason.value}
            ]
        entries.append(entry)
    tbs = crl.TbsCertList(
        {
            "version": "v2",
            "signature": sm2_algorithm(),
            "issuer": issuer,
            "this_update": _time(this_update),
            "next_update": _time(next_update),
            "revoked_certificates": entries or None,
            "crl_extensions": [
                {"extn_id": "crl_number", "critical": False, "extn_value": number},
                {
                    "extn_id": "authority_key_identifier",
                    "critical": False,
                    "extn_value": {"key_identifier": key_identifier(issuer_public_key)},
                },
            ],
        }
    )
    if not entries:
        del tbs["revoked_certificates"]
    signature = sign(tbs.dump())
    return crl.CertificateList(
        {
            "tbs_cert_list": tbs,
            "signature_algorithm": sm2_algorithm(),
            "signature": core.OctetBitString(signature),
        }
    )


def verify_crl(cert_list: crl.CertificateList, issuer_key: SM2PublicKey) -> None:
    """Raise InvalidSignature unless the CRL was signed by ``issuer_key`` (default ID)."""
    issuer_key.verify(bytes(cert_list["signature"]), cert_list["tbs_cert_list"].dump())
