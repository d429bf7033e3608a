"""Certificate + password login with failed-login handling (docs/cert-login.md).

django-axes records every failure (its failure log, also for certificate failures, which
are reported through Django's ``user_login_failed`` signal); ``login_core`` decides the
locks. Each attempt holds row locks on its account and address gates, so concurrent
attempts are counted one after another.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.accounts import login_core as core
from anbao.accounts.core import ADMIN_ROLES, Role
from anbao.accounts.models import LoginChallenge, LoginGate, User
from anbao.audit.services import DENIED, FAILURE, client_address, record


class InvalidCredentials(errors.Error):
    code = "invalid_credentials"
    http_status = 401


class AccountLocked(errors.Error):
    code = "account_locked"
    http_status = 423


@dataclass(frozen=True)
class LoggedIn:
    user: User
    amr: tuple[str, ...]
    acr: str


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def issue_challenge(username: str, now: dt.datetime | None = None) -> dict[str, str]:
    """A fresh single-use challenge; the same answer whether or not the account exists."""
    username = username.strip()
    if not username or len(username) > 150:
        raise errors.ValidationError(_("a user name is required"))
    now = now or timezone.now()
    nonce = base64.b64encode(secrets.token_bytes(32)).decode()
    challenge = LoginChallenge.objects.create(
        id=uuid.uuid4(),
        username=username,
        nonce=nonce,
        created_at=now,
        expires_at=now + core.CHALLENGE_LIFETIME,
    )
    expires = _iso(challenge.expires_at)
    message = core.canonical_challenge(settings.SITE_URL, username, nonce, expires)
    return {
        "challenge_id": str(challenge.id),
        "nonce": nonce,
        "expires_at": expires,
        "server": settings.SITE_URL,
        "message": base64.b64encode(message).decode(),
    }


def _gates(username: str, address: str) -> tuple[LoginGate, LoginGate]:
    keys = [f"user:{username}"[:200], f"ip:{address}"[:200]]
    for key in keys:
        LoginGate.objects.get_or_create(key=key)
    # Lock in key order so that two attempts never wait for each other crosswise.
    locked = {
        g.key: g for g in LoginGate.objects.select_for_update().filter(key__in=keys).order_by("key")
    }
    return locked[keys[0]], locked[keys[1]]


def _state(
    username: str, address: str, user_gate: LoginGate, ip_gate: LoginGate, now: dt.datetime
) -> core.LockState:
    horizon = now - core.ACCOUNT_POLICY.window - core.ACCOUNT_POLICY.duration
    account = core.lock_state(
        AccessFailureLog.objects.filter(username=username, attempt_time__gte=horizon).values_list(
            "attempt_time", flat=True
        ),
        core.ACCOUNT_POLICY,
        now,
        user_gate.reset_at,
    )
    horizon = now - core.ADDRESS_POLICY.window - core.ADDRESS_POLICY.duration
    by_address = core.lock_state(
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=horizon).values_list(
            "attempt_time", flat=True
        ),
        core.ADDRESS_POLICY,
        now,
        ip_gate.reset_at,
    )
    return core.combine(account, by_address)


def certificate_required(user: User | None) -> bool:
    """Administrators and holders by policy (see docs/cert-login.md)."""
    if user is None:
        return False
    if Role(user.role) in ADMIN_ROLES:
        if settings.ANBAO_CERT_LOGIN_ADMINS == "required":
            return True
        return _has_valid_certificate(user)  # "enrolled": required once they hold one
    if user.role == Role.HOLDER.value:
        return settings.ANBAO_CERT_LOGIN_HOLDERS == "required"
    return False


def _has_valid_certificate(user: User) -> bool:
    from anbao.pki.models import Certificate

    return Certificate.objects.filter(
        holder__user=user, usage="signing", status=Certificate.VALID, not_after__gt=timezone.now()
    ).exists()


def _consume_challenge(
    challenge_id: str, username: str, now: dt.datetime
) -> tuple[LoginChallenge | None, str | None]:
    try:
        key = uuid.UUID(str(challenge_id))
    except ValueError:
        return None, "challenge_invalid"
    challenge = LoginChallenge.objects.filter(id=key).first()
    if challenge is None or challenge.username != username:
        return None, "challenge_invalid"
    consumed = LoginChallenge.objects.filter(id=key, used_at__isnull=True).update(used_at=now)
    if not consumed:
        return None, "challenge_replayed"
    if challenge.expires_at <= now:
        return None, "challenge_expired"
    return challenge, None


def _check_certificate(
    user: User | None,
    username: str,
    challenge_id: str,
    signature: str,
    certificate_pem: str | None,
    now: dt.datetime,
) -> tuple[str | None, str]:
    """(the reason the certificate part fails or None, the serial of the certificate used)."""
    from asn1crypto import x509

    from anbao.pki.core import validation as V
    from anbao.pki.models import Certificate
    from anbao.pki.services.authority import issuing_certificate, serial_hex
    from anbao.pki.services.signatures import parse_certificate
    from anbao.sm.encoding import load_signature
    from anbao.sm.errors import SMError

    challenge, problem = _consume_challenge(challenge_id, username, now)
    if problem:
        return problem, ""
    assert challenge is not None
    if user is None:
        return "unknown_user", ""
    try:
        der_signature = load_signature(base64.b64decode(signature or "", validate=True))
    except (binascii.Error, ValueError, SMError):
        return "signature_malformed", ""
    if certificate_pem:
        try:
            cert = parse_certificate(certificate_pem.encode())
        except errors.ValidationError:
            return "certificate_malformed", ""
        row = Certificate.objects.filter(serial=serial_hex(cert.serial_number)).first()
    else:
        row = (
            Certificate.objects.filter(holder__user=user, usage="signing", status=Certificate.VALID)
            .order_by("-not_after")
            .first()
        )
        if row is None:
            return "no_certificate", ""
        cert = x509.Certificate.load(bytes(row.der))
    message = core.canonical_challenge(
        settings.SITE_URL, username, challenge.nonce, _iso(challenge.expires_at)
    )
    checks = [
        V.IssuedBy([issuing_certificate()]),
        V.ValidAt(now),
        V.NotRevoked(
            lambda serial: Certificate.objects.filter(
                serial=serial_hex(serial), status=Certificate.REVOKED
            ).exists()
        ),
        V.KeyUsage("digital_signature"),
    ]
    try:
        V.verify_signed_by(cert, checks, message, der_signature)
    except V.Refused as refused:
        return refused.reason, ""
    if row is None or row.holder is None or row.holder.user_id != user.pk:
        return "certificate_not_owned", ""
    return None, row.serial


def _reserve(request: Any, username: str) -> int | None:
    """Count this attempt as a failure now, through axes; returns its failure-log row."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    row = (
        AccessFailureLog.objects.filter(username=username)
        .order_by("-attempt_time", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return row


def _refusal(
    request: Any, username: str, reason: str, address: str, now: dt.datetime
) -> errors.Error:
    record(
        "auth.login_failed",
        actor=username,
        request=request,
        object_type="user",
        object_id=username,
        outcome=FAILURE,
        details={"reason": reason},
    )
    user_gate, ip_gate = _gates(username, address)
    state = _state(username, address, user_gate, ip_gate, now)
    if state.locked:
        _announce_lock(username, address, state, user_gate, request)
        return _locked_error(state)
    return InvalidCredentials(
        _("Wrong user name or password; %(n)d attempts left") % {"n": state.remaining},
        remaining_attempts=state.remaining,
    )


def _locked_error(state: core.LockState) -> errors.Error:
    assert state.locked_until is not None
    local = timezone.localtime(state.locked_until)
    return AccountLocked(
        _("Too many failed sign-in attempts: locked until %(t)s")
        % {"t": local.strftime("%Y-%m-%d %H:%M")},
        locked_until=_iso(state.locked_until),
    )


def _announce_lock(
    username: str, address: str, state: core.LockState, gate: LoginGate, request: Any
) -> None:
    if gate.locked_notified_until == state.locked_until:
        return
    gate.locked_notified_until = state.locked_until
    gate.save(update_fields=["locked_notified_until"])
    record(
        "auth.lockout",
        actor=username,
        request=request,
        object_type="user",
        object_id=username,
        outcome=DENIED,
        details={"address": address, "locked_until": _iso(state.locked_until)},
    )
    from anbao.notifications.services import notify, users_with_role

    notify(
        users_with_role(Role.SECURITY_ADMIN),
        _("Account locked: %(u)s") % {"u": username},
        _("Too many failed sign-ins for %(u)s from %(a)s; locked until %(t)s.")
        % {"u": username, "a": address, "t": _iso(state.locked_until)},
        level="alert",
        link="/accounts/lockouts/",
    )


def login(
    request: Any,
    *,
    username: str,
    password: str,
    challenge_id: str | None = None,
    signature: str | None = None,
    certificate_pem: str | None = None,
    now: dt.datetime | None = None,
) -> LoggedIn:
    """Check everything; sign the person in, or raise InvalidCredentials / AccountLocked.

    The attempt is counted as a failure first, under short row locks on its account and
    address, and only then checked (password hashing takes a fifth of a second): concurrent
    attempts cannot exceed the limit, and no lock is held while hashing. A success takes its
    provisional failure back.
    """
    username = (username or "").strip()[:150]
    if not username:
        raise errors.ValidationError(_("a user name is required"))
    now = now or timezone.now()
    address = client_address(request) or "unknown"
    with transaction.atomic():
        user_gate, ip_gate = _gates(username, address)
        state = _state(username, address, user_gate, ip_gate, now)
        if not state.locked:
            reservation = _reserve(request, username)
    if state.locked:
        record(
            "auth.login_refused_locked",
            actor=username,
            request=request,
            object_type="user",
            object_id=username,
            outcome=DENIED,
        )
        raise _locked_error(state)

    user = User.objects.filter(username=username).first()
    with_certificate = bool(challenge_id or signature)
    reason, serial = None, ""
    if with_certificate:
        reason, serial = _check_certificate(
            user, username, challenge_id or "", signature or "", certificate_pem, now
        )
    elif certificate_required(user):
        reason = "certificate_required"
    if reason is None and not _password_ok(user, password):
        reason = "password"
    if reason is not None:
        with transaction.atomic():
            error = _refusal(request, username, reason, address, now)
        raise error

    with transaction.atomic():
        AccessFailureLog.objects.filter(pk=reservation).delete()
        LoginGate.objects.filter(key=f"user:{username}"[:200]).update(reset_at=now)
        assert user is not None
        amr = core.AMR_CERTIFICATE if with_certificate else core.AMR_PASSWORD
        acr = core.ACR_CERTIFICATE if with_certificate else core.ACR_PASSWORD
        django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session["anbao_amr"] = list(amr)
        request.session["anbao_acr"] = acr
        request.session["anbao_auth_time"] = int(now.timestamp())
        if serial:  # revoking this certificate ends the session (accounts.middleware)
            request.session["anbao_cert_serial"] = serial
    return LoggedIn(user, amr, acr)


def _password_ok(user: User | None, password: str) -> bool:
    if user is None or not user.is_active:
        make_password(password)  # spend the same time as for a real account
        return False
    return user.check_password(password)


def unlock(username: str, *, actor: Any = None, request: Any = None) -> None:
    """Forget the account's failures (security administrator)."""
    from axes.utils import reset as axes_reset

    with transaction.atomic():
        gate, _created = LoginGate.objects.get_or_create(key=f"user:{username}"[:200])
        gate.reset_at = timezone.now()
        gate.locked_notified_until = None
        gate.save(update_fields=["reset_at", "locked_notified_until"])
        removed = axes_reset(username=username)
        record(
            "auth.unlock",
            actor=actor,
            request=request,
            object_type="user",
            object_id=username,
            details={"attempts_removed": removed},
        )


def session_token(user: User, hours: int = 8) -> str:
    """A short-lived bearer token for an API client that signed in (instead of a cookie)."""
    from anbao.accounts.models import APIToken

    token, raw = APIToken.issue(user, "sign-in")
    token.expires_at = timezone.now() + dt.timedelta(hours=hours)
    token.save(update_fields=["expires_at"])
    return raw


@dataclass(frozen=True)
class LockRow:
    kind: str  # "user" or "ip"
    name: str
    failures: int
    locked_until: dt.datetime | None
    remaining: int


def overview(now: dt.datetime | None = None) -> tuple[list[Any], list[LockRow]]:
    """Recent failures (newest first) and the state of every account or address that failed."""
    now = now or timezone.now()
    horizon = now - core.ACCOUNT_POLICY.window - core.ACCOUNT_POLICY.duration
    recent = list(
        AccessFailureLog.objects.filter(attempt_time__gte=now - dt.timedelta(days=1)).order_by(
            "-attempt_time"
        )[:200]
    )
    rows: list[LockRow] = []
    window = list(
        AccessFailureLog.objects.filter(attempt_time__gte=horizon).values_list(
            "username", "ip_address", "attempt_time"
        )
    )
    gates = {g.key: g.reset_at for g in LoginGate.objects.all()}
    for kind, index, policy in (("user", 0, core.ACCOUNT_POLICY), ("ip", 1, core.ADDRESS_POLICY)):
        names = sorted({str(row[index]) for row in window if row[index]})
        for name in names:
            times = [row[2] for row in window if str(row[index]) == name]
            state = core.lock_state(times, policy, now, gates.get(f"{kind}:{name}"))
            rows.append(LockRow(kind, name, len(times), state.locked_until, state.remaining))
    rows.sort(key=lambda r: (r.locked_until is None, r.kind, r.name))
    return recent, rows
