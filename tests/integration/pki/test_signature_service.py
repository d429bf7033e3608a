"""The signature-verification service over HTTP: every verdict and every bad input."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess

import pytest
from asn1crypto import pem

import wsgi_calls
from anbao.accounts.models import APIToken
from anbao.pki import keystore
from anbao.pki.core import certificates as C
from anbao.pki.core.names import parse_dn
from anbao.pki.core.profiles import Usage
from anbao.pki.models import EscrowedKey
from anbao.pki.services import issuance, status
from anbao.sm import SM2PrivateKey, load_private_key
from services import require_program

pytestmark = pytest.mark.django_db
MESSAGE = "患者随访记录 2026-11-24".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(params=["django", "wsgi"])
def api(request, ca, make_user, client):
    """POST as the health information system: through Django's handler, or through the WSGI
    application `anbao serve` runs, whose fast verification route answers first."""
    user = make_user("his", "application")
    _, raw = APIToken.issue(user, "精神卫生信息系统")
    if request.param == "django":

        def post(path, body):
            return client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
            )

        return post
    from django.core.handlers.wsgi import WSGIHandler

    from anbao.pki.fast_verify import FastVerify

    django_app = wsgi_calls.RecordingApp(WSGIHandler())
    app = FastVerify(django_app)

    def post_wsgi(path, body):
        resp = wsgi_calls.call(
            app,
            "POST",
            path,
            json.dumps(body).encode(),
            CONTENT_TYPE="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        if path == "/api/signatures/verify/" and resp.status_code == 200:
            assert not django_app.calls, "the fast route should have answered"
        django_app.calls.clear()
        return resp

    return post_wsgi


@pytest.fixture
def holder(ca):
    result = issuance.issue(
        issuance.HolderInput(name="张三", email="zs@example.cn"),
        generate_key=True,
        pin="123456",
        dual=True,
    )
    key = load_private_key(result.private_key_pem, b"123456")
    return result, key


def verify(api, **body):
    return api("/api/signatures/verify/", body)


def test_valid_signature_by_serial_and_by_certificate(api, holder):
    result, key = holder
    sig = b64(key.sign(MESSAGE))
    by_serial = verify(api, message=b64(MESSAGE), signature=sig, serial=result.signing.serial)
    assert by_serial.status_code == 200, by_serial.content
    assert by_serial.json()["valid"] is True and by_serial.json()["reason"] is None
    pem_text = issuance.certificate_pem(result.signing).decode()
    by_cert = verify(api, message=b64(MESSAGE), signature=sig, certificate=pem_text)
    assert by_cert.json()["valid"] is True
    assert by_cert.json()["certificate"]["serial"] == result.signing.serial


@pytest.mark.parametrize("case", ["other_message", "other_key", "wrong_id"])
def test_signature_invalid(api, holder, case):
    result, key = holder
    message, signer, sid = MESSAGE, key, "1234567812345678"
    if case == "other_message":
        message = MESSAGE + b"!"
    elif case == "other_key":
        signer = SM2PrivateKey.generate()
    sig = signer.sign(
        MESSAGE,
        distinguishing_id=b"ALICE123@YAHOO.COM" if case == "wrong_id" else b"1234567812345678",
    )
    resp = verify(
        api, message=b64(message), signature=b64(sig), serial=result.signing.serial, id=sid
    )
    assert resp.status_code == 200
    assert resp.json() == {**resp.json(), "valid": False, "reason": "signature_invalid"}


def test_custom_id_verifies_when_given(api, holder):
    result, key = holder
    sig = key.sign(MESSAGE, distinguishing_id=b"zs@example.cn")
    resp = verify(
        api,
        message=b64(MESSAGE),
        signature=b64(sig),
        serial=result.signing.serial,
        id="zs@example.cn",
    )
    assert resp.json()["valid"] is True


def test_revoked(api, holder):
    result, key = holder
    status.revoke(result.signing.serial, "key_compromise")
    resp = verify(
        api, message=b64(MESSAGE), signature=b64(key.sign(MESSAGE)), serial=result.signing.serial
    )
    assert resp.json()["reason"] == "certificate_revoked"


def test_expired(api, ca):
    old = issuance.issue(
        issuance.HolderInput(name="老王", email="lw@example.cn"),
        generate_key=True,
        pin="123456",
        now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    key = load_private_key(old.private_key_pem, b"123456")
    resp = verify(
        api, message=b64(MESSAGE), signature=b64(key.sign(MESSAGE)), serial=old.signing.serial
    )
    assert resp.json()["reason"] == "certificate_expired"


def test_foreign_ca_is_untrusted(api, ca):
    key = SM2PrivateKey.generate()
    name = parse_dn("CN=Foreign CA,C=CN")
    now = dt.datetime.now(dt.UTC)
    cert = C.issue(
        C.CertificateRequest(
            parse_dn("CN=Mallory,C=CN"),
            key.public_key(),
            Usage.SIGNING,
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=30),
            C.random_serial(),
        ),
        name,
        key.public_key(),
        key.sign,
    )
    resp = verify(
        api,
        message=b64(MESSAGE),
        signature=b64(key.sign(MESSAGE)),
        certificate=pem.armor("CERTIFICATE", cert.dump()).decode(),
    )
    assert resp.json()["reason"] == "untrusted_issuer"


def test_encryption_certificate_has_the_wrong_key_usage(api, holder):
    result, _key = holder
    escrow = EscrowedKey.objects.get(certificate=result.encryption)
    enc_key = keystore.unwrap_key(bytes(escrow.wrapped_key), f"escrow:{result.encryption.serial}")
    resp = verify(
        api,
        message=b64(MESSAGE),
        signature=b64(enc_key.sign(MESSAGE)),
        serial=result.encryption.serial,
    )
    assert resp.json()["reason"] == "wrong_key_usage"


@pytest.mark.parametrize(
    ("body", "status_code", "code"),
    [
        ({"message": "!!!", "signature": "AA==", "serial": "01"}, 400, "invalid"),
        (
            {"message": "AA==", "signature": "AA==", "serial": "01"},
            400,
            "invalid_signature_encoding",
        ),
        (
            {"message": "AA==", "signature": b64(b"\x30\x44" + bytes(10)), "serial": "01"},
            400,
            "invalid_signature_encoding",
        ),
        ({"message": "AA==", "signature": "AA=="}, 400, "invalid"),
        (
            {
                "message": "AA==",
                "signature": b64(SM2PrivateKey.generate().sign(b"x")),
                "serial": "ABCDEF",
            },
            404,
            "unknown_serial",
        ),
        (
            {
                "message": "AA==",
                "signature": b64(SM2PrivateKey.generate().sign(b"x")),
                "certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            },
            400,
            "invalid_certificate",
        ),
    ],
)
def test_bad_input(api, body, status_code, code):
    resp = verify(api, **body)
    assert resp.status_code == status_code, resp.content
    assert resp.json()["error"]["code"] == code


def test_other_roles_cannot_use_the_service(ca, client_as):
    client = client_as("engineer")
    resp = client.post("/api/signatures/verify/", {}, content_type="application/json")
    assert resp.status_code == 403


def test_server_signature_verifies_in_the_service_and_in_openssl(api, tmp_path):
    made = api("/api/signatures/sign/", {"message": b64(MESSAGE)})
    assert made.status_code == 200, made.content
    body = made.json()
    checked = verify(
        api, message=b64(MESSAGE), signature=body["signature"], certificate=body["certificate"]
    )
    assert checked.json()["valid"] is True
    openssl = require_program("openssl")
    (tmp_path / "cert.pem").write_text(body["certificate"])
    (tmp_path / "msg").write_bytes(MESSAGE)
    (tmp_path / "sig").write_bytes(base64.b64decode(body["signature"]))
    pub = subprocess.run(
        [openssl, "x509", "-in", str(tmp_path / "cert.pem"), "-noout", "-pubkey"],
        capture_output=True,
        check=True,
    ).stdout
    (tmp_path / "pub.pem").write_bytes(pub)
    ok = subprocess.run(
        [
            openssl,
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(tmp_path / "pub.pem"),
            "-rawin",
            "-digest",
            "sm3",
            "-in",
            str(tmp_path / "msg"),
            "-sigfile",
            str(tmp_path / "sig"),
            "-pkeyopt",
            "distid:1234567812345678",
        ],
        capture_output=True,
        text=True,
    )
    assert "Signature Verified Successfully" in ok.stdout


def test_cms_sign_and_verify_round_trip(api, holder):
    made = api("/api/signatures/cms/sign/", {"message": b64(MESSAGE)})
    assert made.status_code == 200, made.content
    cms_b64 = made.json()["cms"]
    ok = api("/api/signatures/cms/verify/", {"message": b64(MESSAGE), "cms": cms_b64})
    assert ok.json()["valid"] is True, ok.content
    bad = api("/api/signatures/cms/verify/", {"message": b64(MESSAGE + b"x"), "cms": cms_b64})
    assert bad.json() == {**bad.json(), "valid": False, "reason": "signature_invalid"}


def test_cms_by_a_holder_key_and_revocation(api, holder):
    from asn1crypto import x509

    from anbao.pki.core.cms import sign_detached

    result, key = holder
    cert = x509.Certificate.load(bytes(result.signing.der))
    signed = sign_detached(MESSAGE, cert, key.sign, now=dt.datetime.now(dt.UTC))
    body = {"message": b64(MESSAGE), "cms": b64(signed)}
    assert api("/api/signatures/cms/verify/", body).json()["valid"] is True
    status.revoke(result.signing.serial, "key_compromise")
    assert api("/api/signatures/cms/verify/", body).json()["reason"] == "certificate_revoked"


@pytest.mark.parametrize("cms", [b64(b"garbage"), b64(b"\x30\x03\x06\x01\x00"), "AA=="])
def test_cms_garbage_is_400(api, cms):
    resp = api("/api/signatures/cms/verify/", {"message": b64(MESSAGE), "cms": cms})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_cms"
