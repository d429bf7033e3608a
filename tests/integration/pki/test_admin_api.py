"""The CA management API: list, show, issue from a CSR, revoke, renew; errors as JSON."""

from __future__ import annotations

import base64

import pytest
from asn1crypto import pem, x509
from pki_admin_helpers import make_csr

from anbao.audit.models import AuditRecord
from anbao.pki.core.envelope import open_envelope
from anbao.pki.models import Certificate, Holder
from anbao.pki.services import issuance

pytestmark = pytest.mark.django_db
ZS = issuance.HolderInput(name="张三", email="zs@example.cn", unit="信息科")


@pytest.fixture
def api(ca, client_as):
    return client_as("security_admin")


@pytest.fixture
def issued(ca):
    return issuance.issue(ZS, generate_key=True, dual=True, actor="test")


def _issue_body(**change):
    _key, csr_pem = make_csr()
    return {
        "name": "王医生",
        "email": "wang@example.cn",
        "unit": "精神科",
        "csr": csr_pem.decode(),
        **change,
    }


def test_holders_and_certificates_lists(api, issued):
    holders = api.get("/api/pki/holders/", {"q": "zs@"}).json()
    assert holders["count"] == 1 and holders["results"][0]["name"] == "张三"
    assert api.get("/api/pki/holders/", {"q": "nobody"}).json()["count"] == 0
    listing = api.get("/api/pki/certificates/").json()
    assert listing["count"] == 2
    signing = api.get("/api/pki/certificates/", {"usage": "signing"}).json()["results"]
    assert [c["serial"] for c in signing] == [issued.signing.serial]
    assert signing[0]["pair"] == issued.encryption.serial
    assert api.get("/api/pki/certificates/", {"expiring_within": "30"}).json()["count"] == 0
    assert api.get("/api/pki/certificates/", {"expiring_within": "400"}).json()["count"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"usage": "x"},
        {"profile": "tablet"},
        {"expiring_within": "soon"},
        {"expiring_within": "-3"},
    ],
)
def test_bad_filters_are_400(api, params):
    response = api.get("/api/pki/certificates/", params)
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_certificate_detail_has_the_pem(api, issued):
    serial = issued.signing.serial
    body = api.get(f"/api/pki/certificates/{serial.lower()}/").json()
    assert body["serial"] == serial and body["status"] == "valid"
    assert x509.Certificate.load(pem.unarmor(body["pem"].encode())[2]).serial_number == int(
        serial, 16
    )
    missing = api.get("/api/pki/certificates/ABCDEF/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_serial"
    assert api.get("/api/pki/certificates/zz/").status_code == 400


def test_issue_from_a_csr(api):
    key, _ = make_csr()
    body = _issue_body(dual=True, username="wangys", profile="mobile")
    response = api.post("/api/pki/certificates/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    signing = Certificate.objects.get(serial=data["signing"]["serial"])
    assert signing.profile == "mobile" and signing.holder.user.username == "wangys"
    assert data["encryption"]["serial"] == signing.pair.serial
    assert base64.b64decode(data["envelope"])
    assert AuditRecord.objects.filter(action="cert.issue", object_id=signing.serial).exists()


def test_issued_envelope_opens_with_the_csr_key(api):
    key, csr_pem = make_csr()
    body = {"name": "王医生", "email": "wang@example.cn", "csr": csr_pem.decode(), "dual": True}
    data = api.post("/api/pki/certificates/", body, content_type="application/json").json()
    enc_key = open_envelope(base64.b64decode(data["envelope"]), key)
    enc = Certificate.objects.get(serial=data["encryption"]["serial"])
    assert enc_key.public_key().to_spki_der() in bytes(enc.der)


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"email": "nope"}, 400),
        ({"name": ""}, 400),
        ({"profile": "tablet"}, 400),
        ({"csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAA\n"}, 400),
        ({"csr": ""}, 400),
        ({"username": "bad user!"}, 400),
        ({"dual": "maybe"}, 400),
    ],
)
def test_issue_refuses_bad_input(api, change, status):
    response = api.post(
        "/api/pki/certificates/", _issue_body(**change), content_type="application/json"
    )
    assert response.status_code == status
    assert set(response.json()["error"]) >= {"code", "message"}
    assert Certificate.objects.count() == 0 and Holder.objects.count() == 0


def test_issue_for_an_e_mail_of_another_holder_is_a_conflict(api, issued):
    response = api.post(
        "/api/pki/certificates/",
        _issue_body(email="zs@example.cn"),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_holder"


def test_issue_without_a_body_is_400(api):
    assert (
        api.post("/api/pki/certificates/", "not json", content_type="application/json").status_code
        == 400
    )


def test_revoke(api, issued):
    url = f"/api/pki/certificates/{issued.signing.serial}/revoke/"
    assert api.post(url, {"reason": "lost"}, content_type="application/json").status_code == 400
    assert api.post(url, {}, content_type="application/json").status_code == 400
    response = api.post(url, {"reason": "key_compromise"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revocation_reason"] == "key_compromise"
    assert Certificate.objects.get(pk=issued.encryption.pk).status == "revoked"
    again = api.post(url, {"reason": "key_compromise"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_revoked"
    unknown = api.post(
        "/api/pki/certificates/ABC/revoke/",
        {"reason": "superseded"},
        content_type="application/json",
    )
    assert unknown.status_code == 404


def test_renew(api, issued):
    serial = issued.signing.serial
    response = api.post(f"/api/pki/certificates/{serial}/renew/")
    assert response.status_code == 201
    new = response.json()["signing"]
    assert new["renewal_of"] == serial and new["serial"] != serial
    assert response.json()["encryption"] is not None
    enc = api.post(f"/api/pki/certificates/{issued.encryption.serial}/renew/")
    assert enc.status_code == 400
    api.post(
        f"/api/pki/certificates/{serial}/revoke/",
        {"reason": "superseded"},
        content_type="application/json",
    )
    assert api.post(f"/api/pki/certificates/{serial}/renew/").status_code == 409
    assert api.post("/api/pki/certificates/ABC/renew/").status_code == 404


def test_other_roles_and_anonymous_are_refused(ca, client_as, client):
    assert client.get("/api/pki/certificates/").status_code == 401
    engineer = client_as("engineer")
    assert engineer.get("/api/pki/holders/").status_code == 403
    assert (
        engineer.post(
            "/api/pki/certificates/", _issue_body(), content_type="application/json"
        ).status_code
        == 403
    )
    assert Certificate.objects.count() == 0
