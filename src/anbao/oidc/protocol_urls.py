"""The protocol routes, included at the site root under DOT's namespace.

DOT's views build each other's URLs by name (``oauth2_provider:token`` …), so the namespace
stays. Discovery is at the issuer (the site root) + ``/.well-known/openid-configuration``;
the endpoints are under ``/o/``. Only the authorization code flow is mounted: no device
flow, no dynamic registration, no introspection, no DOT management pages.
Every route is ``@public``: each authenticates by the protocol's own rules.
"""

from django.urls import path
from oauth2_provider import views as dot

from anbao.accounts.access import public
from anbao.oidc import protocol

app_name = "oauth2_provider"
urlpatterns = [
    path(
        ".well-known/openid-configuration",
        public(protocol.DiscoveryView.as_view()),
        name="oidc-connect-discovery-info",
    ),
    path(
        ".well-known/oauth-authorization-server",
        public(dot.OAuthServerMetadataView.as_view()),
        name="oauth-server-metadata",
    ),
    path("o/authorize/", public(protocol.AuthorizeView.as_view()), name="authorize"),
    path("o/token/", public(dot.TokenView.as_view()), name="token"),
    path("o/revoke_token/", public(dot.RevokeTokenView.as_view()), name="revoke-token"),
    path("o/userinfo/", public(protocol.UserInfoView.as_view()), name="user-info"),
    path("o/jwks/", public(dot.JwksInfoView.as_view()), name="jwks-info"),
    path("o/logout/", public(protocol.LogoutView.as_view()), name="rp-initiated-logout"),
]
