"""The invitation page (security administrator) and the enrolment page (holder)."""

from __future__ import annotations

import re

import pytest

from anbao.accounts.core import Role
from anbao.audit.models import AuditRecord
from anbao.enrolment import core
from anbao.enrolment.models import Invitation

pytestmark = pytest.mark.django_db


def test_security_admin_creates_an_invitation_and_sees_the_code_once(client_as, ca):
    client = client_as(Role.SECURITY_ADMIN)
    response = client.post(
        "/enrol/invitations/",
        {
            "name": "王护士",
            "email": "wang@hospital.example",
            "unit": "急诊科",
            "profile": "mobile",
            "dual": "on",
            "hours": "24",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    code = re.search(r'id="enrol-code">([A-Z2-7]{26})<', html).group(1)
    invitation = Invitation.objects.get()
    assert invitation.code_hash == core.code_hash(code) and invitation.dual
    assert f"http://127.0.0.1:8000/enrol/{code}/" in html or f"/enrol/{code}/" in html
    assert "<svg" in html and "<script" not in html.split("<main>")[1].split("</main>")[0]
    assert response["Cache-Control"] == "no-store"
    listing = client.get("/enrol/invitations/").content.decode()
    assert "王护士" in listing and code not in listing


def test_invitation_page_is_for_pki_managers_only(client_as, ca):
    assert client_as(Role.SYSTEM_ADMIN).get("/enrol/invitations/").status_code == 403


def test_invalid_form_shows_errors(client_as, ca):
    client = client_as(Role.SECURITY_ADMIN)
    response = client.post("/enrol/invitations/", {"name": "", "email": "x", "hours": "0"})
    assert response.status_code == 200 and not Invitation.objects.exists()


def test_enrolment_page_for_pc_loads_the_scripts_and_audits_the_start(client, invite):
    invitation, code = invite()
    response = client.get(f"/enrol/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "enrolment/anbao-sm.js" in html and "enrolment/enrol.js" in html
    assert 'id="generate"' in html and f'data-api="/api/enrol/{code}/"' in html
    assert response["Referrer-Policy"] == "no-referrer"
    started = AuditRecord.objects.filter(action="enrolment.started").get()
    assert started.object_id == str(invitation.pk)


def test_enrolment_page_for_mobile_shows_the_api(client, invite):
    _, code = invite(profile="mobile")
    html = client.get(f"/enrol/{code}/").content.decode()
    assert 'id="csr-form"' in html and f"/api/enrol/{code}/" in html


@pytest.mark.parametrize("state", ["used", "expired", "wrong"])
def test_enrolment_page_explains_a_bad_code_in_chinese(client, invite, state):
    import datetime as dt

    from django.utils import timezone

    invitation, code = invite()
    if state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    else:
        code = "Q" * 26
    response = client.get(f"/enrol/{code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == (404 if state == "wrong" else 410)
    message = re.search(r'id="enrol-error"[^>]*>([^<]+)<', response.content.decode()).group(1)
    assert {"used": "已被使用", "expired": "已过期", "wrong": "无效"}[state] in message
    assert AuditRecord.objects.filter(action="enrolment.failed").count() == 1


def test_security_admin_withdraws_an_open_invitation(client_as, invite):
    invitation, code = invite()
    client = client_as(Role.SECURITY_ADMIN)
    assert (
        f"/enrol/invitations/{invitation.pk}/withdraw/"
        in client.get("/enrol/invitations/").content.decode()
    )
    response = client.post(f"/enrol/invitations/{invitation.pk}/withdraw/", follow=True)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert client.get(f"/enrol/{code}/").status_code == 410
    again = client.post(f"/enrol/invitations/{invitation.pk}/withdraw/", follow=True)
    assert again.status_code == 200 and "error" in again.content.decode()
    assert client.post("/enrol/invitations/999999/withdraw/").status_code == 404
