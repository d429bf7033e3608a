from django import forms
from django.utils.translation import gettext_lazy as _

from anbao.enrolment import core


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Holder's name"), max_length=64)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    unit = forms.CharField(label=_("Unit"), max_length=64, required=False)
    username = forms.CharField(
        label=_("Account"),
        max_length=150,
        required=False,
        help_text=_("bind the certificate to this account (created as a holder if new)"),
    )
    profile = forms.ChoiceField(
        label=_("Profile"),
        choices=[("pc", _("PC: key made in the browser")), ("mobile", _("Mobile device"))],
        initial="pc",
    )
    dual = forms.BooleanField(
        label=_("Also an encryption certificate (key escrowed by the CA)"), required=False
    )
    hours = forms.IntegerField(
        label=_("Valid for (hours)"),
        min_value=1,
        max_value=core.MAX_HOURS,
        initial=core.DEFAULT_HOURS,
    )
