"""Account use cases: create users, change roles and passwords, every change audited."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.accounts.core import Role
from anbao.accounts.models import PasswordHistory, User
from anbao.audit.services import record

USERNAME_CHARS = set(string.ascii_letters + string.digits + "._-@")


def password_change_due(user: User, now: Any = None) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.ANBAO_PASSWORD_MAX_AGE_DAYS
    if max_age and user.password_changed_at:
        return (now or timezone.now()) - user.password_changed_at > timedelta(days=max_age)
    return False


def generate_password(length: int = 16) -> str:
    """A random password that satisfies the policy (all four character classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_=+"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise errors.ValidationError(" ".join(exc.messages), code="password_policy") from None


def _check_username(username: str) -> None:
    if not username or len(username) > 150 or not set(username) <= USERNAME_CHARS:
        raise errors.ValidationError(
            _("Invalid user name %(name)r: use 1-150 letters, digits and . _ - @.")
            % {"name": username}
        )


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise errors.ValidationError(
            _("Unknown role %(role)r; choose one of: %(roles)s")
            % {"role": value, "roles": ", ".join(r.value for r in Role)}
        ) from None


def create_user(
    username: str,
    role: str,
    *,
    password: str | None = None,
    email: str = "",
    full_name: str = "",
    actor: Any = None,
    request: Any = None,
    must_change_password: bool = True,
    without_password: bool = False,
) -> tuple[User, str]:
    """Create an account; returns (user, password). A random password is made when none is given.

    ``without_password``: the account gets no usable password (returned as ""); it can sign
    in once an administrator gives it a one-time password (``reset_password``). Certificate
    issuance creates holder accounts so: nobody would see a random password, and hashing one
    for each of 800 holders costs minutes.
    """
    _check_username(username)
    parsed_role = parse_role(role)
    if email and ("@" not in email or len(email) > 254):
        raise errors.ValidationError(_("Invalid e-mail address %(e)r.") % {"e": email})
    if User.objects.filter(username=username).exists():
        raise errors.Conflict(_("The user %(name)s already exists.") % {"name": username})
    if without_password:
        password = ""
    else:
        password = password or generate_password()
        _check_password(password, User(username=username, email=email, role=parsed_role.value))
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password or None,
            role=parsed_role.value,
            first_name=full_name[:150],
            must_change_password=must_change_password,
            password_changed_at=timezone.now(),
        )
        record(
            "user.create",
            actor=actor,
            request=request,
            object_type="user",
            object_id=username,
            details={"role": parsed_role.value},
        )
    return user, password


def change_role(user: User, role: str, *, actor: Any = None, request: Any = None) -> None:
    new_role = parse_role(role)
    old = user.role
    if old == new_role.value:
        return
    with transaction.atomic():
        user.role = new_role.value
        user.save(update_fields=["role"])
        record(
            "user.role_change",
            actor=actor,
            request=request,
            object_type="user",
            object_id=user.username,
            details={"from": old, "to": new_role.value},
        )


def set_active(user: User, active: bool, *, actor: Any = None, request: Any = None) -> None:
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(
            "user.enable" if active else "user.disable",
            actor=actor,
            request=request,
            object_type="user",
            object_id=user.username,
        )


def change_password(
    user: User, new_password: str, *, request: Any = None, actor: Any = None
) -> None:
    """Set a new password after the policy and history checks; the old hash joins the history."""
    _check_password(new_password, user)
    with transaction.atomic():
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        keep = settings.ANBAO_PASSWORD_HISTORY
        stale = list(user.password_history.values_list("pk", flat=True)[keep:])
        if stale:
            PasswordHistory.objects.filter(pk__in=stale).delete()
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record(
            "user.password_change",
            actor=actor or user,
            request=request,
            object_type="user",
            object_id=user.username,
        )


def reset_password(user: User, *, actor: Any = None, request: Any = None) -> str:
    """Give the user a random one-time password that must be changed at next sign-in."""
    password = generate_password()
    with transaction.atomic():
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record(
            "user.password_reset",
            actor=actor,
            request=request,
            object_type="user",
            object_id=user.username,
        )
    return password


def issue_api_token(
    username: str, label: str, *, days: int = 365, actor: Any = None
) -> tuple[str, Any]:
    """A new bearer token for ``username``; returns (raw token, expiry). Audited."""
    from anbao.accounts.models import APIToken

    user = User.objects.filter(username=username).first()
    if user is None:
        raise errors.NotFound(_("no user %(name)s") % {"name": username})
    if not user.is_active:
        raise errors.Conflict(_("the user %(name)s is disabled") % {"name": username})
    if not 1 <= days <= 3650:
        raise errors.ValidationError(_("--days must be between 1 and 3650"))
    label = label.strip()
    if not label or len(label) > 100:
        raise errors.ValidationError(_("the label must be 1 to 100 characters"))
    with transaction.atomic():
        token, raw = APIToken.issue(user, label)
        token.expires_at = timezone.now() + timedelta(days=days)
        token.save(update_fields=["expires_at"])
        record(
            "user.token_issue",
            actor=actor,
            object_type="user",
            object_id=username,
            details={"label": label, "prefix": token.prefix, "days": days},
        )
    return raw, token.expires_at
