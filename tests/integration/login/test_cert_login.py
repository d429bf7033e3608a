"""Certificate + password login: the happy path and every refusal (docs/cert-login.md)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from anbao.accounts import login
from anbao.accounts.models import LoginChallenge
from anbao.audit.models import AuditRecord
from anbao.pki import keystore
from anbao.pki.core import certificates as C
from anbao.pki.core.names import parse_dn
from anbao.pki.core.profiles import Usage
from anbao.pki.models import EscrowedKey
from anbao.pki.services import issuance, status
from anbao.sm import SM2PrivateKey, load_private_key
from login_helpers import PASSWORD, b64

pytestmark = pytest.mark.django_db


def last_reason():
    rec = AuditRecord.objects.filter(action="auth.login_failed").order_by("-seq").first()
    return rec.details["reason"]


def refused(resp, remaining):
    assert resp.status_code == 401, resp.content
    err = resp.json()["error"]
    assert err["code"] == "invalid_credentials" and err["remaining_attempts"] == remaining
    assert f"还可尝试 {remaining} 次" in err["message"]


def test_challenge_shape_is_the_same_for_unknown_users(api, holder):
    known = api("/api/auth/challenge", {"username": "zhangsan"}).json()
    unknown = api("/api/auth/challenge", {"username": "nobody"}).json()
    assert (
        set(known) == set(unknown) == {"challenge_id", "nonce", "expires_at", "server", "message"}
    )
    assert len(base64.b64decode(known["nonce"])) == 32
    assert base64.b64decode(known["message"]).startswith(b"anbao-login-v1\nserver=")


def test_happy_path_sets_session_amr_and_acr(signed_login, holder, client):
    user, key, _ = holder
    resp = signed_login("zhangsan", PASSWORD, key)
    assert resp.status_code == 200, resp.content
    assert resp.json()["amr"] == ["pwd", "x509", "mfa"]
    assert client.session["anbao_acr"] == "urn:anbao:acr:x509+pwd"
    assert client.get("/api/me/").json()["username"] == "zhangsan"


def test_token_mode_for_api_clients(signed_login, holder, client):
    _, key, _ = holder
    resp = signed_login("zhangsan", PASSWORD, key, token=True)
    token = resp.json()["token"]
    client.cookies.clear()
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def answer(challenge, key):
    """zhangsan's login body answering ``challenge`` with ``key``."""
    return {
        "username": "zhangsan",
        "password": PASSWORD,
        "challenge_id": challenge["challenge_id"],
        "signature": b64(key.sign(base64.b64decode(challenge["message"]))),
    }


def test_replayed_challenge(api, holder):
    _, key, _ = holder
    ch = api("/api/auth/challenge", {"username": "zhangsan"}).json()
    body = answer(ch, key)
    assert api("/api/auth/login", body).status_code == 200
    refused(api("/api/auth/login", body), 4)
    assert last_reason() == "challenge_replayed"


def test_expired_challenge(api, holder):
    _, key, _ = holder
    ch = login.issue_challenge("zhangsan", now=timezone.now() - dt.timedelta(seconds=61))
    body = answer(ch, key)
    refused(api("/api/auth/login", body), 4)
    assert last_reason() == "challenge_expired"


def test_challenge_for_another_user(signed_login, holder, make_user):
    _, key, _ = holder
    refused(signed_login("zhangsan", PASSWORD, key, sign_as="someone.else"), 4)
    assert last_reason() == "challenge_invalid"


def test_another_keys_signature(signed_login, holder):
    refused(signed_login("zhangsan", PASSWORD, SM2PrivateKey.generate()), 4)
    assert last_reason() == "signature_invalid"


def test_wrong_sm2_id(signed_login, holder):
    _, key, _ = holder
    refused(signed_login("zhangsan", PASSWORD, key, id=b"ALICE123@YAHOO.COM"), 4)
    assert last_reason() == "signature_invalid"


