"""The authorization and token endpoints refuse what they must (Django test client)."""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest
from oidc_helpers import (
    REDIRECT,
    approve,
    authorize_url,
    exchange,
    form_fields,
    pkce_pair,
    query,
)

from anbao.audit.models import AuditRecord
from anbao.oidc import core, services

pytestmark = pytest.mark.django_db


def signed_in(client, make_user, username="zhang", **session_keys):
    user = make_user(username, "engineer")
    client.force_login(user)
    if session_keys:
        session = client.session
        session.update(session_keys)
        session.save()
    return user


CERTIFICATE_SESSION = {
    core.SESSION_AMR: ["pwd", "x509", "mfa"],
    core.SESSION_ACR: core.ACR_CERTIFICATE,
    core.SESSION_AUTH_TIME: 1_900_000_000,
}


def test_anonymous_is_sent_to_sign_in(client, oidc_client):
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_client, challenge))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_consent_page_in_chinese_and_deny(client, oidc_client, make_user):
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    url = authorize_url(oidc_client, challenge)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "精神卫生信息系统" in text and "同意" in text and "拒绝" in text
    fields = form_fields(text, "authorizationForm")  # no "allow": the person said no
    response = client.post(url, fields)
    assert query(response["Location"])["error"] == "access_denied"


def test_trusted_client_skips_consent(client, register, make_user):
    trusted, _secret = register("院内门户", trusted=True)
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(trusted, challenge))
    assert response.status_code == 302 and "code" in query(response["Location"])


def test_pkce_is_required(client, oidc_client, make_user):
    signed_in(client, make_user)
    response = client.get(authorize_url(oidc_client))
    assert response.status_code == 302
    answer = query(response["Location"])
    assert answer["error"] == "invalid_request" and "code" not in answer


def test_plain_pkce_is_refused(client, oidc_client, make_user):
    signed_in(client, make_user)
    verifier, _challenge = pkce_pair()
    url = authorize_url(oidc_client, code_challenge=verifier, code_challenge_method="plain")
    answer = approve(client, url)
    assert answer["error"] == "invalid_request" and "code" not in answer


def test_wrong_or_missing_verifier_is_refused(client, oidc_client, make_user):
    signed_in(client, make_user)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(oidc_client, challenge))["code"]
    client.logout()
    wrong = exchange(client, oidc_client, code, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    missing = exchange(client, oidc_client, code, None)
    assert missing.status_code == 400
    assert missing.json()["error"] in {"invalid_request", "invalid_grant"}


def test_code_is_good_once(client, oidc_client, make_user):
    signed_in(client, make_user)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(oidc_client, challenge))["code"]
    assert exchange(client, oidc_client, code, verifier).status_code == 200
    again = exchange(client, oidc_client, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_wrong_redirect_uri_is_not_followed(client, oidc_client, make_user):
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    url = authorize_url(oidc_client, challenge, redirect_uri="https://evil.example/cb")
    response = client.get(url)
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")


def test_disabled_client_is_refused(client, oidc_client, make_user):
    signed_in(client, make_user)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(oidc_client, challenge))["code"]
    services.set_disabled(oidc_client.client_id, True, actor="test")
    page = client.get(authorize_url(oidc_client, challenge))
    assert page.status_code in (400, 401) and "Location" not in page
    token = exchange(client, oidc_client, code, verifier)
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"


def test_disabling_ends_the_tokens_already_issued(client, oidc_client, make_user):
    signed_in(client, make_user)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(oidc_client, challenge))["code"]
    client.logout()
    token = exchange(client, oidc_client, code, verifier).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    assert client.get("/o/userinfo/", **bearer).status_code == 200
    in_query = client.get("/o/userinfo/", {"access_token": token["access_token"]})
    assert in_query.status_code == 401  # RFC 9700 4.3.2: never in the URL
    services.set_disabled(oidc_client.client_id, True, actor="test")
    assert client.get("/o/userinfo/", **bearer).status_code == 401


