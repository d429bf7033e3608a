"""anbao's rules inside django-oauth-toolkit: disabled clients, claims, sign-in facts.

The ID token says how the person signed in (``amr``, ``acr``, ``auth_time``) as the session
that approved the authorization knew it. The token endpoint has no session, so the facts
travel with the authorization code (``SignInContext`` keyed by DOT's Grant) and then with
each ID token, so a refreshed ID token repeats the original sign-in.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from anbao.oidc.core import SignIn
from anbao.oidc.models import ClientPolicy, SignInContext

# The oauthlib request attribute carrying the SignIn from the authorization view.
REQUEST_ATTR = "anbao_sign_in"


def _full_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class AnbaoOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "role": "profile"}

    # -- clients --------------------------------------------------------------------------
    def _load_application(self, client_id: str, request: Any) -> Any:
        client = super()._load_application(client_id, request)
        if (
            client is not None
            and ClientPolicy.objects.filter(application=client, disabled=True).exists()
        ):
            request.client = None
            return None
        return client

    # -- prompt=none (OIDC Core 3.1.2.1): the view has checked the session already ----------
    def validate_silent_login(self, request: Any) -> bool:
        # AuthorizeView is behind the sign-in (DOT answers login_required when anonymous).
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        # Without a consent page, only a client the administrator trusts may pass.
        return bool(request.client and request.client.skip_authorization)

    # -- claims ---------------------------------------------------------------------------
    def get_additional_claims(self) -> dict[str, Any]:
        # The request-agnostic form: DOT then lists these claims in the discovery document.
        return {
            "preferred_username": lambda r: r.user.get_username(),
            "name": lambda r: _full_name(r.user),
            "email": lambda r: r.user.email,
            "role": lambda r: r.user.role,
        }

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [*super().get_discovery_claims(request), "amr", "acr", "auth_time", "nonce"]

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        sign_in = self._sign_in_of(request)
        claims["amr"] = list(sign_in.amr)
        claims["acr"] = sign_in.acr
        if sign_in.auth_time:
            claims["auth_time"] = sign_in.auth_time
        request.anbao_id_sign_in = sign_in
        return claims, expiration_time

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> Any:
        jwt = super().finalize_id_token(id_token, token, token_handler, request)
        sign_in: SignIn | None = getattr(request, "anbao_id_sign_in", None)
        if sign_in is not None:
            SignInContext.objects.create(
                id_token=request.id_token,
                user=request.user,
                amr=list(sign_in.amr),
                acr=sign_in.acr,
                auth_time=sign_in.auth_time,
            )
        return jwt

    # -- the sign-in facts, from the authorization to the token endpoint -----------------
    def save_authorization_code(
        self, client_id: str, code: Any, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        grant = self._create_authorization_code(request, code)
        sign_in: SignIn | None = getattr(request, REQUEST_ATTR, None)
        if sign_in is None:
            # Only anbao's authorization view issues codes, and it always sets the facts.
            sign_in = SignIn(auth_time=_epoch(request.user.last_login))
        SignInContext.objects.create(
            grant=grant,
            user=request.user,
            amr=list(sign_in.amr),
            acr=sign_in.acr,
            auth_time=sign_in.auth_time,
        )

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        valid = super().validate_code(client_id, code, client, request, *args, **kwargs)
        if valid:
            context = SignInContext.objects.filter(
                grant__code=code, grant__application=client
            ).first()
            if context is not None:
                setattr(request, REQUEST_ATTR, context.as_sign_in())
        return bool(valid)

    def _sign_in_of(self, request: Any) -> SignIn:
        sign_in: SignIn | None = getattr(request, REQUEST_ATTR, None)
        if sign_in is not None:
            return sign_in
        refresh = getattr(request, "refresh_token_instance", None)
        access = getattr(refresh, "access_token", None) if refresh is not None else None
        if access is not None and access.id_token_id:
            context = SignInContext.objects.filter(id_token_id=access.id_token_id).first()
            if context is not None:
                return context.as_sign_in()
        return SignIn(auth_time=_epoch(request.user.last_login))


def _epoch(when: Any) -> int:
    return int(when.timestamp()) if when is not None else 0
