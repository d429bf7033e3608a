"""The whole authorization code + PKCE flow, by a real OIDC client against a running server.

Authlib's ``OAuth2Session`` plays the relying party (the mental health information
system); a ``requests`` session plays the person's browser, signing in through the real
sign-in page and approving on the consent page. The ID token is verified against the JWKS
with joserfc.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_helpers import REDIRECT, SCOPE, form_fields

from anbao.oidc import core
from tests_helpers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issuer(live_server, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": live_server.url}
    return live_server.url


@pytest.fixture
def http(issuer):
    """Opens HTTP sessions and closes them before the server stops.

    A kept-alive connection keeps a server thread, and its database connection, alive:
    PostgreSQL then refuses to drop the test database.
    """
    opened = []

    def open_session(factory=requests.Session, *args, **kwargs):
        session = factory(*args, **kwargs)
        opened.append(session)
        return session

    yield open_session
    for session in opened:
        session.close()


@pytest.fixture
def discovery(issuer):
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return response.json()


def browser_authorize(browser, url, username, *, certificate=False):
    """Follow the authorization URL as a person would: sign in, approve; the callback URL."""
    response = browser.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
    login_url = urljoin(url, response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    fields = form_fields(page.text, "login-form")
    fields.update(username=username, password=PASSWORD)
    response = browser.post(login_url, data=fields, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    if certificate:
        mark_certificate_session(browser)
    consent_url = urljoin(url, response.headers["Location"])
    assert urlsplit(consent_url).path == "/o/authorize/"
    page = browser.get(consent_url, timeout=10)
    assert page.status_code == 200 and 'id="authorizationForm"' in page.text
    fields = form_fields(page.text, "authorizationForm")
    fields["allow"] = "1"
    response = browser.post(consent_url, data=fields, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def mark_certificate_session(browser):
    """What the certificate sign-in will write (the lead's login); set by hand until then."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore(session_key=browser.cookies["sessionid"])
    session[core.SESSION_AMR] = ["pwd", "x509", "mfa"]
    session[core.SESSION_ACR] = core.ACR_CERTIFICATE
    session[core.SESSION_AUTH_TIME] = int(time.time())
    session.save()


def rp_session(http, client, discovery):
    return http(
        OAuth2Session,
        client.client_id,
        client.raw_secret,
        scope=SCOPE,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint=discovery["token_endpoint"],
    )


def verify_id_token(token, discovery):
    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["kid"] in {k["kid"] for k in jwks["keys"]}
    return decoded.claims


def test_discovery_document(discovery, issuer):
    assert discovery["issuer"] == issuer
    assert discovery["authorization_endpoint"] == f"{issuer}/o/authorize/"
    assert discovery["token_endpoint"] == f"{issuer}/o/token/"
    assert discovery["userinfo_endpoint"] == f"{issuer}/o/userinfo/"
    assert discovery["jwks_uri"] == f"{issuer}/o/jwks/"
    assert discovery["end_session_endpoint"] == f"{issuer}/o/logout/"
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert discovery["acr_values_supported"] == [core.ACR_PASSWORD, core.ACR_CERTIFICATE]
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "none" in discovery["token_endpoint_auth_methods_supported"]
    assert {"openid", "profile", "email"} <= set(discovery["scopes_supported"])
    assert {"sub", "role", "amr", "acr", "auth_time", "nonce"} <= set(discovery["claims_supported"])
    metadata = requests.get(f"{issuer}/.well-known/oauth-authorization-server", timeout=10)
    assert metadata.json()["issuer"] == issuer


def test_password_sign_in_code_flow_userinfo_refresh(
    http, discovery, issuer, oidc_client, make_user
):
    user = make_user("wang_doctor", "engineer", email="wang@hospital.example")
    user.first_name, user.last_name = "医生", "王"
    user.save()
    rp = rp_session(http, oidc_client, discovery)
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    started = int(time.time())
    callback = browser_authorize(http(), url, "wang_doctor")
    assert callback.startswith(REDIRECT)
    answer = parse_qs(urlsplit(callback).query)
    assert answer["state"] == [state] and answer["iss"] == [issuer]  # RFC 9207

    token = rp.fetch_token(authorization_response=callback, code_verifier=verifier)
    claims = verify_id_token(token["id_token"], discovery)
    assert claims["iss"] == issuer
    assert claims["aud"] == oidc_client.client_id
    assert claims["nonce"] == nonce
    assert claims["sub"] == str(user.pk)
    assert claims["amr"] == ["pwd"]
    assert claims["acr"] == core.ACR_PASSWORD
    assert started - 5 <= claims["auth_time"] <= int(time.time()) + 1
    assert claims["exp"] > time.time()
    assert (claims["preferred_username"], claims["role"]) == ("wang_doctor", "engineer")

    info = rp.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == str(user.pk)
    assert info["email"] == "wang@hospital.example"
    assert info["role"] == "engineer"
    assert info["preferred_username"] == "wang_doctor"

    first_refresh = token["refresh_token"]
    refreshed = rp.refresh_token(discovery["token_endpoint"], refresh_token=first_refresh)
    assert refreshed["refresh_token"] != first_refresh  # rotation
    again = verify_id_token(refreshed["id_token"], discovery)
    assert (again["amr"], again["acr"], again["auth_time"]) == (
        claims["amr"],
        claims["acr"],
        claims["auth_time"],
    )
    replay = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": first_refresh},
        auth=(oidc_client.client_id, oidc_client.raw_secret),
        timeout=10,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_certificate_client_gets_certificate_sign_in(http, discovery, register, make_user):
    make_user("li_nurse", "engineer")
    client, secret = register("电子签名门户", require_certificate=True)
    client.raw_secret = secret
    rp = rp_session(http, client, discovery)
    verifier = generate_token(48)
    url, _state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-1"
    )
    callback = browser_authorize(http(), url, "li_nurse", certificate=True)
    token = rp.fetch_token(authorization_response=callback, code_verifier=verifier)
    claims = verify_id_token(token["id_token"], discovery)
    assert claims["acr"] == core.ACR_CERTIFICATE
    assert claims["amr"] == ["pwd", "x509", "mfa"]
