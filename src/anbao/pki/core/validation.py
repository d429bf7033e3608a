"""Whether a certificate may vouch for a signature: composable checks that raise.

Each check raises :class:`Refused` with a stable ``reason`` the signature service returns:
``untrusted_issuer``, ``certificate_expired``, ``certificate_revoked``, ``wrong_key_usage``,
``signature_invalid``. ``verify_signed_by`` runs them in that order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from asn1crypto import x509

from anbao.errors import ValidationError
from anbao.pki.core.certificates import public_key_of, verify_signature
from anbao.sm import DEFAULT_ID
from anbao.sm.errors import InvalidKey, InvalidSignature


class Refused(ValidationError):
    """The certificate or the signature does not hold; ``reason`` says which check failed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, code=reason)
        self.reason = reason


Check = Callable[[x509.Certificate], None]


@dataclass(frozen=True)
class IssuedBy:
    """The certificate was signed by one of the trusted issuing CAs."""

    issuers: Sequence[x509.Certificate]

    def __call__(self, cert: x509.Certificate) -> None:
        for issuer in self.issuers:
            if issuer.subject == cert.issuer and _signed_by(issuer.dump(), cert.dump()):
                return
        raise Refused("untrusted_issuer", "the certificate was not issued by this CA")


@functools.lru_cache(maxsize=8192)
def _signed_by(issuer_der: bytes, cert_der: bytes) -> bool:
    """Whether the issuer signed the certificate: a fact about two fixed byte strings, so
    the signature service checks each holder's certificate once, not on every request."""
    try:
        verify_signature(
            x509.Certificate.load(cert_der), public_key_of(x509.Certificate.load(issuer_der))
        )
    except (InvalidSignature, InvalidKey, ValidationError):
        return False
    return True


@dataclass(frozen=True)
class ValidAt:
    now: dt.datetime

    def __call__(self, cert: x509.Certificate) -> None:
        validity = cert["tbs_certificate"]["validity"]
        if not validity["not_before"].native <= self.now <= validity["not_after"].native:
            raise Refused("certificate_expired", "the certificate is outside its validity period")


@dataclass(frozen=True)
class NotRevoked:
    is_revoked: Callable[[int], bool]

    def __call__(self, cert: x509.Certificate) -> None:
        if self.is_revoked(cert.serial_number):
            raise Refused("certificate_revoked", "the certificate has been revoked")


@dataclass(frozen=True)
class KeyUsage:
    required: str = "digital_signature"

    def __call__(self, cert: x509.Certificate) -> None:
        usage = cert.key_usage_value
        if usage is None or self.required not in usage.native:
            raise Refused(
                "wrong_key_usage", f"the certificate's key usage does not allow {self.required}"
            )


def verify_signed_by(
    cert: x509.Certificate,
    checks: Sequence[Check],
    message: bytes,
    signature: bytes,
    distinguishing_id: bytes | str = DEFAULT_ID,
) -> None:
    """Run the certificate checks, then verify the SM2 signature with the given ID."""
    for check in checks:
        check(cert)
    try:
        public_key_of(cert).verify(signature, message, distinguishing_id=distinguishing_id)
    except (InvalidSignature, InvalidKey) as exc:
        raise Refused("signature_invalid", exc.message) from None
