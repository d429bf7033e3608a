"""User administration (system administrator) and lockouts (security administrator)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anbao import errors
from anbao.accounts import services
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.accounts.models import ROLE_CHOICES, User


class UserCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


class UserEditForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


@requires(Capability.USERS_MANAGE)
def user_list(request: Any) -> HttpResponse:
    users = User.objects.order_by("username")
    return render(request, "accounts/user_list.html", {"users": users})


@requires(Capability.USERS_MANAGE)
def user_create(request: Any) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.create_user(
                data["username"],
                data["role"],
                email=data["email"],
                full_name=data["full_name"],
                request=request,
            )
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request, "accounts/user_created.html", {"new_user": user, "password": password}
            )
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@requires(Capability.USERS_MANAGE)
def user_edit(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = UserEditForm(
        request.POST or None, initial={"role": target.role, "is_active": target.is_active}
    )
    if request.method == "POST" and form.is_valid():
        if target.pk == request.user.pk:
            form.add_error(None, _("You cannot change your own role or status."))
        else:
            services.change_role(target, form.cleaned_data["role"], request=request)
            if form.cleaned_data["is_active"] != target.is_active:
                services.set_active(target, form.cleaned_data["is_active"], request=request)
            messages.success(request, _("The user %(name)s was updated.") % {"name": target})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": target.username}, "target": target},
    )


@requires(Capability.USERS_MANAGE)
@require_POST
def user_reset_password(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    password = services.reset_password(target, request=request)
    return render(
        request,
        "accounts/user_created.html",
        {"new_user": target, "password": password, "reset": True},
    )


@requires(Capability.SECURITY_MANAGE)
def lockouts(request: Any) -> HttpResponse:
    from anbao.accounts import login

    recent, states = login.overview()
    return render(
        request,
        "accounts/lockouts.html",
        {
            "recent": recent,
            "states": states,
            "account_limit": login.core.ACCOUNT_POLICY.limit,
            "address_limit": login.core.ADDRESS_POLICY.limit,
        },
    )


@requires(Capability.SECURITY_MANAGE)
@require_POST
def unlock(request: Any) -> HttpResponse:
    username = request.POST.get("username", "").strip()
    if not username:
        messages.error(request, _("No user name given."))
        return redirect("accounts:lockouts")
    from anbao.accounts import login

    login.unlock(username, request=request)
    messages.success(request, _("%(name)s was unlocked.") % {"name": username})
    return redirect("accounts:lockouts")
