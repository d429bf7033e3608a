"""The engagement in Chromium: the engineer submits a report, the client officer accepts it."""

from __future__ import annotations

import os

import pytest

from conftest import sign_in

pytestmark = pytest.mark.e2e
FIRST = "Officer-Start-1"
CHOSEN = "Officer-Chosen-2"


def first_sign_in(server, page, username: str, role: str) -> None:
    server.add_user(username, role, FIRST)
    sign_in(page, server.url, username, FIRST)
    page.wait_for_url("**/accounts/password/")
    page.fill("#id_old_password", FIRST)
    page.fill("#id_new_password", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    page.click("main button[type=submit]")
    page.wait_for_url("**/engagements/dashboard/**")


def open_first_inspection_report(page) -> None:
    page.click("main h2 a")  # the engagement's registration number
    page.click("text=安全巡检报告 #1")
    page.wait_for_url("**/engagements/deliverables/**")


def test_submit_then_accept(server, browser):
    engineer = browser.new_context(locale="zh-CN").new_page()
    first_sign_in(server, engineer, "wang.gong", "engineer")
    open_first_inspection_report(engineer)
    engineer.click("button[value=submit]")
    engineer.wait_for_load_state()
    assert "已提交" in engineer.inner_text("main")
    assert engineer.locator("button[value=accept]").count() == 0  # not the engineer's act

    officer = browser.new_context(locale="zh-CN").new_page()
    first_sign_in(server, officer, "zhao.officer", "client_officer")
    body = officer.inner_text("main")
    assert "879000.00" in body and "违约金敞口" in body
    officer.fill("#id_today", "2022-07-14")
    officer.click("form.filters button[type=submit]")
    officer.wait_for_load_state()
    assert "6153.00" in officer.inner_text("main")
    if os.environ.get("ANBAO_E2E_SCREENSHOTS"):
        officer.screenshot(
            path=os.environ["ANBAO_E2E_SCREENSHOTS"] + "/dashboard.png", full_page=True
        )
    open_first_inspection_report(officer)
    officer.click("button[value=accept]")
    officer.wait_for_load_state()
    main = officer.inner_text("main")
    assert "已验收" in main and "zhao.officer" in main
