"""Helpers of the OIDC tests: PKCE, a form reader, the authorization and token requests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

REDIRECT = "http://127.0.0.1:8765/callback"
SCOPE = "openid profile email"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def form_fields(html: str, form_id: str | None = None) -> dict[str, str]:
    """The named inputs (with their values) of the page's form (or of ``form_id``)."""
    if form_id:
        match = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
        html = match.group(0) if match else ""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return fields


def authorize_url(client, challenge=None, **extra):
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "s-1",
        "nonce": "n-1",
    }
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return "/o/authorize/?" + urlencode(params)


def query(location):
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def approve(web, url):
    page = web.get(url)
    assert page.status_code == 200, page.content[:300]
    fields = form_fields(page.content.decode(), "authorizationForm")
    fields["allow"] = "1"
    response = web.post(url, fields)
    assert response.status_code == 302
    return query(response["Location"])


def exchange(web, client, code, verifier, **extra):
    basic = base64.b64encode(f"{client.client_id}:{client.raw_secret}".encode()).decode()
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier is not None:
        data["code_verifier"] = verifier
    data.update(extra)
    return web.post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