def test_public_client_uses_pkce_without_a_secret(client, register, make_user):
    public, _secret = register("移动端", public=True)
    signed_in(client, make_user)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(public, challenge))["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": public.client_id,
    }
    assert client.post("/o/token/", {**data, "code_verifier": "x" * 43}).status_code == 400
    code = approve(client, authorize_url(public, challenge))["code"]
    answer = client.post("/o/token/", {**data, "code": code, "code_verifier": verifier})
    assert answer.status_code == 200 and answer.json()["id_token"]


def test_certificate_client_refuses_a_password_session(client, register, make_user):
    strict, _secret = register("电子签名门户", require_certificate=True)
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    url = authorize_url(strict, challenge)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session  # signed out: sign in again, with the key
    denied = AuditRecord.objects.filter(action="oidc.step_up_required").get()
    assert denied.outcome == "denied" and denied.details["required_acr"] == core.ACR_CERTIFICATE


def test_prompt_none_gets_login_required(client, register, make_user):
    strict, _secret = register("电子签名门户", require_certificate=True, trusted=True)
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(strict, challenge, prompt="none"))
    answer = query(response["Location"])
    assert response["Location"].startswith(REDIRECT)
    assert (answer["error"], answer["state"]) == ("login_required", "s-1")


def test_prompt_none_without_consent_gets_consent_required(client, oidc_client, make_user):
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_client, challenge, prompt="none"))
    assert query(response["Location"])["error"] == "consent_required"


def test_prompt_login_signs_in_afresh(client, oidc_client, make_user):
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_client, challenge, prompt="login"))
    login, _sep, next_url = response["Location"].partition("?next=")
    assert login == "/accounts/login/" and "prompt" not in unquote(next_url)
    assert "code_challenge" in unquote(next_url)
    assert "_auth_user_id" not in client.session


def test_step_up_next_drops_prompt(client, register, make_user):
    strict, _secret = register("电子签名门户", require_certificate=True)
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(strict, challenge, prompt="consent"))
    assert "prompt" not in unquote(response["Location"])


def test_acr_values_can_require_the_certificate(client, oidc_client, make_user):
    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    url = authorize_url(oidc_client, challenge, acr_values=core.ACR_CERTIFICATE)
    response = client.get(url)
    assert response["Location"].startswith("/accounts/login/")


def test_certificate_session_passes_and_the_token_says_so(client, register, make_user):
    from joserfc import jwt
    from joserfc.jwk import KeySet

    strict, secret = register("电子签名门户", require_certificate=True)
    strict.raw_secret = secret
    signed_in(client, make_user, **CERTIFICATE_SESSION)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(strict, challenge))["code"]
    token = exchange(client, strict, code, verifier).json()
    jwks = client.get("/o/jwks/").json()
    claims = jwt.decode(token["id_token"], KeySet.import_key_set(jwks)).claims
    assert claims["acr"] == core.ACR_CERTIFICATE
    assert claims["amr"] == ["pwd", "x509", "mfa"]
    assert claims["auth_time"] == 1_900_000_000
    assert claims["iss"] == "http://127.0.0.1:8000"  # ANBAO_SITE_URL's default


def test_the_session_of_the_approval_counts_not_a_later_one(client, oidc_client, make_user):
    """The code carries the facts of the approving session, even if that session changes."""
    from joserfc import jwt
    from joserfc.jwk import KeySet

    signed_in(client, make_user, **CERTIFICATE_SESSION)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(oidc_client, challenge))["code"]
    client.logout()
    token = exchange(client, oidc_client, code, verifier).json()
    jwks = client.get("/o/jwks/").json()
    claims = jwt.decode(token["id_token"], KeySet.import_key_set(jwks)).claims
    assert claims["acr"] == core.ACR_CERTIFICATE


