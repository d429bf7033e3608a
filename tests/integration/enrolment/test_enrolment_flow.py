"""Invitations and the enrolment API: lifecycle, single use, expiry, refusals, audit."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from anbao.audit.models import AuditRecord
from anbao.enrolment import core, services
from anbao.enrolment.models import Invitation
from anbao.pki.models import Certificate
from anbao.sm import load_certificate_public_key, load_private_key

pytestmark = pytest.mark.django_db


def post(client, code, csr):
    return client.post(
        f"/api/enrol/{code}/", {"csr": csr.decode()}, content_type="application/json"
    )


def actions():
    return [r.action for r in AuditRecord.objects.order_by("seq")]


def test_code_is_random_hashed_and_expires_in_72_hours(invite):
    before = timezone.now()
    invitation, code = invite()
    assert core.is_well_formed(code) and len(code) * 5 >= 128
    assert invitation.code_hash == core.code_hash(code)
    assert code not in invitation.code_hash and not Invitation.objects.filter(code_hash=code)
    expected = before + dt.timedelta(hours=72)
    assert abs((invitation.expires_at - expected).total_seconds()) < 5
    assert services.state_of(invitation) is core.State.OPEN
    assert services.enrolment_url(code).endswith(f"/enrol/{code}/")
    assert "enrolment.invite" in actions()
    assert code not in str(list(AuditRecord.objects.values_list("details", flat=True)))


def test_invitation_refuses_bad_holder_data_and_hours(invite):
    from anbao import errors

    with pytest.raises(errors.ValidationError):
        invite(email="not-an-address")
    with pytest.raises(errors.ValidationError):
        invite(hours=0)
    with pytest.raises(errors.ValidationError):
        invite(profile="tablet")
    assert not Invitation.objects.exists()


def test_invitation_needs_a_ca(db):
    from anbao import errors

    with pytest.raises(errors.Conflict):
        services.create_invitation(name="李", email="li@hospital.example")


def test_mobile_enrolment_with_an_openssl_sm2_csr(client, invite, openssl_csr):
    invitation, code = invite(profile="mobile", username="li.yi")
    csr, key = openssl_csr()
    response = post(client, code, csr)
    assert response.status_code == 201, response.content
    body = response.json()
    cert = Certificate.objects.get(serial=body["serial"])
    assert cert.profile == "mobile" and cert.holder.email == "li@hospital.example"
    assert cert.holder.user.username == "li.yi"
    assert load_certificate_public_key(body["certificate"].encode()) == (
        load_private_key(key).public_key()
    )
    assert body["chain"].count("BEGIN CERTIFICATE") == 2
    assert body["encryption_certificate"] is None and body["envelope"] is None
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.certificate_serial == body["serial"]
    assert services.state_of(invitation) is core.State.USED
    assert actions()[-2:] == ["cert.issue", "enrolment.completed"]


def test_csr_signed_with_the_empty_id_is_accepted_too(client, invite, openssl_csr):
    _, code = invite(profile="mobile")
    csr, _key = openssl_csr(distid=None)
    assert post(client, code, csr).status_code == 201


def test_dual_enrolment_returns_the_encryption_certificate_and_envelope(
    client, invite, openssl_csr
):
    from anbao.pki.core.envelope import SM2EnvelopedKey

    _, code = invite(dual=True)
    csr, _key = openssl_csr()
    body = post(client, code, csr).json()
    enc = Certificate.objects.get(serial=body["encryption_serial"])
    assert enc.usage == "encryption" and "BEGIN CERTIFICATE" in body["encryption_certificate"]
    SM2EnvelopedKey.load(base64.b64decode(body["envelope"])).native  # noqa: B018


def test_code_used_twice_is_refused_and_nothing_more_is_issued(client, invite, openssl_csr):
    _, code = invite()
    csr, _key = openssl_csr()
    assert post(client, code, csr).status_code == 201
    count = Certificate.objects.count()
    second = post(client, code, openssl_csr()[0])
    assert second.status_code == 410
    assert second.json()["error"]["code"] == "invitation_used"
    assert "已" in second.json()["error"]["message"] or "used" in second.json()["error"]["message"]
    assert Certificate.objects.count() == count
    assert actions()[-1] == "enrolment.failed"


def test_expired_code_is_refused(client, invite, openssl_csr):
    invitation, code = invite(hours=1)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = post(client, code, openssl_csr()[0])
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "invitation_expired"
    assert not Certificate.objects.exists()
    failed = AuditRecord.objects.filter(action="enrolment.failed").get()
    assert failed.outcome == "failure" and failed.details["reason"] == "invitation_expired"
    assert failed.object_id == str(invitation.pk)


@pytest.mark.parametrize("code", ["X" * 26, "not-a-code", "A" * 40])
def test_wrong_code_is_refused_and_audited(client, invite, openssl_csr, code):
    invite()
    response = post(client, code, openssl_csr()[0])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invitation_not_found"
    assert not Certificate.objects.exists()
    assert actions()[-1] == "enrolment.failed"


def test_p256_csr_is_refused_and_the_code_stays_usable(client, invite, openssl_csr):
    invitation, code = invite()
    response = post(client, code, openssl_csr("prime256v1")[0])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_curve"
    assert not Certificate.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert post(client, code, openssl_csr()[0]).status_code == 201


def test_garbage_csr_is_a_400(client, invite):
    _, code = invite()
    response = post(client, code, b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_csr"
    response = client.post(f"/api/enrol/{code}/", {}, content_type="application/json")
    assert response.status_code == 400


def test_messages_are_chinese_by_default(client, invite):
    response = client.post(
        "/api/enrol/" + "B" * 26 + "/",
        {"csr": "x"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert "申领码无效" in response.json()["error"]["message"]


def test_too_many_failures_from_one_address_are_refused(client, invite, openssl_csr):
    _, code = invite()
    for _ in range(services.MAX_FAILURES):
        assert post(client, "C" * 26, b"x").status_code == 404
    response = post(client, code, openssl_csr()[0])
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert not Certificate.objects.exists()


def test_a_code_claimed_meanwhile_issues_nothing(client, invite, openssl_csr, monkeypatch):
    """Two enrolments racing: the one that finds the code used when it claims it rolls back."""
    invitation, code = invite()
    real_issue = services.issue

    def racing_issue(*args, **kwargs):
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
        return real_issue(*args, **kwargs)

    monkeypatch.setattr(services, "issue", racing_issue)
    response = post(client, code, openssl_csr()[0])
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "invitation_used"
    assert not Certificate.objects.exists()
    assert "cert.issue" not in actions()


def test_invitation_refuses_a_bad_username_or_a_taken_email_at_once(invite, client, openssl_csr):
    from anbao import errors

    with pytest.raises(errors.ValidationError):
        invite(username="no spaces allowed")
    _, code = invite()
    assert post(client, code, openssl_csr()[0]).status_code == 201
    with pytest.raises(errors.Conflict):
        invite(name="另一个人")  # same e-mail, another name
    invite()  # the same holder again (e.g. a new device) is fine


def test_a_withdrawn_code_is_refused(client, invite, openssl_csr):
    from anbao import errors

    invitation, code = invite()
    services.withdraw(invitation.pk, actor="test")
    response = post(client, code, openssl_csr()[0])
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "invitation_withdrawn"
    assert not Certificate.objects.exists()
    with pytest.raises(errors.Conflict):
        services.withdraw(invitation.pk, actor="test")
    with pytest.raises(errors.NotFound):
        services.withdraw(999999, actor="test")
    assert "enrolment.withdrawn" in actions()
