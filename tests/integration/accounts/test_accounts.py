"""Accounts: policy enforcement, first-login password change, lockout, idle timeout, admin pages."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from anbao import errors
from anbao.accounts import services
from anbao.accounts.models import User
from anbao.audit.models import AuditRecord
from tests_helpers import PASSWORD

pytestmark = pytest.mark.django_db


def test_create_user_audits_and_forces_a_change():
    user, password = services.create_user("doctor.li", "holder", email="li@example.cn")
    assert user.must_change_password and user.check_password(password)
    assert AuditRecord.objects.filter(action="user.create", object_id="doctor.li").exists()


@pytest.mark.parametrize(
    ("name", "role", "password", "error"),
    [
        ("bad name", "engineer", None, errors.ValidationError),
        ("x" * 151, "engineer", None, errors.ValidationError),
        ("ok", "root", None, errors.ValidationError),
        ("ok", "engineer", "short1A", errors.ValidationError),
        ("ok", "engineer", "alllowercase", errors.ValidationError),
    ],
)
def test_create_user_refuses_bad_input(name, role, password, error):
    with pytest.raises(error):
        services.create_user(name, role, password=password)
    assert not User.objects.exists()


def test_duplicate_user_is_a_conflict():
    services.create_user("wang", "engineer")
    with pytest.raises(errors.Conflict):
        services.create_user("wang", "engineer")


def test_password_history_refuses_the_last_five():
    user, first = services.create_user("zhao", "engineer", password="Start-Pass1")
    used = ["Second-Pass2", "Third-Pass3", "Fourth-Pass4", "Fifth-Pass5", "Sixth-Pass6"]
    for pw in used:
        services.change_password(user, pw)
    for pw in used:
        with pytest.raises(errors.ValidationError, match="5"):
            services.change_password(user, pw)
    services.change_password(user, "Start-Pass1")  # six changes ago: allowed again
    assert user.password_history.count() <= 5


def test_expired_password_must_be_changed(settings, make_user, client):
    settings.ANBAO_PASSWORD_MAX_AGE_DAYS = 90
    user = make_user(
        "old", "engineer", password_changed_at=timezone.now() - timezone.timedelta(days=91)
    )
    assert services.password_change_due(user)
    client.force_login(user)
    assert client.get("/").url == "/accounts/password/"
    assert client.get("/api/me/").status_code == 403


def test_first_login_goes_to_the_password_page_and_then_home(client):
    _, password = services.create_user("first", "engineer")
    resp = client.post("/accounts/login/", {"username": "first", "password": password})
    assert resp.status_code == 302
    assert client.get("/").url == "/accounts/password/"
    bad = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password": "weak", "new_password2": "weak"},
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    ok = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password": "New-Secret9", "new_password2": "New-Secret9"},
    )
    assert ok.status_code == 302
    assert client.get("/").url == "/engagements/dashboard/"  # an engineer's home


def test_five_failures_lock_the_account(client, make_user):
    make_user("locked", "engineer")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "locked", "password": "wrong"})
    resp = client.post("/accounts/login/", {"username": "locked", "password": PASSWORD})
    assert resp.status_code == 423
    assert AuditRecord.objects.filter(action="auth.login_failed", actor="locked").count() >= 5
    assert AuditRecord.objects.filter(action="auth.lockout", object_id="locked").exists()


def test_security_admin_unlocks(client, make_user):
    make_user("victim", "engineer")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    admin = make_user("sec", "security_admin")
    client.force_login(admin)
    page = client.get("/accounts/lockouts/")
    assert b"victim" in page.content
    client.post("/accounts/lockouts/unlock/", {"username": "victim"})
    client.logout()
    resp = client.post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert resp.status_code == 302
    assert AuditRecord.objects.filter(action="auth.unlock", object_id="victim").exists()


def test_idle_session_is_signed_out(settings, client, make_user):
    settings.ANBAO_SESSION_IDLE_SECONDS = 60
    client.force_login(make_user("idle", "engineer"))
    session = client.session
    session["anbao_last_seen"] = int(time.time()) - 120
    session.save()
    assert client.get("/api/me/").status_code == 401
    assert AuditRecord.objects.filter(action="auth.session_timeout").exists()


def test_system_admin_creates_a_user_in_the_ui(client_as):
    client = client_as("system_admin")
    resp = client.post(
        "/accounts/users/new/",
        {"username": "new.eng", "role": "engineer", "email": "", "full_name": "张工"},
    )
    assert resp.status_code == 200 and "new.eng" in resp.content.decode()
    assert User.objects.get(username="new.eng").role == "engineer"
    again = client.post("/accounts/users/new/", {"username": "new.eng", "role": "engineer"})
    assert "errorlist" in again.content.decode()


def test_system_admin_cannot_change_own_role(client_as):
    client = client_as("system_admin")
    me = client.user
    resp = client.patch(
        f"/api/users/{me.pk}/", {"role": "audit_admin"}, content_type="application/json"
    )
    assert resp.status_code == 403
    me.refresh_from_db()
    assert me.role == "system_admin"


def test_api_user_create_and_bad_input(client_as):
    client = client_as("system_admin")
    ok = client.post(
        "/api/users/",
        {"username": "api.user", "role": "client_officer"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["one_time_password"]
    dup = client.post(
        "/api/users/",
        {"username": "api.user", "role": "client_officer"},
        content_type="application/json",
    )
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "conflict"
    bad = client.post(
        "/api/users/", {"username": "x", "role": "god"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert "role" in bad.json()["error"]["message"]
    junk = client.post("/api/users/", "{not json", content_type="application/json")
    assert junk.status_code == 400 and "error" in junk.json()
    assert client.get("/api/users/999999/").status_code == 404


def test_api_token_authenticates_another_system(make_user, client):
    from anbao.accounts.models import APIToken

    user = make_user("his", "client_officer")
    _, raw = APIToken.issue(user, "mental health system")
    resp = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200 and resp.json()["username"] == "his"
    bad = client.get("/api/me/", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401
