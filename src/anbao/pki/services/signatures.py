"""The signature-verification service (签名验签服务) for other systems."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import FAILURE, record
from anbao.pki import keystore
from anbao.pki.core import certificates as C
from anbao.pki.core import validation as V
from anbao.pki.core.names import build_name, dn_text
from anbao.pki.core.profiles import DEFAULT_HOLDER_DAYS, Usage
from anbao.pki.models import Certificate, ServiceKey
from anbao.pki.services import lookup
from anbao.pki.services.authority import issuing_ca, links, serial_hex
from anbao.pki.services.status import normalise_serial
from anbao.sm import DEFAULT_ID, SM2PrivateKey, sm3
from anbao.sm.encoding import load_signature
from anbao.sm.errors import InvalidSignature, SMError

log = logging.getLogger(__name__)
MAX_MESSAGE = 10 * 1024 * 1024
MAX_ID = 1024


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str | None
    serial: str
    subject: str
    not_after: str


def _reason_text(reason: str) -> str:
    texts = {
        "signature_invalid": _("the signature does not match the message, key and ID"),
        "certificate_revoked": _("the certificate has been revoked"),
        "certificate_expired": _("the certificate is outside its validity period"),
        "untrusted_issuer": _("the certificate was not issued by this CA"),
        "wrong_key_usage": _("the certificate may not be used for signatures"),
    }
    return texts.get(reason, reason)


def parse_certificate(data: bytes) -> asn1_x509.Certificate:
    try:
        der = pem.unarmor(data)[2] if pem.detect(data) else data
        cert = asn1_x509.Certificate.load(der, strict=True)
        cert.native  # noqa: B018 - parse every field now, so later access cannot fail
    except (ValueError, TypeError, KeyError):
        raise errors.ValidationError(
            _("the certificate is not a PEM or DER X.509 certificate"), code="invalid_certificate"
        ) from None
    return cert


def _is_revoked(serial: int) -> bool:
    return lookup.is_revoked(serial_hex(serial))


def verify(
    message: bytes,
    signature: bytes,
    *,
    certificate: bytes | None = None,
    serial: str | None = None,
    distinguishing_id: bytes = DEFAULT_ID,
    actor: object = None,
    now: dt.datetime | None = None,
) -> Verdict:
    """Check the holder's certificate and the SM2 signature; say valid or which check failed."""
    if (certificate is None) == (serial is None):
        raise errors.ValidationError(_("give either a certificate or a serial"))
    if len(message) > MAX_MESSAGE:
        raise errors.ValidationError(_("the message is larger than 10 MB"))
    if len(distinguishing_id) > MAX_ID:
        raise errors.ValidationError(_("the SM2 ID is too long"))
    try:
        signature = load_signature(signature)
    except SMError:
        raise errors.ValidationError(
            _("the signature is not a DER SM2 signature"), code="invalid_signature_encoding"
        ) from None
    revoked: Callable[[int], bool] = _is_revoked
    issuer = None
    if certificate is not None:
        der = bytes(parse_certificate(certificate).dump())
    else:
        key = normalise_serial(serial or "")
        known = lookup.certificate_by_serial(key)
        if known is None:
            raise errors.NotFound(
                _("no certificate with serial %(s)s") % {"s": key}, code="unknown_serial"
            )
        der, issuer = known.der, known.issuing_ca()
        # The row just read says whether it is revoked: no second query.
        revoked = lambda _serial: known.revoked  # noqa: E731
    reason = None
    try:
        checks = _checks(now, revoked, issuer)
        V.verify_signed_by(der, checks, message, signature, distinguishing_id)
    except V.Refused as refused:
        reason = refused.reason
    return _conclude(V.facts(der), reason, message, actor)


def _checks(
    now: dt.datetime | None,
    revoked: Callable[[int], bool] = _is_revoked,
    issuer: asn1_x509.Certificate | None = None,
) -> list[V.Check]:
    return [
        V.IssuedBy([issuer or lookup.issuing_certificate()]),
        V.ValidAt(now or timezone.now()),
        V.NotRevoked(revoked),
        V.KeyUsage("digital_signature"),
    ]


def _conclude(
    cert: V.CertificateFacts, reason: str | None, message: bytes, actor: object
) -> Verdict:
    verdict = Verdict(
        valid=reason is None,
        reason=reason,
        serial=serial_hex(cert.serial),
        subject=cert.subject,
        not_after=cert.not_after.isoformat(),
    )
    if verdict.valid:
        # A good signature is routine business of the calling system: application log only.
        if log.isEnabledFor(logging.INFO):
            log.info(
                "signature valid: certificate %s, message sm3 %s",
                verdict.serial,
                sm3(message).hex(),
            )
    else:  # a refused one may be forgery or misuse: the audit trail keeps it
        record(
            "signature.verify",
            actor=actor,
            object_type="certificate",
            object_id=verdict.serial,
            outcome=FAILURE,
            details={"reason": reason, "message_sm3": sm3(message).hex()},
        )
    return verdict


