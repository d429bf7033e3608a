"""Forms of the client registration pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anbao.oidc.services import NAME_MAX


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").split() if line.strip()]


class ClientForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("oidc client", "Name"), max_length=NAME_MAX)
    redirect_uris = forms.CharField(
        label=_("Redirect URIs (one a line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("https:// only; http:// only for 127.0.0.1 or localhost."),
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("Post-logout redirect URIs (one a line, optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    require_certificate = forms.BooleanField(
        label=_("Require certificate sign-in (acr urn:anbao:acr:x509+pwd)"), required=False
    )
    trusted = forms.BooleanField(label=_("Trusted: skip the consent page"), required=False)

    def uris(self) -> list[str]:
        return _lines(self.cleaned_data["redirect_uris"])

    def logout_uris(self) -> list[str]:
        return _lines(self.cleaned_data.get("post_logout_redirect_uris", ""))


class NewClientForm(ClientForm):
    public = forms.BooleanField(
        label=_("Public client (no secret: an app on a phone or a desktop)"), required=False
    )
