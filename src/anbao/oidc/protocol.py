"""The OpenID Connect protocol endpoints: DOT's views with anbao's consent and step-up.

``AuthorizeView`` is where the session is: it refuses a sign-in weaker than the client (or
the request's ``acr_values``) requires, and hands the session's sign-in facts to the
validator with the authorization code.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.forms import AllowForm
from oauth2_provider.models import get_application_model
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RPInitiatedLogoutView,
)
from oauth2_provider.views import UserInfoView as DOTUserInfoView

from anbao.audit.services import DENIED, record
from anbao.oidc import core
from anbao.oidc.models import ClientPolicy
from anbao.oidc.validators import REQUEST_ATTR

SCOPE_LABELS = {
    "openid": gettext_lazy("Confirm who you are (your anbao account ID)"),
    "profile": gettext_lazy("Your user name, full name and role"),
    "email": gettext_lazy("Your e-mail address"),
}


class ConsentForm(AllowForm):
    acr_values = forms.CharField(required=False, widget=forms.HiddenInput())


def session_sign_in(request: Any) -> core.SignIn:
    last_login = request.user.last_login
    return core.sign_in_from_session(
        request.session, int(last_login.timestamp()) if last_login else None
    )


class AuthorizeView(AuthorizationView):
    template_name = "oidc/authorize.html"
    form_class = ConsentForm

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        initial["acr_values"] = self.request.GET.get("acr_values", "")
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["scope_labels"] = [SCOPE_LABELS.get(s, s) for s in context.get("scopes", [])]
        return context

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            _scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError:
            return super().get(request, *args, **kwargs)  # DOT answers the error
        if "login" in _prompt(request):
            return super().get(request, *args, **kwargs)  # handle_prompt_login, below
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        refusal = self._refuse_stale_sign_in(
            application, request.GET.get("max_age"), credentials
        ) or self._refuse_weak_sign_in(application, request.GET.get("acr_values"), credentials)
        return refusal or super().get(request, *args, **kwargs)

    def _refuse_stale_sign_in(
        self, application: Any, max_age: str | None, credentials: dict[str, Any]
    ) -> Any:
        """``max_age`` (OIDC Core 3.1.2.1): a sign-in older than that must be made again."""
        if max_age is None:
            return None
        try:
            limit = core.parse_max_age(max_age)
        except ValueError:
            return self._error_to_client(application, credentials, "invalid_request")
        if not core.older_than(session_sign_in(self.request), limit, int(time.time())):
            return None
        return self._demand_sign_in(
            application,
            credentials,
            "oidc.reauthentication_required",
            {"max_age": limit},
            _("%(client)s asks you to sign in again.") % {"client": application.name},
        )

    def _error_to_client(self, application: Any, credentials: dict[str, Any], error: str) -> Any:
        params = {"error": error}
        if credentials.get("state"):
            params["state"] = credentials["state"]
        uri = credentials["redirect_uri"]
        return self.redirect(uri + ("&" if "?" in uri else "?") + urlencode(params), application)

    def _sign_in_again(self, message: str) -> Any:
        """Sign the person out and send them to the sign-in page; ``next`` brings them back
        to this request without ``prompt`` and ``max_age``, which that sign-in satisfies."""
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        next_url = _authorize_url_from_form(source)
        logout(self.request)
        messages.warning(self.request, message)
        return redirect_to_login(next_url)

    def handle_prompt_login(self) -> Any:
        """``prompt=login``: a fresh sign-in. Signed out first, or the sign-in page, which
        sends a signed-in person straight on, would skip it."""
        logout(self.request)
        return super().handle_prompt_login()

    def form_valid(self, form: Any) -> Any:
        application = (
            get_application_model().objects.filter(client_id=form.cleaned_data["client_id"]).first()
        )
        if application is not None and form.cleaned_data.get("allow"):
            credentials = {
                "redirect_uri": form.cleaned_data["redirect_uri"],
                "state": form.cleaned_data.get("state"),
            }
            if application.redirect_uri_allowed(credentials["redirect_uri"]):
                refusal = self._refuse_weak_sign_in(
                    application, form.cleaned_data.get("acr_values"), credentials
                )
                if refusal is not None:
                    return refusal
        return super().form_valid(form)

    def create_authorization_response(
        self, request: Any, scopes: Any, credentials: dict[str, Any], allow: bool
    ) -> Any:
        # oauthlib copies the credentials onto its request: the validator saves them
        # with the authorization code (AnbaoOAuth2Validator.save_authorization_code).
        credentials[REQUEST_ATTR] = session_sign_in(request)
        uri, headers, body, status = super().create_authorization_response(
            request, scopes, credentials, allow
        )
        if allow:
            record(
                "oidc.authorized",
                request=request,
                object_type="oidc_client",
                object_id=credentials.get("client_id", ""),
                details={"scopes": scopes, "acr": credentials[REQUEST_ATTR].acr},
            )
        return uri, headers, body, status

    def _refuse_weak_sign_in(
        self, application: Any, acr_values: str | None, credentials: dict[str, Any]
    ) -> Any:
        """None when the session's sign-in is strong enough, else the answer to give.

        ``prompt=none``: the OIDC ``login_required`` error to the client. Otherwise the
        person is signed out and sent to the sign-in page, ``next`` bringing them back here.
        """
        policy = ClientPolicy.objects.filter(application=application).first()
        needed = core.required_acr(acr_values, bool(policy and policy.require_certificate))
        sign_in = session_sign_in(self.request)
        if sign_in.satisfies(needed):
            return None
        return self._demand_sign_in(
            application,
            credentials,
            "oidc.step_up_required",
            {"required_acr": needed, "session_acr": sign_in.acr},
            _("%(client)s requires signing in with your certificate. Please sign in again.")
            % {"client": application.name},
        )

    def _demand_sign_in(
        self,
        application: Any,
        credentials: dict[str, Any],
        action: str,
        details: dict[str, Any],
        message: str,
    ) -> Any:
        """The session's sign-in does not do: audited; ``prompt=none`` gets login_required,
        anyone else is sent to sign in again with ``message``."""
        record(
            action,
            request=self.request,
            object_type="oidc_client",
            object_id=application.client_id,
            outcome=DENIED,
            details=details,
        )
        if "none" in _prompt(self.request):
            return self._error_to_client(application, credentials, "login_required")
        return self._sign_in_again(message)


def _prompt(request: Any) -> set[str]:
    return set(request.GET.get("prompt", "").split())


# The authorization request's parameters kept when the person is sent to sign in again;
# ``prompt`` and ``max_age`` are not: that sign-in satisfies them.
_REQUEST_FIELDS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
    "claims",
    "login_hint",
    "ui_locales",
)


def _authorize_url_from_form(post: Any) -> str:
    """The authorization request again, from its query or the consent form's fields."""
    from django.urls import reverse

    params = {k: post[k] for k in _REQUEST_FIELDS if post.get(k)}
    return str(reverse("oauth2_provider:authorize")) + "?" + urlencode(params)


class DiscoveryView(ConnectDiscoveryInfoView):
    """DOT's discovery document, plus what anbao adds: acr values, grant types."""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["acr_values_supported"] = list(core.ACR_VALUES)
        # Every client anbao registers signs with RS256; public clients authenticate with none.
        data["id_token_signing_alg_values_supported"] = ["RS256"]
        data["token_endpoint_auth_methods_supported"] = [
            *data["token_endpoint_auth_methods_supported"],
            "none",
        ]
        data["grant_types_supported"] = ["authorization_code", "refresh_token"]
        data["claims_parameter_supported"] = False
        data["request_parameter_supported"] = False
        answer = JsonResponse(data)
        answer["Access-Control-Allow-Origin"] = "*"
        return answer


class UserInfoView(DOTUserInfoView):
    """DOT's userinfo endpoint, refusing an access token in the URL (RFC 9700 4.3.2):
    URLs end up in logs and browser histories. DOT's gate covers resource views only."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if "access_token" in request.GET:
            response = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the access token in the Authorization header.",
                },
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return response
        return super().dispatch(request, *args, **kwargs)


class LogoutView(RPInitiatedLogoutView):
    template_name = "oidc/logout_confirm.html"