def test_login_page_session_without_the_keys_is_a_password_sign_in(client, oidc_client, make_user):
    from joserfc import jwt
    from joserfc.jwk import KeySet

    user = signed_in(client, make_user)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(oidc_client, challenge))["code"]
    token = exchange(client, oidc_client, code, verifier).json()
    claims = jwt.decode(token["id_token"], KeySet.import_key_set(client.get("/o/jwks/").json()))
    user.refresh_from_db()
    assert claims.claims["amr"] == ["pwd"] and claims.claims["acr"] == core.ACR_PASSWORD
    assert claims.claims["auth_time"] == int(user.last_login.timestamp())
    assert abs(claims.claims["auth_time"] - time.time()) < 60
    assert AuditRecord.objects.filter(action="oidc.authorized").exists()


def test_posted_approval_is_checked_again(client, oidc_client, make_user):
    """The client came to require the certificate between the consent page and the answer."""
    from oauth2_provider.models import Grant

    signed_in(client, make_user)
    _verifier, challenge = pkce_pair()
    url = authorize_url(oidc_client, challenge)
    fields = form_fields(client.get(url).content.decode(), "authorizationForm")
    services.update_client(
        oidc_client.client_id,
        name=oidc_client.name,
        redirect_uris=[REDIRECT],
        require_certificate=True,
        trusted=False,
        actor="test",
    )
    response = client.post(url, {**fields, "allow": "1"})
    assert response.status_code == 302
    login, _sep, next_url = response["Location"].partition("?next=")
    assert login == "/accounts/login/" and "code_challenge" in next_url
    assert not Grant.objects.exists()


def test_rp_initiated_logout(client, make_user):
    signed_in(client, make_user)
    page = client.get("/o/logout/")
    assert page.status_code == 200 and "退出安保登录" in page.content.decode()
    response = client.post("/o/logout/", {"allow": "1"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_consent_needs_csrf_token_endpoint_does_not(oidc_client, make_user):
    from django.test import Client

    web = Client(enforce_csrf_checks=True)
    signed_in(web, make_user)
    _verifier, challenge = pkce_pair()
    url = authorize_url(oidc_client, challenge)
    fields = form_fields(web.get(url).content.decode(), "authorizationForm")
    del fields["csrfmiddlewaretoken"]
    assert web.post(url, {**fields, "allow": "1"}).status_code == 403
    token = web.post("/o/token/", {"grant_type": "authorization_code", "code": "x"})
    assert token.status_code in (400, 401)


def test_max_age_sends_an_old_sign_in_to_sign_in_again(client, oidc_client, make_user):
    signed_in(client, make_user, **{core.SESSION_AUTH_TIME: int(time.time()) - 600})
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_client, challenge, max_age="300"))
    login, _sep, next_url = response["Location"].partition("?next=")
    assert login == "/accounts/login/"
    assert "max_age" not in unquote(next_url) and "code_challenge" in unquote(next_url)
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="oidc.reauthentication_required").exists()


def test_max_age_lets_a_recent_sign_in_pass(client, oidc_client, make_user):
    signed_in(client, make_user, **{core.SESSION_AUTH_TIME: int(time.time()) - 60})
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_client, challenge, max_age="300"))
    assert response.status_code == 200  # the consent page
    assert "_auth_user_id" in client.session


def test_max_age_with_prompt_none_gets_login_required(client, register, make_user):
    trusted, _secret = register("转诊平台", trusted=True)  # no consent page to ask for
    signed_in(client, make_user, **{core.SESSION_AUTH_TIME: int(time.time()) - 600})
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(trusted, challenge, max_age="0", prompt="none"))
    assert query(response["Location"])["error"] == "login_required"


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "１２"])
def test_a_malformed_max_age_is_an_invalid_request(client, oidc_client, make_user, bad):
    signed_in(client, make_user, **{core.SESSION_AUTH_TIME: int(time.time())})
    _verifier, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_client, challenge, max_age=bad))
    answer = query(response["Location"])
    assert (answer["error"], answer["state"]) == ("invalid_request", "s-1")
