"""The security administrator's CA pages: lists, detail, downloads, issue, revoke, renew, CRL."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import pem, x509
from django.utils import timezone
from pki_admin_helpers import make_csr

from anbao.audit.models import AuditRecord
from anbao.pki.models import Certificate, Holder, RevocationList
from anbao.pki.services import issuance
from anbao.sm import load_private_key

pytestmark = pytest.mark.django_db
ZS = issuance.HolderInput(name="张三", email="zs@example.cn", unit="信息科", username="zhangsan")


@pytest.fixture
def admin(ca, client_as):
    return client_as("security_admin")


def post_issue(client, form):
    """Open the issue form (for its one-time token) and send ``form``."""
    token = client.get("/pki/admin/certificates/issue/").context["form"]["once"].value()
    return client.post("/pki/admin/certificates/issue/", {"once": token, **form})


@pytest.fixture
def issued(ca):
    return issuance.issue(ZS, generate_key=True, dual=True, actor="test")


def test_overview_lists_the_hierarchy_and_issues_a_crl(admin):
    page = admin.get("/pki/admin/")
    assert page.status_code == 200
    assert "二级CA".encode() in page.content
    response = admin.post("/pki/admin/ca/crl/")
    assert response.status_code == 302
    crl = RevocationList.objects.get()
    assert AuditRecord.objects.filter(action="ca.crl", actor=admin.user.username).exists()
    assert str(crl.number).encode() in admin.get("/pki/admin/").content
    chain = admin.get("/pki/admin/ca/chain.pem")
    assert chain.status_code == 200 and chain.content.count(b"BEGIN CERTIFICATE") == 2


def test_overview_without_a_ca_says_how_to_create_one(db, settings, tmp_path, client_as):
    settings.DATA_DIR = tmp_path
    client = client_as("security_admin")
    assert b"anbao ca init" in client.get("/pki/admin/").content
    assert client.get("/pki/admin/ca/chain.pem").status_code == 404
    client.post("/pki/admin/ca/crl/")
    assert RevocationList.objects.count() == 0


def test_holders_search_and_detail(admin, issued):
    issuance.issue(
        issuance.HolderInput(name="李四", email="ls@example.cn", unit="精神科"), generate_key=True
    )
    listing = admin.get("/pki/admin/holders/", {"q": "信息"})
    assert "张三".encode() in listing.content and "李四".encode() not in listing.content
    holder = Holder.objects.get(email="zs@example.cn")
    detail = admin.get(f"/pki/admin/holders/{holder.pk}/")
    assert b"zhangsan" in detail.content and issued.signing.serial.encode() in detail.content
    assert admin.get("/pki/admin/holders/999999/").status_code == 404


def test_certificate_filters(admin, issued):
    mobile = issuance.issue(
        issuance.HolderInput(name="李四", email="ls@example.cn", profile="mobile"),
        generate_key=True,
        now=timezone.now() - dt.timedelta(days=350),
    )
    every = admin.get("/pki/admin/certificates/")
    assert every.content.count(b"/pki/admin/certificates/") >= 3
    expiring = admin.get("/pki/admin/certificates/", {"expiring": "30"}).content.decode()
    assert mobile.signing.serial in expiring and issued.signing.serial not in expiring
    by_usage = admin.get("/pki/admin/certificates/", {"usage": "encryption"}).content.decode()
    assert issued.encryption.serial in by_usage and issued.signing.serial not in by_usage
    by_profile = admin.get("/pki/admin/certificates/", {"profile": "mobile"}).content.decode()
    assert mobile.signing.serial in by_profile and issued.signing.serial not in by_profile
    assert admin.get("/pki/admin/certificates/", {"q": "张三"}).content.count(b"<code>") == 2
    for bad in ({"expiring": "-1"}, {"expiring": "soon"}, {"status": "lost"}, {"usage": "x"}):
        assert admin.get("/pki/admin/certificates/", bad).status_code == 400


def test_certificate_detail_and_downloads(admin, issued):
    serial = issued.signing.serial
    page = admin.get(f"/pki/admin/certificates/{serial}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert issued.encryption.serial in text and issued.signing.fingerprint[:2].upper() in text
    der = admin.get(f"/pki/admin/certificates/{serial}/download/der/")
    assert x509.Certificate.load(der.content).serial_number == int(serial, 16)
    pem_body = admin.get(f"/pki/admin/certificates/{serial}/download/pem/").content
    assert pem.unarmor(pem_body)[2] == der.content
    chain = admin.get(f"/pki/admin/certificates/{serial}/download/chain/").content
    assert chain.count(b"BEGIN CERTIFICATE") == 3
    envelope = admin.get(f"/pki/admin/certificates/{issued.encryption.serial}/download/envelope/")
    assert envelope.content == issued.envelope
    assert admin.get(f"/pki/admin/certificates/{serial}/download/envelope/").status_code == 404
    assert admin.get(f"/pki/admin/certificates/{serial}/download/key/").status_code == 404
    assert AuditRecord.objects.filter(action="cert.download", object_id=serial).count() == 3
    assert admin.get("/pki/admin/certificates/ABCDEF/").status_code == 404
    assert admin.get("/pki/admin/certificates/not-hex/").status_code == 400


def test_issue_from_a_pasted_csr(admin):
    _key, csr_pem = make_csr()
    form = {
        "name": "王医生",
        "email": "wang@example.cn",
        "unit": "精神科",
        "profile": "pc",
        "key_source": "csr",
        "csr_text": csr_pem.decode(),
        "dual": "on",
    }
    response = post_issue(admin, form)
    assert response.status_code == 302
    cert = Certificate.objects.get(usage="signing")
    assert response["Location"].endswith(f"/certificates/{cert.serial}/")
    assert cert.pair is not None and cert.created_by == admin.user.username


def test_issue_from_an_uploaded_csr_file(admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _key, csr_pem = make_csr()
    form = {
        "name": "王医生",
        "email": "wang@example.cn",
        "profile": "mobile",
        "key_source": "csr",
        "csr_file": SimpleUploadedFile("req.pem", csr_pem),
    }
    assert post_issue(admin, form).status_code == 302
    assert Certificate.objects.get().profile == "mobile"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"profile": "tablet"}, "profile"),
        ({"key_source": "csr"}, "__all__"),
        (
            {"key_source": "csr", "csr_text": "-----BEGIN CERTIFICATE REQUEST-----\nAAA\n"},
            "__all__",
        ),
        ({"key_source": "csr", "csr_text": "x", "csr_file": "y"}, "__all__"),
        ({"username": "bad user!"}, "username"),
    ],
)
def test_issue_refuses_bad_input_and_issues_nothing(admin, change, field):
    form = {
        "name": "王医生",
        "email": "wang@example.cn",
        "profile": "pc",
        "key_source": "generate",
        **change,
    }
    if "csr_file" in change:
        from django.core.files.uploadedfile import SimpleUploadedFile

        form["csr_file"] = SimpleUploadedFile("req.pem", b"y")
    response = post_issue(admin, form)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert field in response.context["form"].errors
    assert Certificate.objects.count() == 0 and Holder.objects.count() == 0


def test_issue_conflict_is_a_form_message_and_the_form_can_be_corrected(admin, issued):
    token = admin.get("/pki/admin/certificates/issue/").context["form"]["once"].value()
    form = {
        "name": "别人",
        "email": "zs@example.cn",
        "profile": "pc",
        "key_source": "generate",
        "once": token,
    }
    response = admin.post("/pki/admin/certificates/issue/", form)
    assert response.status_code == 409
    assert "张三".encode() in response.content
    assert Certificate.objects.count() == 2
    corrected = admin.post("/pki/admin/certificates/issue/", {**form, "email": "br@example.cn"})
    assert corrected.status_code == 200 and Certificate.objects.count() == 3


def test_sending_the_issue_form_twice_issues_once(admin):
    token = admin.get("/pki/admin/certificates/issue/").context["form"]["once"].value()
    form = {
        "name": "王医生",
        "email": "wang@example.cn",
        "profile": "pc",
        "key_source": "generate",
        "once": token,
    }
    assert admin.post("/pki/admin/certificates/issue/", form).status_code == 200
    again = admin.post("/pki/admin/certificates/issue/", form)  # the browser's reload
    assert again.status_code == 409 and b"errorlist" in again.content
    without = admin.post("/pki/admin/certificates/issue/", {**form, "once": ""})
    assert without.status_code == 400
    assert Certificate.objects.count() == 1


def test_generated_key_is_downloadable_once_with_the_pin_shown_once(admin):
    form = {"name": "王医生", "email": "wang@example.cn", "profile": "pc", "key_source": "generate"}
    page = post_issue(admin, form)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    token = page.context["token"]
    pin = page.context["pin"]
    assert pin.encode() in page.content
    key_file = admin.post(f"/pki/admin/keys/{token}/")
    assert key_file.status_code == 200 and b"ENCRYPTED PRIVATE KEY" in key_file.content
    cert = Certificate.objects.get()
    key = load_private_key(key_file.content, pin.encode())
    assert key.public_key().to_spki_der() in bytes(cert.der)
    again = admin.post(f"/pki/admin/keys/{token}/")
    assert again.status_code == 404
    assert admin.get(f"/pki/admin/certificates/{cert.serial}/").status_code == 200
    outcomes = list(
        AuditRecord.objects.filter(action="pickup.take").values_list("outcome", flat=True)
    )
    assert sorted(outcomes) == ["failure", "success"]
    assert pin not in "".join(str(r.details) for r in AuditRecord.objects.all())


def test_key_download_is_refused_to_another_administrator_and_after_ten_minutes(
    admin, make_user, client, settings
):
    from django.test import Client

    form = {"name": "王医生", "email": "wang@example.cn", "profile": "pc", "key_source": "generate"}
    token = post_issue(admin, form).context["token"]
    other = Client()
    other.force_login(make_user("other.sec", "security_admin"))
    assert other.post(f"/pki/admin/keys/{token}/").status_code == 403
    assert admin.get(f"/pki/admin/keys/{token}/").status_code == 405
    from anbao.pki.services import pickup

    later = timezone.now() + dt.timedelta(minutes=11)
    assert pickup.peek(token, now=later) is None
    pickup.purge(now=later)
    assert admin.post(f"/pki/admin/keys/{token}/").status_code == 404
    assert not list((settings.DATA_DIR / "pki" / "pickups").iterdir())


def test_revoke_with_a_reason_and_confirmation(admin, issued):
    serial = issued.signing.serial
    url = f"/pki/admin/certificates/{serial}/revoke/"
    assert "密钥泄露".encode() in admin.get(url).content  # the RFC 5280 reasons, in Chinese
    assert admin.post(url, {"reason": "key_compromise"}).status_code == 400  # no confirmation
    assert admin.post(url, {"reason": "lost", "confirm": "on"}).status_code == 400
    assert Certificate.objects.filter(status="revoked").count() == 0
    assert admin.post(url, {"reason": "key_compromise", "confirm": "on"}).status_code == 302
    assert Certificate.objects.filter(status="revoked").count() == 2
    again = admin.post(url, {"reason": "key_compromise", "confirm": "on"})
    assert again.status_code == 409 and b"errorlist" in again.content


def test_renew_and_its_refusals(admin, issued):
    serial = issued.signing.serial
    assert admin.get(f"/pki/admin/certificates/{serial}/renew/").status_code == 200
    response = admin.post(f"/pki/admin/certificates/{serial}/renew/")
    assert response.status_code == 302
    new = Certificate.objects.get(renewal_of__serial=serial)
    assert response["Location"].endswith(f"/{new.serial}/")
    detail = admin.get(f"/pki/admin/certificates/{serial}/").content.decode()
    assert new.serial in detail
    enc = admin.post(f"/pki/admin/certificates/{issued.encryption.serial}/renew/")
    assert enc.status_code == 400
    admin.post(
        f"/pki/admin/certificates/{serial}/revoke/", {"reason": "superseded", "confirm": "on"}
    )
    revoked = admin.post(f"/pki/admin/certificates/{serial}/renew/")
    assert revoked.status_code == 409 and b"errorlist" in revoked.content


def test_menu_entry_for_the_security_administrator_only(ca, client_as):
    assert b"/pki/admin/certificates/" in client_as("security_admin").get("/").content


def test_other_roles_are_refused(ca, client_as):
    client = client_as("engineer")
    assert client.get("/pki/admin/certificates/").status_code == 403
    assert b"/pki/admin/certificates/" not in client.get("/").content
