"""Enrolment use cases: invite a holder, open an invitation, enrol with a CSR.

The invitation code is the holder's only credential here, so it is random (128 bits),
stored only as its SM3 hash, shown once, good for one enrolment and for a limited time.
Every failure is audited, and an address with too many recent failures is refused for a
while. Certificates come from :func:`anbao.pki.services.issuance.issue`; the invitation is
marked used in the same transaction, so a failed issue leaves it open and nothing issued.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.accounts.services import USERNAME_CHARS
from anbao.audit.models import AuditRecord
from anbao.audit.services import FAILURE, client_address, record
from anbao.enrolment import core
from anbao.enrolment.models import Invitation
from anbao.pki.models import CertificateAuthority, Holder
from anbao.pki.services.authority import chain_pem
from anbao.pki.services.issuance import HolderInput, certificate_pem, issue, validate_holder

FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 20  # per source address and window; hospital users share NAT addresses


class Gone(errors.Error):
    """The invitation was used or has expired (HTTP 410)."""

    code = "invitation_gone"
    http_status = 410


class TooManyAttempts(errors.Error):
    code = "too_many_attempts"
    http_status = 429


@dataclass(frozen=True)
class Enrolled:
    invitation: Invitation
    serial: str
    certificate_pem: str
    chain_pem: str
    not_after: dt.datetime
    encryption_serial: str | None
    encryption_certificate_pem: str | None
    envelope_b64: str | None  # GM/T 0009 SM2EnvelopedKey, sealed to the signing key


def enrolment_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/enrol/{code}/"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now().replace(microsecond=0)


def create_invitation(
    *,
    name: str,
    email: str,
    unit: str = "",
    username: str = "",
    profile: str = "pc",
    dual: bool = False,
    hours: int = core.DEFAULT_HOURS,
    actor: Any = None,
    request: Any = None,
    now: dt.datetime | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it and the code, which is not stored and shown once."""
    data = HolderInput(
        name=name.strip(),
        email=email.strip(),
        unit=unit.strip(),
        username=username.strip(),
        profile=profile,
    )
    validate_holder(data)
    try:
        core.check_hours(hours)
    except ValueError:
        raise errors.ValidationError(
            _("the validity must be between 1 and %(n)d hours") % {"n": core.MAX_HOURS},
            code="invalid_hours",
        ) from None
    _check_holder(data)
    if not CertificateAuthority.objects.filter(role=CertificateAuthority.ISSUING).exists():
        raise errors.Conflict(
            _("no certificate authority: run `anbao ca init` first"), code="no_ca"
        )
    now = _now(now)
    code = core.new_code()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            code_hash=core.code_hash(code),
            name=data.name,
            email=data.email,
            unit=data.unit,
            username=data.username,
            profile=profile,
            dual=dual,
            created_by=_actor_name(actor, request),
            expires_at=now + dt.timedelta(hours=hours),
        )
        record(
            "enrolment.invite",
            actor=actor,
            request=request,
            object_type="invitation",
            object_id=invitation.pk,
            details={
                "holder": data.email,
                "profile": profile,
                "dual": dual,
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
    return invitation, code


def withdraw(
    invitation_id: int, *, actor: Any = None, request: Any = None, now: dt.datetime | None = None
) -> Invitation:
    """Make an open invitation unusable (e.g. the code reached the wrong person)."""
    now = _now(now)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None:
            raise errors.NotFound(
                _("no invitation %(id)s") % {"id": invitation_id}, code="invitation_not_found"
            )
        current = state_of(invitation, now)
        if current is not core.State.OPEN:
            raise errors.Conflict(
                _("the invitation is %(state)s already") % {"state": state_label(current)},
                code="invitation_not_open",
            )
        invitation.withdrawn_at = now
        invitation.save(update_fields=["withdrawn_at"])
        record(
            "enrolment.withdrawn",
            actor=actor,
            request=request,
            object_type="invitation",
            object_id=invitation.pk,
            details={"holder": invitation.email},
        )
    return invitation


def state_label(state: core.State) -> str:
    return {
        core.State.OPEN: _("open"),
        core.State.USED: _("used"),
        core.State.EXPIRED: _("expired"),
        core.State.WITHDRAWN: _("withdrawn"),
    }[state]


def _check_holder(data: HolderInput) -> None:
    """Refuse now what issuance would refuse later, while the administrator is here."""
    if data.username and (len(data.username) > 150 or not set(data.username) <= USERNAME_CHARS):
        raise errors.ValidationError(
            _("Invalid user name %(name)r: use 1-150 letters, digits and . _ - @.")
            % {"name": data.username},
            code="invalid_username",
        )
    holder = Holder.objects.filter(email__iexact=data.email).first()
    if holder is not None and holder.name != data.name:
        raise errors.Conflict(
            _("the e-mail %(e)s belongs to the holder %(n)s") % {"e": data.email, "n": holder.name},
            code="duplicate_holder",
        )


def enrolment_api_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/enrol/{code}/"


def _actor_name(actor: Any, request: Any) -> str:
    actor = actor if actor is not None else getattr(request, "user", None)
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", "") or "")


def state_of(invitation: Invitation, now: dt.datetime | None = None) -> core.State:
    return core.state(invitation.expires_at, invitation.used_at, _now(now), invitation.withdrawn_at)


def _check_rate(request: Any, now: dt.datetime) -> None:
    address = client_address(request)
    if not address:
        return
    since = (now - FAILURE_WINDOW).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    failures = AuditRecord.objects.filter(
        action="enrolment.failed", source_ip=address, timestamp__gte=since
    ).count()
    if failures >= MAX_FAILURES:
        # Audited as a failure too, so an address that keeps trying stays refused.
        _fail(request, TooManyAttempts.code, "", None)
        raise TooManyAttempts(
            _("too many failed attempts from this address: try again in 15 minutes")
        )


def _fail(request: Any, reason: str, code: str, invitation: Invitation | None) -> None:
    record(
        "enrolment.failed",
        actor=f"invitation:{invitation.pk}" if invitation else "",
        request=request,
        object_type="invitation",
        object_id=invitation.pk if invitation else "",
        outcome=FAILURE,
        # The code is a credential: only a prefix of its hash goes into the trail.
        details={"reason": reason, "code_hash": core.code_hash(code)[:16] if code else ""},
    )


def _not_found() -> errors.NotFound:
    return errors.NotFound(
        _(
            "this enrolment code is not valid: check the link or ask your security "
            "administrator for a new invitation"
        ),
        code="invitation_not_found",
    )


def _used() -> Gone:
    return Gone(
        _(
            "this enrolment code has already been used: ask your security administrator "
            "for a new invitation"
        ),
        code="invitation_used",
    )


def _find(code: str, now: dt.datetime, *, lock: bool) -> Invitation:
    """The open invitation for ``code``; raises NotFound or Gone."""
    if not core.is_well_formed(code):
        raise _not_found()
    query = Invitation.objects.select_for_update() if lock else Invitation.objects
    invitation = query.filter(code_hash=core.code_hash(code)).first()
    if invitation is None:
        raise _not_found()
    current = state_of(invitation, now)
    if current is core.State.USED:
        raise _used()
    if current is core.State.WITHDRAWN:
        raise Gone(
            _(
                "this enrolment code has been withdrawn: ask your security administrator for "
                "a new invitation"
            ),
            code="invitation_withdrawn",
        )
    if current is core.State.EXPIRED:
        raise Gone(
            _(
                "this enrolment code has expired: ask your security administrator for a new "
                "invitation"
            ),
            code="invitation_expired",
        )
    return invitation


def open_invitation(
    code: str, *, request: Any = None, now: dt.datetime | None = None
) -> Invitation:
    """The invitation behind a code, for the enrolment page; audits the opening or failure."""
    now = _now(now)
    code = core.normalise(code)
    _check_rate(request, now)
    try:
        invitation = _find(code, now, lock=False)
    except errors.Error as exc:
        _fail(request, exc.code, code, _quiet_lookup(code))
        raise
    record(
        "enrolment.started",
        actor=f"invitation:{invitation.pk}",
        request=request,
        object_type="invitation",
        object_id=invitation.pk,
        details={"holder": invitation.email, "profile": invitation.profile},
    )
    return invitation


def _csr_messages() -> dict[str, str]:
    """Person-readable words for the request problems that anbao.pki reports in English."""
    return {
        "invalid_csr": _("the certificate request is not a valid PKCS#10 request"),
        "wrong_curve": _("the certificate request is not for an SM2 key (sm2p256v1)"),
        "csr_signature_invalid": _(
            "the certificate request's signature does not verify: no proof of possession"
        ),
    }


def _quiet_lookup(code: str) -> Invitation | None:
    if not core.is_well_formed(code):
        return None
    return Invitation.objects.filter(code_hash=core.code_hash(code)).first()


def enrol(
    code: str, csr: bytes, *, request: Any = None, now: dt.datetime | None = None
) -> Enrolled:
    """Issue the invitation's certificates for the public key of ``csr`` and use it up."""
    now = _now(now)
    code = core.normalise(code)
    _check_rate(request, now)
    try:
        with transaction.atomic():
            invitation = _find(code, now, lock=True)
            actor = f"invitation:{invitation.pk}"
            pair = issue(
                HolderInput(
                    name=invitation.name,
                    email=invitation.email,
                    unit=invitation.unit,
                    username=invitation.username,
                    profile=invitation.profile,
                ),
                csr=csr,
                dual=invitation.dual,
                actor=actor,
                now=now,
            )
            encryption = pair.encryption
            # The conditional update is what makes the code single-use under concurrency,
            # on SQLite (no row locks) as on PostgreSQL.
            claimed = Invitation.objects.filter(
                pk=invitation.pk, used_at__isnull=True, withdrawn_at__isnull=True
            ).update(
                used_at=now,
                certificate_serial=pair.signing.serial,
                encryption_serial=encryption.serial if encryption else "",
            )
            if not claimed:
                raise _used()
            record(
                "enrolment.completed",
                actor=actor,
                request=request,
                object_type="invitation",
                object_id=invitation.pk,
                details={
                    "holder": invitation.email,
                    "serial": pair.signing.serial,
                    "encryption_serial": encryption.serial if encryption else None,
                    "profile": invitation.profile,
                },
            )
    except errors.Error as exc:
        _fail(request, exc.code, code, _quiet_lookup(code))
        if isinstance(exc, errors.ValidationError) and exc.code in _csr_messages():
            raise errors.ValidationError(_csr_messages()[exc.code], code=exc.code) from None
        raise
    invitation.refresh_from_db()
    return Enrolled(
        invitation=invitation,
        serial=pair.signing.serial,
        certificate_pem=certificate_pem(pair.signing).decode("ascii"),
        chain_pem=chain_pem().decode("ascii"),
        not_after=pair.signing.not_after,
        encryption_serial=encryption.serial if encryption else None,
        encryption_certificate_pem=(
            certificate_pem(encryption).decode("ascii") if encryption else None
        ),
        envelope_b64=base64.b64encode(pair.envelope).decode("ascii") if pair.envelope else None,
    )
