"""Django password validators backed by the pure policy in ``core``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anbao.accounts import core


class ComplexityValidator:
    """At least 8 characters using 3 of: lower case, upper case, digits, symbols."""

    def validate(self, password: str, user: object = None) -> None:
        problems = core.password_problems(password)
        messages = []
        if "too_short" in problems:
            messages.append(
                _("The password must have at least %(n)d characters.")
                % {"n": core.MIN_PASSWORD_LENGTH}
            )
        if "too_simple" in problems:
            messages.append(
                _("The password must use at least 3 of: lower case, upper case, digits, symbols.")
            )
        if messages:
            raise ValidationError(messages, code="password_policy")

    def get_help_text(self) -> str:
        return _("At least 8 characters using 3 of: lower case, upper case, digits, symbols.")


class HistoryValidator:
    """Refuse the current password and the last N remembered ones."""

    def validate(self, password: str, user: object = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        keep = settings.ANBAO_PASSWORD_HISTORY
        # "The last five" counts the current password and the four before it.
        hashes = [user.password] if user.password else []
        hashes += user.password_history.values_list("password", flat=True)[: keep - 1]
        if core.reuses_recent(check_password(password, h) for h in hashes):
            raise ValidationError(
                _("The password must differ from your last %(n)d passwords.") % {"n": keep},
                code="password_reused",
            )

    def get_help_text(self) -> str:
        return _("It must differ from your last 5 passwords.")
