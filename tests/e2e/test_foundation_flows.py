"""A person in Debian's Chromium against `anbao serve`: sign in, dashboard, report download."""

from __future__ import annotations

import zipfile

import pytest

from conftest import sign_in

pytestmark = pytest.mark.e2e
FIRST = "Engineer-Start-1"
CHOSEN = "Engineer-Chosen-2"


def first_sign_in(server, page, username: str, role: str = "engineer") -> None:
    """Create the account as an administrator would, sign in, choose a new password."""
    server.add_user(username, role, FIRST)
    sign_in(page, server.url, username, FIRST)
    page.wait_for_url("**/accounts/password/")
    assert "修改密码" in page.content()
    page.fill("#id_old_password", FIRST)
    page.fill("#id_new_password", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    page.click("main button[type=submit]")


def test_first_sign_in_changes_password_then_shows_the_sample_engagement(server, page):
    first_sign_in(server, page, "zhang.gong")
    page.wait_for_url("**/engagements/dashboard/**")
    body = page.inner_text("main")
    assert "北京市精神卫生" in body
    assert "879" in body  # the contract amount is on the dashboard


def test_engineer_renders_and_downloads_the_status_report(server, page, tmp_path):
    first_sign_in(server, page, "li.gong")
    page.wait_for_url("**/engagements/dashboard/**")
    page.goto(server.url + "/reports/")
    page.select_option("select[name=kind]", "status")
    page.select_option("select[name=format]", "docx")
    page.click("form[action$='/reports/render/'] button[type=submit]")
    page.wait_for_url("**/reports/**")
    with page.expect_download() as info:
        page.click("text=下载")
    target = tmp_path / "status.docx"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    assert "项目进度报告" in xml


def test_wrong_password_shows_a_chinese_error_and_english_switch_works(server, page):
    sign_in(page, server.url, "nobody", "not-the-password")
    assert page.url.endswith("/accounts/login/")
    assert page.locator("[role=alert]").count() >= 1
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Sign in" in page.inner_text("main")


def test_api_docs_load_from_the_server_itself(server, page):
    external = []
    page.on("request", lambda r: None if r.url.startswith(server.url) else external.append(r.url))
    page.goto(server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .title", timeout=20000)
    assert "anbao API" in page.inner_text(".swagger-ui .title")
    assert external == []
