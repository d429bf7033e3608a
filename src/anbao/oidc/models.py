"""What anbao keeps beside django-oauth-toolkit's tables: client policy, sign-in facts.

DOT's ``Application`` is the registered client; ``ClientPolicy`` adds anbao's switches.
``SignInContext`` carries the session's amr/acr/auth_time from the authorization (where the
session is) to the token endpoint (where it is not): written with the authorization code,
read when the ID token is built, and kept with each ID token for refreshes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from oauth2_provider.settings import oauth2_settings

from anbao.oidc.core import ACR_PASSWORD, SignIn


class ClientPolicy(models.Model):
    """anbao's settings for one registered client (created with it)."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="anbao_policy"
    )
    require_certificate = models.BooleanField(_("requires certificate sign-in"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    created_by = models.CharField(
        pgettext_lazy("oidc client", "created by"), max_length=150, blank=True
    )
    created_at = models.DateTimeField(
        pgettext_lazy("oidc client", "created at"), default=timezone.now
    )

    class Meta:
        verbose_name = _("client policy")

    def __str__(self) -> str:
        return f"policy of {self.application_id}"


class SignInContext(models.Model):
    """The sign-in behind an authorization code or an ID token."""

    grant = models.OneToOneField(
        oauth2_settings.GRANT_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="anbao_sign_in",
    )
    id_token = models.OneToOneField(
        oauth2_settings.ID_TOKEN_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="anbao_sign_in",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    amr = models.JSONField(default=list)
    acr = models.CharField(max_length=64, default=ACR_PASSWORD)
    auth_time = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id} {self.acr}"

    def as_sign_in(self) -> SignIn:
        return SignIn(amr=tuple(self.amr), acr=self.acr, auth_time=self.auth_time)
