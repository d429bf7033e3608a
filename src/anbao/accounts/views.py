"""Sign-in, sign-out and password pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from anbao import errors
from anbao.accounts import login as login_service
from anbao.accounts import services
from anbao.accounts.access import public, requires
from anbao.accounts.core import Capability
from anbao.accounts.login_core import MAX_ID_LENGTH


class LoginForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # Filled in the page by static/accounts/login.js when a key file is used.
    challenge_id = forms.CharField(
        required=False, max_length=MAX_ID_LENGTH, widget=forms.HiddenInput
    )
    signature = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)
    certificate = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: Any) -> HttpResponse:
    """The sign-in page: password, and the holder's certificate key file signed in the page."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "web:home")
    form = LoginForm(request.POST or None)
    status = 200
    locked_message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            login_service.login(
                request,
                username=data["username"],
                password=data["password"],
                challenge_id=data["challenge_id"] or None,
                signature=data["signature"] or None,
                certificate_pem=data["certificate"] or None,
            )
        except login_service.AccountLocked as exc:
            locked_message, status = exc.message, 423
        except errors.Error as exc:
            form.add_error(None, exc.message)
            status = exc.http_status
        else:
            return redirect(next_url or "web:home")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": next_url,
            "locked_message": locked_message,
            "login_messages": _login_messages(),
        },
        status=status,
    )


def _login_messages() -> dict[str, str]:
    """What login.js shows, translated here."""
    return {
        "need_username": _("Enter your user name first."),
        "need_pin": _("Enter the PIN of your key file."),
        "signing": _("Opening the key file and signing…"),
        "bad_pin": _("The PIN does not open this key file."),
        "challenge_failed": _("The server did not give a sign-in challenge; try again."),
        "failed": _("The key file could not be used."),
    }


logout = public(auth_views.LogoutView.as_view())


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("old_password") and not self.user.check_password(data["old_password"]):
            self.add_error("old_password", _("The current password is wrong."))
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


@requires(Capability.PROFILE_OWN)
def password_change(request: Any) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                request.user, form.cleaned_data["new_password"], request=request
            )
        except errors.ValidationError as exc:
            form.add_error("new_password", exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("web:home")
    return render(request, "accounts/password_change.html", {"form": form})
