"""Accounts: a user has exactly one role; password history and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anbao.accounts.core import Capability, Role, has_capability

ROLE_LABELS = {
    Role.SYSTEM_ADMIN: _("System administrator"),
    Role.SECURITY_ADMIN: _("Security administrator"),
    Role.AUDIT_ADMIN: _("Audit administrator"),
    Role.ENGINEER: _("Provider engineer"),
    Role.CLIENT_OFFICER: _("Client security officer"),
    Role.HOLDER: _("Certificate holder"),
    Role.APPLICATION: _("Application (API client)"),
}
ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]


class User(AbstractUser):
    """A person who signs in. No routine superuser: ``is_superuser`` stays False."""

    role = models.CharField(_("role"), max_length=32, choices=ROLE_CHOICES)
    must_change_password = models.BooleanField(_("must change password"), default=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def can(self, capability: str | Capability) -> bool:
        return self.is_active and has_capability(self.role, capability)

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(Role(self.role), self.role)) if self.role else ""


class PasswordHistory(models.Model):
    """The hashes of a user's previous passwords, to refuse reuse of the last five."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class APIToken(models.Model):
    """A bearer credential for another system; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[APIToken, str]:
        raw = "anb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=_digest(raw), prefix=raw[:8])
        return token, raw

    @classmethod
    def lookup(cls, raw: str, *, read_only: bool = False) -> APIToken | None:
        """The live token and its user, read in one statement (every API call asks).

        ``read_only`` callers promise not to change the objects: they get the ones built for
        the same row before, when the row read now is identical (same revocation, expiry,
        role, password hash...), which spares building them on every request.
        """
        token_columns, user_columns, statement = _token_lookup()
        digest = _digest(raw)
        row = statement.fetch_one([digest])
        if row is None:
            return None
        known = _READ_ONLY_TOKENS.get(digest) if read_only else None
        if known is not None and known[0] == row:
            token = known[1]
        else:
            token = token_columns.build(row[: len(token_columns)])
            assert isinstance(token, APIToken)
            token.user = user_columns.build(row[len(token_columns) :])
            if read_only:
                if len(_READ_ONLY_TOKENS) >= 256:
                    _READ_ONLY_TOKENS.clear()
                _READ_ONLY_TOKENS[digest] = (row, token)
        if token.revoked:
            return None
        if token.expires_at and token.expires_at <= timezone.now():
            return None
        return token


# digest -> (the row as read, the token built from it) for read-only callers.
_READ_ONLY_TOKENS: dict[str, tuple[tuple[Any, ...], APIToken]] = {}


@functools.cache
def _token_lookup() -> tuple[Any, Any, Any]:
    from anbao.web.hotpath import Columns, Statement, column, table

    token, user = Columns(APIToken, "t"), Columns(User, "u")
    statement = Statement(
        lambda: (
            f"SELECT {token.sql()}, {user.sql()} FROM {table(APIToken)} t "  # noqa: S608 - names from the models, values bound
            f"JOIN {table(User)} u ON u.{column(User, 'id')} = t.{column(APIToken, 'user')} "
            f"WHERE t.{column(APIToken, 'digest')} = %s"
        )
    )
    return token, user, statement


class LoginChallenge(models.Model):
    """A login challenge that has been used, kept until it expires so it is not used twice.

    Challenges themselves are not stored (``login_core.make_challenge``); ``id`` is the first
    128 of its 256 random bits. One row per sign-in attempt with a certificate, written on
    its own: three columns and no secondary index keep that write short.
    """

    id = models.UUIDField(primary_key=True)
    username = models.CharField(max_length=150)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"challenge {self.id} for {self.username}"


class LoginGate(models.Model):
    """One row per account name and per source address that has tried to sign in.

    Attempts lock the row (SELECT … FOR UPDATE) for their duration, so concurrent attempts
    for one account or address are counted one after another; ``reset_at`` is the last
    success or unlock, before which failures no longer count.
    """

    key = models.CharField(max_length=200, unique=True)  # "user:NAME" or "ip:ADDRESS"
    reset_at = models.DateTimeField(null=True, blank=True)
    locked_notified_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