def reason_message(reason: str | None) -> str:
    return _("the signature is valid") if reason is None else _reason_text(reason)


def _service_key(name: str) -> tuple[ServiceKey, SM2PrivateKey]:
    existing = ServiceKey.objects.select_related("certificate").filter(name=name).first()
    if existing is not None:
        return existing, keystore.unwrap_key(bytes(existing.wrapped_key), f"service:{name}")
    ca = issuing_ca()
    key = SM2PrivateKey.generate()
    now = timezone.now().replace(microsecond=0)
    subject = build_name({**ca.name.native, "common_name": f"{name} 签名服务"[:64]})
    serial = C.random_serial()
    cert = C.issue(
        C.CertificateRequest(
            subject,
            key.public_key(),
            Usage.SERVICE,
            now,
            now + dt.timedelta(days=DEFAULT_HOLDER_DAYS),
            serial,
            links=links(),
        ),
        ca.name,
        ca.public_key,
        ca.sign,
    )
    with transaction.atomic():
        row = Certificate.objects.create(
            serial=serial_hex(serial),
            issuer=ca.record,
            usage=Usage.SERVICE.value,
            subject=dn_text(subject),
            der=cert.dump(),
            fingerprint=sm3(cert.dump()).hex(),
            not_before=now,
            not_after=now + dt.timedelta(days=DEFAULT_HOLDER_DAYS),
            created_by="signature-service",
        )
        service = ServiceKey.objects.create(
            name=name, certificate=row, wrapped_key=keystore.wrap_key(key, f"service:{name}")
        )
        record(
            "cert.issue",
            actor="signature-service",
            object_type="certificate",
            object_id=row.serial,
            details={"service_key": name},
        )
    return service, key


def sign(
    message: bytes,
    *,
    key_name: str = "default",
    actor: object = None,
    distinguishing_id: bytes = DEFAULT_ID,
) -> tuple[bytes, bytes]:
    """Sign with the server-held application key; returns (DER signature, certificate PEM)."""
    if len(message) > MAX_MESSAGE:
        raise errors.ValidationError(_("the message is larger than 10 MB"))
    service, key = _service_key(key_name)
    signature = key.sign(message, distinguishing_id=distinguishing_id)
    record(
        "signature.sign",
        actor=actor,
        object_type="service_key",
        object_id=key_name,
        details={"message_sm3": sm3(message).hex(), "serial": service.certificate.serial},
    )
    return signature, bytes(pem.armor("CERTIFICATE", bytes(service.certificate.der)))


def verify_cms(
    signed: bytes,
    message: bytes,
    *,
    certificate: bytes | None = None,
    distinguishing_id: bytes = DEFAULT_ID,
    actor: object = None,
    now: dt.datetime | None = None,
) -> Verdict:
    """Check a detached GM/T 0010 SignedData over ``message`` and its signer's certificate."""
    from anbao.pki.core import cms

    if len(message) > MAX_MESSAGE:
        raise errors.ValidationError(_("the message is larger than 10 MB"))
    given = parse_certificate(certificate) if certificate is not None else None
    signer = cms.signer_of(signed, given)
    reason = None
    try:
        V.check_certificate(signer, _checks(now))
        cms.verify_detached(
            signed, message, certificate=signer, distinguishing_id=distinguishing_id
        )
    except V.Refused as refused:
        reason = refused.reason
    except InvalidSignature:
        reason = "signature_invalid"
    return _conclude(V.facts_of(signer), reason, message, actor)


def sign_cms(message: bytes, *, key_name: str = "default", actor: object = None) -> bytes:
    """A detached GM/T 0010 SignedData over ``message`` by the server-held key."""
    from anbao.pki.core import cms

    if len(message) > MAX_MESSAGE:
        raise errors.ValidationError(_("the message is larger than 10 MB"))
    service, key = _service_key(key_name)
    cert = asn1_x509.Certificate.load(bytes(service.certificate.der))
    signed = cms.sign_detached(message, cert, key.sign, now=timezone.now().replace(microsecond=0))
    record(
        "signature.sign_cms",
        actor=actor,
        object_type="service_key",
        object_id=key_name,
        details={"message_sm3": sm3(message).hex(), "serial": service.certificate.serial},
    )
    return signed
