"""Certificate profiles (GM/T 0015-2012): what each kind of certificate may be used for."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Usage(enum.StrEnum):
    ROOT_CA = "root_ca"
    ISSUING_CA = "issuing_ca"
    SIGNING = "signing"  # the holder's signing certificate (login, 验签)
    ENCRYPTION = "encryption"  # the holder's encryption certificate (keys escrowed by the CA)
    SERVICE = "service"  # the signature service's application key, OCSP signing


class Profile(enum.StrEnum):
    PC = "pc"
    MOBILE = "mobile"


@dataclass(frozen=True)
class Policy:
    key_usage: frozenset[str]
    extended_key_usage: tuple[str, ...]  # asn1crypto names or dotted OIDs
    is_ca: bool
    path_length: int | None = None


POLICIES: dict[Usage, Policy] = {
    Usage.ROOT_CA: Policy(frozenset({"key_cert_sign", "crl_sign", "digital_signature"}), (), True),
    Usage.ISSUING_CA: Policy(
        frozenset({"key_cert_sign", "crl_sign", "digital_signature"}), (), True, 0
    ),
    # GM/T 0015 §5.2: signing certificates carry digitalSignature and nonRepudiation ...
    Usage.SIGNING: Policy(
        frozenset({"digital_signature", "non_repudiation"}),
        ("client_auth", "email_protection"),
        False,
    ),
    # ... encryption certificates keyEncipherment, dataEncipherment and keyAgreement.
    Usage.ENCRYPTION: Policy(
        frozenset({"key_encipherment", "data_encipherment", "key_agreement"}),
        ("email_protection",),
        False,
    ),
    Usage.SERVICE: Policy(
        frozenset({"digital_signature", "non_repudiation"}), ("ocsp_signing",), False
    ),
}

DEFAULT_HOLDER_DAYS = 365  # the contract buys one-year certificates
DEFAULT_ROOT_DAYS = 20 * 365
DEFAULT_ISSUING_DAYS = 10 * 365


def policy(usage: Usage | str) -> Policy:
    return POLICIES[Usage(usage)]