def test_malformed_signature(api, holder):
    ch = api("/api/auth/challenge", {"username": "zhangsan"}).json()
    for bad in ("!!notbase64", b64(b"\x30\x02\x02\x00")):
        api(
            "/api/auth/login",
            {
                "username": "zhangsan",
                "password": PASSWORD,
                "challenge_id": ch["challenge_id"],
                "signature": bad,
            },
        )
    assert last_reason() in {"signature_malformed", "challenge_replayed"}


def test_wrong_password_with_a_good_signature(signed_login, holder):
    _, key, _ = holder
    refused(signed_login("zhangsan", "Wrong-Pass-1", key), 4)
    assert last_reason() == "password"


def test_revoked_certificate(signed_login, holder):
    _, key, result = holder
    status.revoke(result.signing.serial, "key_compromise")
    refused(signed_login("zhangsan", PASSWORD, key), 4)
    assert last_reason() in {"no_certificate", "certificate_revoked"}
    pem = issuance.certificate_pem(result.signing).decode()
    refused(signed_login("zhangsan", PASSWORD, key, certificate=pem), 3)
    assert last_reason() == "certificate_revoked"


def test_expired_certificate(signed_login, ca, django_user_model):
    old = issuance.issue(
        issuance.HolderInput(name="老王", email="lw@example.cn", username="laowang"),
        generate_key=True,
        pin="123456",
        now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    user = django_user_model.objects.get(username="laowang")
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save()
    key = load_private_key(old.private_key_pem, b"123456")
    pem = issuance.certificate_pem(old.signing).decode()
    refused(signed_login("laowang", PASSWORD, key, certificate=pem), 4)
    assert last_reason() == "certificate_expired"


def test_foreign_ca_certificate(signed_login, holder):
    key = SM2PrivateKey.generate()
    name = parse_dn("CN=Foreign,C=CN")
    now = dt.datetime.now(dt.UTC)
    cert = C.issue(
        C.CertificateRequest(
            parse_dn("CN=张三,C=CN"),
            key.public_key(),
            Usage.SIGNING,
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=9),
            C.random_serial(),
        ),
        name,
        key.public_key(),
        key.sign,
    )
    from asn1crypto import pem

    refused(
        signed_login(
            "zhangsan", PASSWORD, key, certificate=pem.armor("CERTIFICATE", cert.dump()).decode()
        ),
        4,
    )
    assert last_reason() == "untrusted_issuer"


def test_encryption_certificate_cannot_log_in(signed_login, holder):
    _, _, result = holder
    escrow = EscrowedKey.objects.get(certificate=result.encryption)
    enc_key = keystore.unwrap_key(bytes(escrow.wrapped_key), f"escrow:{result.encryption.serial}")
    pem = issuance.certificate_pem(result.encryption).decode()
    refused(signed_login("zhangsan", PASSWORD, enc_key, certificate=pem), 4)
    assert last_reason() == "wrong_key_usage"


def test_someone_elses_certificate(signed_login, holder, ca, django_user_model):
    other = issuance.issue(
        issuance.HolderInput(name="李四", email="ls@example.cn", username="lisi"),
        generate_key=True,
        pin="123456",
    )
    key = load_private_key(other.private_key_pem, b"123456")
    pem = issuance.certificate_pem(other.signing).decode()
    refused(signed_login("zhangsan", PASSWORD, key, certificate=pem), 4)
    assert last_reason() == "certificate_not_owned"


def test_holder_needs_the_certificate(api, holder):
    refused(api("/api/auth/login", {"username": "zhangsan", "password": PASSWORD}), 4)
    assert last_reason() == "certificate_required"


def test_countdown_lockout_423_and_unlock(api, holder, signed_login, make_user, client):
    _, key, _ = holder
    sec = make_user("sec", "security_admin", email="sec@example.cn")
    for remaining in (4, 3, 2, 1):
        refused(signed_login("zhangsan", "Wrong-Pass-1", key), remaining)
    locked = signed_login("zhangsan", "Wrong-Pass-1", key)
    assert locked.status_code == 423
    err = locked.json()["error"]
    assert err["code"] == "account_locked" and err["locked_until"].endswith("Z")
    # even the right password is refused while locked
    assert signed_login("zhangsan", PASSWORD, key).status_code == 423
    assert AuditRecord.objects.filter(action="auth.lockout", object_id="zhangsan").count() == 1
    from anbao.notifications.models import Notification

    note = Notification.objects.get(user=sec)
    assert "zhangsan" in note.title and note.level == "alert"
    client.force_login(sec)
    page = client.get("/accounts/lockouts/")
    assert "zhangsan" in page.content.decode()
    client.post("/accounts/lockouts/unlock/", {"username": "zhangsan"})
    client.logout()
    assert signed_login("zhangsan", PASSWORD, key).status_code == 200


