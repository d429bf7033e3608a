"""Signing in in Chromium: key file + PIN + password, and the lockout message."""

from __future__ import annotations

import pytest

from conftest import sign_in

pytestmark = pytest.mark.e2e
PIN = "135790"
PASSWORD = "Holder-Start-9"


def holder_key_file(server, tmp_path, username: str, name: str, email: str):
    """An account, then its certificate and PIN-protected key file, made with the CLI."""
    server.ensure_ca()
    server.add_user(username, "holder", PASSWORD)
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    out = tmp_path / "cert"
    out.mkdir()
    server.anbao(
        "cert",
        "issue",
        "--name",
        name,
        "--email",
        email,
        "--user",
        username,
        "--generate-key",
        "--pin-file",
        str(pin_file),
        "--out",
        str(out),
    )
    return next(out.glob("*.sign.key.pem"))


def test_holder_signs_in_with_key_file_pin_and_password(server, page, tmp_path):
    key_file = holder_key_file(server, tmp_path, "doctor.wu", "吴医生", "wu@hospital.example")

    # Without the key file a holder is refused.
    sign_in(page, server.url, "doctor.wu", PASSWORD)
    assert "还可尝试" in page.inner_text("main")

    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "doctor.wu")
    page.fill("#id_password", PASSWORD)
    page.set_input_files("#key-file", str(key_file))
    page.fill("#key-pin", PIN)
    sent = []
    page.on("request", lambda r: sent.append(r.post_data or ""))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/password/")  # signed in; a new account changes its password
    assert "修改密码" in page.content()
    assert all("PRIVATE KEY" not in body and PIN not in body for body in sent)


def test_wrong_pin_is_said_in_chinese(server, page, tmp_path):
    key_file = holder_key_file(server, tmp_path, "doctor.he", "何医生", "he@hospital.example")
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", "doctor.he")
    page.fill("#id_password", PASSWORD)
    page.set_input_files("#key-file", str(key_file))
    page.fill("#key-pin", "000000")
    page.click("main button[type=submit]")
    page.wait_for_selector("#login-status.bad", timeout=60000)
    assert "PIN" in page.inner_text("#login-status")


def test_lockout_message_after_five_wrong_passwords(server, page):
    server.add_user("eng.lock", "engineer", "Engineer-Start-1")
    for remaining in (4, 3, 2, 1):
        sign_in(page, server.url, "eng.lock", "wrong-password")
        assert f"还可尝试 {remaining} 次" in page.inner_text("#login-errors")
    sign_in(page, server.url, "eng.lock", "wrong-password")
    assert "锁定" in page.inner_text("#locked")
    sign_in(page, server.url, "eng.lock", "Engineer-Start-1")
    assert "锁定" in page.inner_text("#locked")
