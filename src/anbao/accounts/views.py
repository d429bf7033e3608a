"""Sign-in, sign-out and password pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao import errors
from anbao.accounts import services
from anbao.accounts.access import public, requires
from anbao.accounts.core import Capability


def lockout_response(request: Any, credentials: Any = None, *args: Any, **kwargs: Any) -> Any:
    """What django-axes answers while an account is locked (423, Chinese message)."""
    message = _("Too many failed sign-in attempts: the account is locked for 30 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "account_locked", "message": message}}, status=423)
    form = auth_views.AuthenticationForm(request)
    return render(
        request, "accounts/login.html", {"form": form, "locked_message": message}, status=423
    )


login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
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