def test_unknown_users_get_the_same_countdown(api, holder):
    for remaining in (4, 3, 2, 1):
        refused(api("/api/auth/login", {"username": "ghost", "password": "x"}), remaining)
    assert api("/api/auth/login", {"username": "ghost", "password": "x"}).status_code == 423


def test_one_address_is_locked_after_twenty_failures(api, ca):
    for i in range(19):
        resp = api("/api/auth/login", {"username": f"guess{i}", "password": "x"})
        assert resp.status_code == 401
    assert api("/api/auth/login", {"username": "guess19", "password": "x"}).status_code == 423
    other = api("/api/auth/login", {"username": "newname", "password": "x"}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 401


def test_bad_requests_are_400(api, holder):
    assert api("/api/auth/challenge", {}).status_code == 400
    assert api("/api/auth/login", {"username": "zhangsan"}).status_code == 400
    assert (
        api(
            "/api/auth/login",
            "{broken",
        ).status_code
        == 400
    )


def test_page_login_with_a_signature(client, holder):
    _, key, _ = holder
    ch = client.post(
        "/api/auth/challenge", {"username": "zhangsan"}, content_type="application/json"
    ).json()
    resp = client.post(
        "/accounts/login/",
        {
            "username": "zhangsan",
            "password": PASSWORD,
            "challenge_id": ch["challenge_id"],
            "signature": b64(key.sign(base64.b64decode(ch["message"]))),
        },
    )
    assert resp.status_code == 302
    assert client.session["anbao_amr"] == ["pwd", "x509", "mfa"]


def test_page_login_shows_the_countdown_in_chinese(client, holder):
    resp = client.post("/accounts/login/", {"username": "zhangsan", "password": "bad"})
    assert resp.status_code == 401
    assert "还可尝试 4 次" in resp.content.decode()


def test_revoking_the_certificate_ends_the_session(signed_login, holder, client):
    _, key, result = holder
    assert signed_login("zhangsan", PASSWORD, key).status_code == 200
    assert client.get("/api/me/").status_code == 200
    status.revoke(result.signing.serial, "key_compromise")
    assert client.get("/api/me/").status_code == 401
    assert AuditRecord.objects.filter(action="auth.session_revoked").exists()


def test_password_change_ends_other_sessions(signed_login, holder, client):
    from django.test import Client

    user, key, _ = holder
    assert signed_login("zhangsan", PASSWORD, key).status_code == 200
    other = Client()
    other.force_login(user)
    from anbao.accounts.services import change_password

    change_password(user, "Brand-New-Pass-5")
    assert other.get("/api/me/").status_code == 401


def test_a_used_challenge_is_recorded_until_it_expires(api, holder):
    _, key, _ = holder
    ch = api("/api/auth/challenge", {"username": "zhangsan"}).json()
    assert LoginChallenge.objects.count() == 0  # issuing stores nothing
    body = answer(ch, key)
    assert api("/api/auth/login", body).status_code == 200
    assert LoginChallenge.objects.count() == 1
    assert login.forget_used_challenges() == 0
    assert login.forget_used_challenges(timezone.now() + dt.timedelta(seconds=61)) == 1


def test_a_forged_challenge_id_is_invalid(api, holder):
    _, key, _ = holder
    ch = api("/api/auth/challenge", {"username": "zhangsan"}).json()
    forged = ch["challenge_id"][:-4] + ("AAAA" if ch["challenge_id"][-4:] != "AAAA" else "BBBB")
    body = answer(ch, key) | {"challenge_id": forged}
    refused(api("/api/auth/login", body), 4)
    assert last_reason() == "challenge_invalid"
