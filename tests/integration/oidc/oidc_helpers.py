"""Helpers of the OIDC tests: a PKCE pair, a form reader, the test redirect URI."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape

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
