"""Finding, revoking and renewing certificates; CRLs and OCSP answers."""

from __future__ import annotations

import datetime as dt
import re

from asn1crypto import x509 as asn1_x509
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import record
from anbao.pki.core import crl as crl_core
from anbao.pki.core import ocsp as ocsp_core
from anbao.pki.core.certificates import public_key_of
from anbao.pki.core.profiles import Usage
from anbao.pki.models import Certificate, CertificateAuthority, RevocationList
from anbao.pki.services.authority import issuing_ca, serial_hex
from anbao.pki.services.issuance import HolderInput, IssuedPair, issue

SERIAL_RE = re.compile(r"^[0-9A-F]{1,40}$")
CRL_VALIDITY = dt.timedelta(days=7)
OCSP_VALIDITY = dt.timedelta(hours=1)


def normalise_serial(text: str) -> str:
    """Accept hex as `openssl x509 -serial` prints it (also with colons or 0x)."""
    cleaned = text.strip().upper().removeprefix("SERIAL=").removeprefix("0X").replace(":", "")
    if not SERIAL_RE.match(cleaned):
        raise errors.ValidationError(
            _("not a hexadecimal serial number: %(s)r") % {"s": text}, code="invalid_serial"
        )
    return serial_hex(int(cleaned, 16))


def get(serial: str) -> Certificate:
    key = normalise_serial(serial)
    cert = Certificate.objects.select_related("holder", "issuer").filter(serial=key).first()
    if cert is None:
        raise errors.NotFound(
            _("no certificate with serial %(s)s") % {"s": key}, code="unknown_serial"
        )
    return cert


def parse_reason(text: str) -> crl_core.Reason:
    try:
        return crl_core.Reason(text)
    except ValueError:
        raise errors.ValidationError(
            _("unknown revocation reason %(r)r; choose one of: %(all)s")
            % {"r": text, "all": ", ".join(r.value for r in crl_core.Reason)},
            code="invalid_reason",
        ) from None


def revoke(
    serial: str, reason: str, *, actor: object = None, now: dt.datetime | None = None
) -> Certificate:
    """Revoke a certificate (and its encryption pair); the next CRL and OCSP show it."""
    why = parse_reason(reason)
    now = now or timezone.now().replace(microsecond=0)
    with transaction.atomic():
        cert = get(serial)
        if cert.status == Certificate.REVOKED:
            raise errors.Conflict(
                _("the certificate %(s)s is already revoked") % {"s": cert.serial},
                code="already_revoked",
            )
        targets = [cert] + [c for c in (cert.pair, getattr(cert, "paired_with", None)) if c]
        for target in targets:
            if target.status == Certificate.VALID:
                target.status = Certificate.REVOKED
                target.revoked_at = now
                target.revocation_reason = why.value
                target.save(update_fields=["status", "revoked_at", "revocation_reason"])
        record(
            "cert.revoke",
            actor=actor,
            object_type="certificate",
            object_id=cert.serial,
            details={"reason": why.value, "also": [t.serial for t in targets[1:]]},
        )
    return cert


def build_crl(*, actor: object = None, now: dt.datetime | None = None) -> RevocationList:
    """Issue the next CRL of the issuing CA and store it."""
    now = now or timezone.now().replace(microsecond=0)
    ca = issuing_ca()
    revoked = [
        crl_core.Revoked(
            int(c.serial, 16), c.revoked_at, crl_core.Reason(c.revocation_reason or "unspecified")
        )
        for c in Certificate.objects.filter(issuer=ca.record, status=Certificate.REVOKED)
    ]
    with transaction.atomic():
        CertificateAuthority.objects.filter(pk=ca.record.pk).update(crl_number=F("crl_number") + 1)
        number = CertificateAuthority.objects.get(pk=ca.record.pk).crl_number
        cert_list = crl_core.build_crl(
            ca.name,
            ca.public_key,
            revoked,
            number=number,
            this_update=now,
            next_update=now + CRL_VALIDITY,
            sign=ca.sign,
        )
        row = RevocationList.objects.create(
            issuer=ca.record,
            number=number,
            this_update=now,
            next_update=now + CRL_VALIDITY,
            der=cert_list.dump(),
        )
        record(
            "ca.crl",
            actor=actor,
            object_type="crl",
            object_id=str(number),
            details={"revoked": len(revoked)},
        )
    return row


def current_crl(now: dt.datetime | None = None) -> bytes:
    """The newest CRL, issuing a fresh one when none is valid any more."""
    now = now or timezone.now()
    latest = (
        RevocationList.objects.filter(issuer__role=CertificateAuthority.ISSUING)
        .order_by("-number")
        .first()
    )
    if (
        latest is None
        or latest.next_update <= now + dt.timedelta(days=1)
        or latest.this_update < _last_revocation()
    ):
        latest = build_crl(actor="system")
    return bytes(latest.der)


def _last_revocation() -> dt.datetime:
    last = Certificate.objects.filter(status=Certificate.REVOKED).order_by("-revoked_at").first()
    return last.revoked_at if last and last.revoked_at else dt.datetime.min.replace(tzinfo=dt.UTC)


def _lookup(serial: int) -> ocsp_core.CertificateStatus:
    cert = Certificate.objects.filter(serial=serial_hex(serial)).first()
    if cert is None:
        return ocsp_core.CertificateStatus(ocsp_core.Status.UNKNOWN)
    if cert.status == Certificate.REVOKED:
        return ocsp_core.CertificateStatus(
            ocsp_core.Status.REVOKED,
            cert.revoked_at,
            crl_core.Reason(cert.revocation_reason or "unspecified"),
        )
    return ocsp_core.CertificateStatus(ocsp_core.Status.GOOD)


def ocsp_response(request_der: bytes, now: dt.datetime | None = None) -> bytes:
    now = now or timezone.now().replace(microsecond=0)
    ca = issuing_ca()
    return ocsp_core.respond(
        request_der, ca.certificate, _lookup, ca.sign, now=now, validity=OCSP_VALIDITY
    )


def renew(serial: str, *, actor: object = None, now: dt.datetime | None = None) -> IssuedPair:
    """A new certificate for the same holder and key; a new encryption pair when dual."""
    old = get(serial)
    if old.usage != Usage.SIGNING.value or old.holder is None:
        raise errors.ValidationError(_("only a holder's signing certificate can be renewed"))
    if old.status == Certificate.REVOKED:
        raise errors.Conflict(
            _("the certificate %(s)s is revoked: issue a new one instead") % {"s": old.serial},
            code="certificate_revoked",
        )
    cert = asn1_x509.Certificate.load(bytes(old.der))
    holder = old.holder
    data = HolderInput(
        name=holder.name,
        email=holder.email,
        unit=holder.unit,
        phone=holder.phone,
        profile=old.profile or "pc",
    )
    result = issue(
        data,
        dual=old.pair_id is not None,
        actor=actor,
        now=now,
        renewal_of=old,
        public_key=public_key_of(cert),
    )
    record(
        "cert.renew",
        actor=actor,
        object_type="certificate",
        object_id=old.serial,
        details={"new_serial": result.signing.serial},
    )
    return result
