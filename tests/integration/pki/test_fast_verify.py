"""The verification route served ahead of Django (`pki.fast_verify`): what it answers itself,
what it leaves to Django, and that both give the same answers."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.exceptions import ValidationError as DRFValidationError

import wsgi_calls
from anbao import errors
from anbao.accounts.models import APIToken
from anbao.audit.models import AuditRecord
from anbao.pki import api as pki_api
from anbao.pki.fast_verify import FastVerify
from anbao.pki.services import issuance, status
from anbao.sm import load_private_key

pytestmark = pytest.mark.django_db
PATH = "/api/signatures/verify/"
MESSAGE = "转诊单 2026-11-25".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def app():
    return FastVerify(wsgi_calls.RecordingApp(WSGIHandler()))


@pytest.fixture
def signed(ca):
    made = issuance.issue(
        issuance.HolderInput(name="李四", email="ls@example.cn"), generate_key=True, pin="123456"
    )
    key = load_private_key(made.private_key_pem, b"123456")
    body = {
        "message": b64(MESSAGE),
        "signature": b64(key.sign(MESSAGE)),
        "serial": made.signing.serial,
    }
    return made, body


def token_for(make_user, role="application", username="his"):
    return APIToken.issue(make_user(username, role), "system")[1]


def post(app, body, token, **headers):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers.setdefault("CONTENT_TYPE", "application/json")
    return wsgi_calls.call(
        app, "POST", PATH, payload, HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )


def test_answers_a_valid_signature_itself_with_safe_headers(app, signed, make_user):
    resp = post(app, signed[1], token_for(make_user))
    assert resp.status_code == 200, resp.content
    assert resp.json()["valid"] is True
    assert app.django_app.calls == []
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Content-Language"] == "zh-hans"
    assert resp.json()["message"] == "签名有效"


def test_speaks_the_language_asked_for(app, signed, make_user):
    resp = post(app, signed[1], token_for(make_user), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.json()["message"] == "the signature is valid"
    assert resp.headers["Content-Language"] == "en"


def test_a_revocation_is_seen_by_the_next_request(app, signed, make_user):
    made, body = signed
    token = token_for(make_user)
    assert post(app, body, token).json()["valid"] is True
    status.revoke(made.signing.serial, "key_compromise", actor="test")
    resp = post(app, body, token)
    assert resp.json() | {"certificate": None} == {
        "valid": False,
        "reason": "certificate_revoked",
        "message": resp.json()["message"],
        "certificate": None,
    }
    assert AuditRecord.objects.filter(action="signature.verify", outcome="failure").exists()


@pytest.mark.parametrize(
    ("token", "headers", "status_code"),
    [
        ("anb_not-a-token", {}, 401),  # unknown token: Django's authentication answers
        (None, {"HTTP_COOKIE": "sessionid=x"}, 200),  # a session client goes through Django
        (None, {"CONTENT_TYPE": "text/plain"}, 415),
    ],
)
def test_leaves_everything_else_to_django(app, signed, make_user, token, headers, status_code):
    resp = post(app, signed[1], token or token_for(make_user), **headers)
    assert resp.status_code == status_code, resp.content
    assert app.django_app.calls == [PATH]


def test_a_role_without_the_capability_is_refused_and_audited_by_django(app, signed, make_user):
    resp = post(app, signed[1], token_for(make_user, "engineer", "eng"))
    assert resp.status_code == 403
    assert app.django_app.calls == [PATH]
    assert AuditRecord.objects.filter(action="access.denied", actor="eng").exists()


def test_malformed_json_is_answered_by_django_from_the_same_body(app, make_user, ca):
    resp = post(app, b'{"message": ', token_for(make_user))
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "parse_error"
    assert app.django_app.calls == [PATH]


def test_bad_fields_are_answered_here_with_the_api_error_shape(app, make_user, ca):
    resp = post(app, {"message": "AA==", "signature": "%%%", "serial": "01"}, token_for(make_user))
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "invalid"
    assert "signature" in resp.json()["error"]["message"]
    assert app.django_app.calls == []


def test_an_unexpected_failure_is_a_json_500_without_a_traceback(
    app, signed, make_user, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(pki_api.signatures, "verify", broken)
    resp = post(app, signed[1], token_for(make_user))
    assert resp.status_code == 500
    assert resp.json() == {"error": {"code": "server_error", "message": "Internal server error."}}
    assert b"fire" not in resp.content


SAMPLE = "MEUCIQDV0aMLVx5wz7c8yjJm3z2sP7Y2t3m0l2qfJ2yq5x8s4QIgQmV4ZQ=="
BODIES = [
    {"message": "AA==", "signature": SAMPLE, "serial": "01"},
    {"message": "AA==", "signature": SAMPLE, "certificate": "PEM"},
    {"message": "AA==", "signature": SAMPLE, "serial": "01", "id": "ALICE123@YAHOO.COM"},
    {"message": "AA==", "signature": SAMPLE},
    {"message": "AA==", "signature": SAMPLE, "serial": "01", "certificate": "PEM"},
    {"message": "!!", "signature": SAMPLE, "serial": "01"},
    {"message": "AA=", "signature": SAMPLE, "serial": "01"},
    {"message": "", "signature": SAMPLE, "serial": "01"},
    {"signature": SAMPLE, "serial": "01"},
    {"message": 5, "signature": SAMPLE, "serial": "01"},
    {"message": "AA==", "signature": "A" * 1004, "serial": "01"},
    {"message": "AA==", "signature": SAMPLE, "serial": "0" * 65},
    {"message": "AA==", "signature": SAMPLE, "serial": "01", "id": "x" * 1025},
    {"message": "AA==", "signature": SAMPLE, "serial": None},
    {"message": "AA==", "signature": SAMPLE, "serial": "01", "extra": "ignored"},
    {"message": "AA==", "signature": b64(bytes(1000)), "serial": "01"},
    {"message": "AA==", "signature": b64(bytes(1001)), "serial": "01"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("body", BODIES)
def test_the_reader_accepts_what_the_documented_serializer_accepts(body):
    serializer = pki_api.VerifyRequest(data=body)
    try:
        serializer.is_valid(raise_exception=True)
        documented = True
    except DRFValidationError:
        documented = False
    try:
        pki_api.parse_verify_request(body)
        read = True
    except errors.ValidationError:
        read = False
    assert read == documented, serializer.errors
