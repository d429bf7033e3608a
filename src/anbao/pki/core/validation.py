"""Whether a certificate may vouch for a signature: composable checks that raise.

Each check raises :class:`Refused` with a stable ``reason`` the signature service returns:
``untrusted_issuer``, ``certificate_expired``, ``certificate_revoked``, ``wrong_key_usage``,
``signature_invalid``. ``verify_signed_by`` runs them in that order.

The checks read :class:`CertificateFacts`, the few fields they need parsed once per
certificate (``facts`` is cached by the DER): the signature service and the login see the
same holders' certificates again and again, and asn1crypto parses lazily but slowly.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from asn1crypto import x509

from anbao.errors import ValidationError
from anbao.pki.core.certificates import public_key_of, verify_signature
from anbao.sm import DEFAULT_ID, SM2PublicKey
from anbao.sm.errors import InvalidKey, InvalidSignature


class Refused(ValidationError):
    """The certificate or the signature does not hold; ``reason`` says which check failed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, code=reason)
        self.reason = reason


@dataclass(frozen=True)
class CertificateFacts:
    """What the checks read from a certificate, parsed once."""

    der: bytes
    serial: int
    issuer: bytes  # the DER of the issuer's Name
    not_before: dt.datetime
    not_after: dt.datetime
    key_usage: frozenset[str]
    public_key: SM2PublicKey | None  # None: not an SM2 key
    subject: str  # human-friendly, for answers and logs


@functools.lru_cache(maxsize=8192)
def facts(der: bytes) -> CertificateFacts:
    """Parse the certificate ``der``; raise ValueError or TypeError when it does not parse."""
    cert = x509.Certificate.load(der)
    validity = cert["tbs_certificate"]["validity"]
    usage = cert.key_usage_value
    try:
        public_key: SM2PublicKey | None = public_key_of(cert)
    except (ValidationError, InvalidKey):
        public_key = None
    return CertificateFacts(
        der=der,
        serial=cert.serial_number,
        issuer=bytes(cert.issuer.dump()),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        key_usage=frozenset(usage.native) if usage is not None else frozenset(),
        public_key=public_key,
        subject=cert.subject.human_friendly,
    )


def facts_of(cert: x509.Certificate | bytes) -> CertificateFacts:
    return facts(bytes(cert if isinstance(cert, bytes) else cert.dump()))


Check = Callable[[CertificateFacts], None]


@dataclass(frozen=True)
class IssuedBy:
    """The certificate was signed by one of the trusted issuing CAs."""

    issuers: Sequence[x509.Certificate]

    def __call__(self, cert: CertificateFacts) -> None:
        for issuer in self.issuers:
            issuer_der, subject_der = _encodings(issuer)
            if _same_name(issuer.subject, subject_der, cert.issuer) and _signed_by(
                issuer_der, cert.der
            ):
                return
        raise Refused("untrusted_issuer", "the certificate was not issued by this CA")


@functools.lru_cache(maxsize=16)
def _encodings(issuer: x509.Certificate) -> tuple[bytes, bytes]:
    """The DER of an issuer certificate and of its subject; asn1crypto's ``dump`` walks the
    whole value each time to see whether it changed. Keyed by the object (CAs are few and
    their parsed certificates are kept, ``pki.services.lookup``)."""
    return bytes(issuer.dump()), bytes(issuer.subject.dump())


def _same_name(name: x509.Name, name_der: bytes, der: bytes) -> bool:
    """Equal DER, or equal under RFC 5280 name comparison (another encoding of the name)."""
    return name_der == der or name == x509.Name.load(der)


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

    def __call__(self, cert: CertificateFacts) -> None:
        if not cert.not_before <= self.now <= cert.not_after:
            raise Refused("certificate_expired", "the certificate is outside its validity period")


@dataclass(frozen=True)
class NotRevoked:
    is_revoked: Callable[[int], bool]

    def __call__(self, cert: CertificateFacts) -> None:
        if self.is_revoked(cert.serial):
            raise Refused("certificate_revoked", "the certificate has been revoked")


@dataclass(frozen=True)
class KeyUsage:
    required: str = "digital_signature"

    def __call__(self, cert: CertificateFacts) -> None:
        if self.required not in cert.key_usage:
            raise Refused(
                "wrong_key_usage", f"the certificate's key usage does not allow {self.required}"
            )


def check_certificate(cert: x509.Certificate | bytes, checks: Sequence[Check]) -> CertificateFacts:
    """Run the certificate checks in order; the first that fails raises :class:`Refused`."""
    found = facts_of(cert)
    for check in checks:
        check(found)
    return found


def verify_signed_by(
    cert: x509.Certificate | bytes,
    checks: Sequence[Check],
    message: bytes,
    signature: bytes,
    distinguishing_id: bytes | str = DEFAULT_ID,
) -> CertificateFacts:
    """Run the certificate checks, then verify the SM2 signature with the given ID."""
    found = check_certificate(cert, checks)
    if found.public_key is None:
        raise ValidationError(
            "the certificate's key is not an SM2 key (sm2p256v1)", code="wrong_curve"
        )
    try:
        found.public_key.verify(signature, message, distinguishing_id=distinguishing_id)
    except (InvalidSignature, InvalidKey) as exc:
        raise Refused("signature_invalid", exc.message) from None
    return found
