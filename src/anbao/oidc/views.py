"""Client registration pages for the system administrator (users.manage)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anbao import errors
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.oidc import services
from anbao.oidc.forms import ClientForm, NewClientForm

MANAGE = Capability.USERS_MANAGE


def _issuer(request: Any) -> str:
    from oauth2_provider.settings import oauth2_settings

    return str(oauth2_settings.oidc_issuer(request))


@requires(MANAGE)
def client_list(request: Any) -> HttpResponse:
    clients = [services.describe(c) for c in services.list_clients()]
    return render(
        request, "oidc/client_list.html", {"clients": clients, "issuer": _issuer(request)}
    )


@requires(MANAGE)
def client_create(request: Any) -> HttpResponse:
    form = NewClientForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                client, secret = services.register_client(
                    data["name"],
                    form.uris(),
                    public=data["public"],
                    require_certificate=data["require_certificate"],
                    trusted=data["trusted"],
                    post_logout_redirect_uris=form.logout_uris(),
                    request=request,
                )
            except errors.Error as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                return _show_secret(request, client, secret, created=True)
    context = {"form": form, "title": _("Register a client")}
    return render(request, "oidc/client_form.html", context, status=status)


@requires(MANAGE)
def client_edit(request: Any, client_id: str) -> HttpResponse:
    client = _client_or_404(client_id)
    info = services.describe(client)
    initial = {
        "name": info["name"],
        "redirect_uris": "\n".join(info["redirect_uris"]),
        "post_logout_redirect_uris": "\n".join(info["post_logout_redirect_uris"]),
        "require_certificate": info["require_certificate"],
        "trusted": info["trusted"],
    }
    form = ClientForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_client(
                    client_id,
                    name=data["name"],
                    redirect_uris=form.uris(),
                    post_logout_redirect_uris=form.logout_uris(),
                    require_certificate=data["require_certificate"],
                    trusted=data["trusted"],
                    request=request,
                )
            except errors.Error as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                messages.success(request, _("The client %(name)s was updated.") % info)
                return redirect("oidc:client_list")
    context = {"form": form, "title": _("Client %(name)s") % info, "client": info}
    return render(request, "oidc/client_form.html", context, status=status)


@requires(MANAGE)
@require_POST
def client_rotate_secret(request: Any, client_id: str) -> HttpResponse:
    client = _client_or_404(client_id)
    try:
        secret = services.rotate_secret(client_id, request=request)
    except errors.Error as exc:
        messages.error(request, exc.message)
        return redirect("oidc:client_list")
    return _show_secret(request, client, secret, created=False)


@requires(MANAGE)
@require_POST
def client_disable(request: Any, client_id: str) -> HttpResponse:
    client = _client_or_404(client_id)
    services.set_disabled(client_id, True, request=request)
    messages.success(request, _("The client %(name)s was disabled.") % {"name": client.name})
    return redirect("oidc:client_list")


@requires(MANAGE)
@require_POST
def client_enable(request: Any, client_id: str) -> HttpResponse:
    client = _client_or_404(client_id)
    services.set_disabled(client_id, False, request=request)
    messages.success(request, _("The client %(name)s was enabled.") % {"name": client.name})
    return redirect("oidc:client_list")


@requires(MANAGE)
@require_POST
def client_remove(request: Any, client_id: str) -> HttpResponse:
    client = _client_or_404(client_id)
    services.remove_client(client_id, request=request)
    messages.success(request, _("The client %(name)s was removed.") % {"name": client.name})
    return redirect("oidc:client_list")


def _client_or_404(client_id: str) -> Any:
    from django.http import Http404

    try:
        return services.get_client(client_id)
    except errors.NotFound as exc:
        raise Http404(exc.message) from exc


def _show_secret(request: Any, client: Any, secret: str | None, *, created: bool) -> HttpResponse:
    context = {
        "client": services.describe(client),
        "secret": secret,
        "created": created,
        "issuer": _issuer(request),
    }
    response = render(request, "oidc/client_secret.html", context)
    response["Cache-Control"] = "no-store"
    return response
