"""Forms of the CA pages: they only parse; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anbao.pki.core.crl import Reason
from anbao.pki.core.profiles import Usage
from anbao.pki.models import Certificate

MAX_CSR = 20_000
MAX_UPLOAD = 10 * 1024 * 1024
PROFILE_CHOICES = [("pc", _("PC (USB key)")), ("mobile", _("mobile (app)"))]
REASON_LABELS: dict[str, Any] = {
    Reason.UNSPECIFIED: _("unspecified"),
    Reason.KEY_COMPROMISE: _("key compromise"),
    Reason.CA_COMPROMISE: _("CA compromise"),
    Reason.AFFILIATION_CHANGED: _("affiliation changed"),
    Reason.SUPERSEDED: _("superseded"),
    Reason.CESSATION_OF_OPERATION: _("cessation of operation"),
    Reason.CERTIFICATE_HOLD: _("certificate hold"),
    Reason.PRIVILEGE_WITHDRAWN: _("privilege withdrawn"),
}
USAGE_LABELS: dict[str, Any] = {
    Usage.SIGNING.value: _("signing"),
    Usage.ENCRYPTION.value: _("encryption"),
    Usage.SERVICE.value: _("service"),
}


class IssueForm(forms.Form):
    GENERATE, CSR = "generate", "csr"

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    unit = forms.CharField(label=_("Unit"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    username = forms.RegexField(
        label=_("Account"),
        regex=r"^[A-Za-z0-9._@-]{1,150}$",
        max_length=150,
        required=False,
        help_text=_("bind to this account; a new account is created as certificate holder"),
    )
    profile = forms.ChoiceField(label=_("Profile"), choices=PROFILE_CHOICES, initial="pc")
    key_source = forms.ChoiceField(
        label=_("Key source"),
        choices=[
            (GENERATE, _("generate the key here (PIN-encrypted file, PIN shown once)")),
            (CSR, _("the holder's PKCS#10 request (CSR)")),
        ],
        initial=GENERATE,
        widget=forms.RadioSelect,
    )
    csr_file = forms.FileField(label=_("CSR file"), required=False)
    csr_text = forms.CharField(
        label=_("or paste the CSR (PEM)"),
        required=False,
        max_length=MAX_CSR,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    dual = forms.BooleanField(
        label=_("Also issue an encryption certificate (key escrowed by the CA)"), required=False
    )
    # A token good for one submission: reloading the page that shows the PIN must not
    # issue a second certificate.
    once = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        if data.get("key_source") != self.CSR:
            data["csr"] = None
            return data
        upload, text = data.get("csr_file"), (data.get("csr_text") or "").strip()
        if bool(upload) == bool(text):
            raise forms.ValidationError(_("Upload a CSR file or paste one, not both."))
        if upload:
            if upload.size > MAX_CSR:
                raise forms.ValidationError(_("The CSR file is too large."))
            data["csr"] = upload.read()
        else:
            data["csr"] = text.encode()
        return data


class BatchForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns: name, email, unit, profile and optional username, phone. The whole "
            "file is checked first; on any error nothing is issued. Holders who already have "
            "a valid certificate are skipped."
        ),
    )
    profile = forms.ChoiceField(
        label=_("Profile for rows that leave it empty"),
        choices=[("", "—"), *PROFILE_CHOICES],
        required=False,
    )
    dual = forms.BooleanField(
        label=_("Also issue encryption certificates (keys escrowed by the CA)"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=list(REASON_LABELS.items()))
    confirm = forms.BooleanField(
        label=_("I confirm: the certificate (and its pair) can no longer be used"),
    )


class CertificateFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *Certificate.STATUS_CHOICES]
    )
    usage = forms.ChoiceField(
        label=_("Usage"), required=False, choices=[("", "—"), *USAGE_LABELS.items()]
    )
    profile = forms.ChoiceField(
        label=_("Profile"), required=False, choices=[("", "—"), *PROFILE_CHOICES]
    )
    expiring = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=36500
    )
