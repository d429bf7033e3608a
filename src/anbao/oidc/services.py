"""Client registration by the system administrator: every change is audited.

A client is DOT's ``Application`` (authorization code grant, RS256 ID tokens) with anbao's
``ClientPolicy`` beside it. A confidential client's secret is returned once, by
``register_client`` and ``rotate_secret``; only its hash is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from anbao import errors
from anbao.audit.services import record
from anbao.oidc import core
from anbao.oidc.models import ClientPolicy

Application = get_application_model()
OBJECT_TYPE = "oidc_client"
NAME_MAX = 100


def _problem_message(problem: core.RedirectURIProblem) -> str:
    reasons = {
        "missing": _("At least one redirect URI is required."),
        "malformed": _("Redirect URI %(uri)s is not a URI."),
        "scheme": _("Redirect URI %(uri)s must be an https:// address."),
        "http_not_loopback": _(
            "Redirect URI %(uri)s: http:// is allowed only for 127.0.0.1 or localhost "
            "(development); use https://."
        ),
        "fragment": _("Redirect URI %(uri)s must not contain a fragment (#)."),
        "wildcard": _("Redirect URI %(uri)s must not contain a wildcard (*)."),
        "userinfo": _("Redirect URI %(uri)s must not contain a user name or password."),
    }
    return reasons.get(problem.reason, reasons["malformed"]) % {"uri": problem.uri}


def check_redirect_uris(uris: Iterable[str], *, required: bool = True) -> list[str]:
    """The cleaned URIs; raises ValidationError with the first problem."""
    cleaned, problems = core.clean_redirect_uris(uris)
    problems = [p for p in problems if required or p.reason != "missing"]
    if problems:
        raise errors.ValidationError(_problem_message(problems[0]), code="invalid_redirect_uri")
    return cleaned


def _check_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise errors.ValidationError(
            _("The client name must be 1 to %(n)d characters.") % {"n": NAME_MAX},
            code="invalid_name",
        )
    taken = Application.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise errors.Conflict(
            _("A client named %(name)s is already registered.") % {"name": name},
            code="client_exists",
        )
    return name


def policy_of(application: Any) -> ClientPolicy:
    policy, _created = ClientPolicy.objects.get_or_create(application=application)
    return policy


def get_client(client_id: str) -> Any:
    client = Application.objects.filter(client_id=client_id).first()
    if client is None:
        raise errors.NotFound(
            _("No client with the ID %(id)s.") % {"id": client_id}, code="client_not_found"
        )
    return client


def list_clients() -> list[Any]:
    return list(Application.objects.select_related("anbao_policy").order_by("name"))


def describe(client: Any) -> dict[str, Any]:
    policy = policy_of(client)
    return {
        "client_id": client.client_id,
        "name": client.name,
        "type": client.client_type,
        "redirect_uris": client.redirect_uris.split(),
        "post_logout_redirect_uris": client.post_logout_redirect_uris.split(),
        "trusted": client.skip_authorization,
        "require_certificate": policy.require_certificate,
        "disabled": policy.disabled,
        "created": client.created.isoformat(),
    }


def register_client(
    name: str,
    redirect_uris: Iterable[str],
    *,
    public: bool = False,
    require_certificate: bool = False,
    trusted: bool = False,
    post_logout_redirect_uris: Iterable[str] = (),
    actor: Any = None,
    request: Any = None,
) -> tuple[Any, str | None]:
    """Register a client; returns it and, for a confidential client, its secret (once)."""
    name = _check_name(name)
    uris = check_redirect_uris(redirect_uris)
    logout_uris = check_redirect_uris(post_logout_redirect_uris, required=False)
    secret = None if public else generate_client_secret()
    with transaction.atomic():
        client = Application(
            name=name,
            client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(uris),
            post_logout_redirect_uris=" ".join(logout_uris),
            skip_authorization=trusted,
            algorithm=Application.RS256_ALGORITHM,
            hash_client_secret=True,
        )
        if secret is not None:
            client.client_secret = secret
        client.save()
        ClientPolicy.objects.create(
            application=client,
            require_certificate=require_certificate,
            created_by=_actor_name(actor, request),
        )
        record(
            "oidc.client_registered",
            actor=actor,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=client.client_id,
            details=describe(client),
        )
    return client, secret


def update_client(
    client_id: str,
    *,
    name: str,
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str] = (),
    require_certificate: bool,
    trusted: bool,
    actor: Any = None,
    request: Any = None,
) -> Any:
    client = get_client(client_id)
    before = describe(client)
    client.name = _check_name(name, exclude_pk=client.pk)
    client.redirect_uris = " ".join(check_redirect_uris(redirect_uris))
    client.post_logout_redirect_uris = " ".join(
        check_redirect_uris(post_logout_redirect_uris, required=False)
    )
    client.skip_authorization = trusted
    with transaction.atomic():
        client.save()
        policy = policy_of(client)
        policy.require_certificate = require_certificate
        policy.save()
        after = describe(client)
        changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        record(
            "oidc.client_updated",
            actor=actor,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=client.client_id,
            details={"changed": changed},
        )
    return client


def rotate_secret(client_id: str, *, actor: Any = None, request: Any = None) -> str:
    """A new secret for a confidential client (the old one stops working at once)."""
    client = get_client(client_id)
    if client.client_type != Application.CLIENT_CONFIDENTIAL:
        raise errors.Conflict(
            _("A public client has no secret."), code="public_client_has_no_secret"
        )
    secret = generate_client_secret()
    with transaction.atomic():
        client.client_secret = secret
        client.save()
        record(
            "oidc.client_secret_rotated",
            actor=actor,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=client.client_id,
        )
    return secret


def set_disabled(client_id: str, disabled: bool, *, actor: Any = None, request: Any = None) -> Any:
    """Disable or enable a client. Disabling also ends its codes and tokens at once."""
    client = get_client(client_id)
    with transaction.atomic():
        policy = policy_of(client)
        policy.disabled = disabled
        policy.save()
        if disabled:
            _end_tokens(client)
        record(
            "oidc.client_disabled" if disabled else "oidc.client_enabled",
            actor=actor,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=client.client_id,
        )
    return client


def _end_tokens(client: Any) -> None:
    get_grant_model().objects.filter(application=client).delete()
    get_refresh_token_model().objects.filter(application=client).delete()
    get_access_token_model().objects.filter(application=client).delete()


def remove_client(client_id: str, *, actor: Any = None, request: Any = None) -> None:
    """Delete a client with its codes and tokens."""
    client = get_client(client_id)
    details = describe(client)
    with transaction.atomic():
        client.delete()
        record(
            "oidc.client_removed",
            actor=actor,
            request=request,
            object_type=OBJECT_TYPE,
            object_id=client_id,
            details=details,
        )


def _actor_name(actor: Any, request: Any) -> str:
    who = actor if actor is not None else getattr(request, "user", None)
    if who is None:
        return ""
    return who.get_username() if hasattr(who, "get_username") else str(who)
