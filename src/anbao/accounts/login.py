"""Certificate + password login with failed-login handling (docs/cert-login.md).

django-axes records every failure (its failure log, also for certificate failures, which
are reported through Django's ``user_login_failed`` signal); ``login_core`` decides the
locks. Each attempt holds row locks on its account and address gates, so concurrent
attempts are counted one after another.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import functools
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.signals import user_login_failed
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.accounts import login_core as core
from anbao.accounts.core import ADMIN_ROLES, Role
from anbao.accounts.models import LoginChallenge, LoginGate, User
from anbao.audit.services import DENIED, FAILURE, client_address, record
from anbao.sm import hmac_sm3
from anbao.web import hotpath


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


def _challenge_key() -> bytes:
    return _derived_key(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _derived_key(secret: str) -> bytes:
    return hmac_sm3(secret.encode("utf-8"), b"anbao.accounts.login challenge key")


def issue_challenge(username: str, now: dt.datetime | None = None) -> dict[str, str]:
    """A fresh single-use challenge; the same answer whether or not the account exists.

    Nothing is stored: the challenge authenticates itself (``login_core.make_challenge``),
    and only its use is recorded, once, which is what makes it single-use.
    """
    username = username.strip()
    if not username or len(username) > 150:
        raise errors.ValidationError(_("a user name is required"))
    now = now or timezone.now()
    expires = int((now + core.CHALLENGE_LIFETIME).timestamp())
    challenge = core.make_challenge(_challenge_key(), secrets.token_bytes(32), expires, username)
    expires_at = _iso(dt.datetime.fromtimestamp(expires, dt.UTC))
    message = core.canonical_challenge(settings.SITE_URL, username, challenge.nonce, expires_at)
    return {
        "challenge_id": challenge.challenge_id,
        "nonce": challenge.nonce,
        "expires_at": expires_at,
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
) -> tuple[core.Challenge | None, str | None]:
    challenge = core.open_challenge(_challenge_key(), str(challenge_id), username)
    if challenge is None:
        return None, "challenge_invalid"
    expires_at = dt.datetime.fromtimestamp(challenge.expires, dt.UTC)
    if expires_at <= now:
        return None, "challenge_expired"
    # The primary key refuses a second use. Outside a transaction the INSERT commits by
    # itself; inside one, a savepoint keeps a refused INSERT from spoiling the transaction.
    in_transaction = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if in_transaction else contextlib.nullcontext():
            _RECORD_USE.run([uuid.UUID(bytes=challenge.serial[:16]), username, expires_at])
    except IntegrityError:
        return None, "challenge_replayed"
    return challenge, None


_RECORD_USE = hotpath.Insert(LoginChallenge, ["id", "username", "expires_at"])


def forget_used_challenges(now: dt.datetime | None = None) -> int:
    """Drop the records of used challenges that have expired (they cannot be replayed)."""
    deleted, _ = LoginChallenge.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def _check_certificate(
    user: User | None,
    username: str,
    challenge_id: str,
    signature: str,
    certificate_pem: str | None,
    now: dt.datetime,
) -> tuple[str | None, str]:
    """(the reason the certificate part fails or None, the serial of the certificate used)."""
    from anbao.pki.core import validation as V
    from anbao.pki.services import lookup
    from anbao.pki.services.authority import serial_hex
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
            der = bytes(parse_certificate(certificate_pem.encode()).dump())
        except errors.ValidationError:
            return "certificate_malformed", ""
        row = lookup.certificate_by_serial(serial_hex(V.facts(der).serial))
        issuer = row.issuing_ca() if row is not None else lookup.issuing_certificate()
    else:
        row = lookup.newest_signing_certificate(user.pk)
        if row is None:
            return "no_certificate", ""
        der, issuer = row.der, row.issuing_ca()
    message = core.canonical_challenge(
        settings.SITE_URL,
        username,
        challenge.nonce,
        _iso(dt.datetime.fromtimestamp(challenge.expires, dt.UTC)),
    )
    checks = [
        V.IssuedBy([issuer]),
        V.ValidAt(now),
        V.NotRevoked(lambda _serial: row is not None and row.revoked),
        V.KeyUsage("digital_signature"),
    ]
    try:
        V.verify_signed_by(der, checks, message, der_signature)
    except V.Refused as refused:
        return refused.reason, ""
    if row is None or row.user_id != user.pk:
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
