"""The OpenAPI schema is complete, valid, warning-free; errors are JSON; pages carry headers."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    for path in ("/api/users/", "/api/audit/", "/api/audit/verify/", "/api/me/"):
        assert f"{path}:" in text


def test_schema_and_docs_are_public(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_unknown_api_route_is_json_404(client_as):
    client = client_as("engineer")
    resp = client.get("/api/no-such-thing/")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"


def test_security_headers(client):
    resp = client.get("/accounts/login/")
    assert "default-src 'self'" in resp["Content-Security-Policy"]
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "csrftoken" in resp.cookies or b"csrfmiddlewaretoken" in resp.content


def test_login_form_requires_csrf(make_user):
    from django.test import Client

    make_user("csrf.user", "engineer")
    strict = Client(enforce_csrf_checks=True)
    resp = strict.post("/accounts/login/", {"username": "csrf.user", "password": "x"})
    assert resp.status_code == 403


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
