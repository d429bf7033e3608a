"""A person watches a job's progress refresh in Chromium and cancels it from the page."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import ANBAO, _env, sign_in

pytestmark = pytest.mark.e2e
FIRST = "Engineer-Start-1"
CHOSEN = "Engineer-Chosen-2"


def engineer_signed_in(server, page, username: str) -> None:
    server.add_user(username, "engineer", FIRST)
    sign_in(page, server.url, username, FIRST)
    page.wait_for_url("**/accounts/password/")
    page.fill("#id_old_password", FIRST)
    page.fill("#id_new_password", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_progress_refreshes_without_reload_and_cancel_stops_the_job(server, page):
    engineer_signed_in(server, page, "zhao.gong")
    # Without a broker the job runs inside this command, on the server's database.
    env = {**_env(server.data_dir), "ANBAO_CLI_LANGUAGE": "en"}
    proc = subprocess.Popen(
        [
            ANBAO,
            "job",
            "run",
            "jobs.selftest",
            "--param",
            "steps=40",
            "--param",
            "pause=0.4",
            "--wait",
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page.goto(server.url + "/jobs/")
        for _ in range(50):
            if page.locator('tr[data-finished="0"]').count():
                break
            page.wait_for_timeout(200)
            page.reload()
        row = page.locator('tr[data-finished="0"]').first
        start = row.locator("progress").evaluate("p => p.value")
        # The poller moves the bar while the page stays loaded.
        page.wait_for_function(
            "v => { const p = document.querySelector('tr[data-job] progress');"
            " return p && p.value > v; }",
            arg=start,
            timeout=15000,
        )
        row.locator("a").first.click()
        page.wait_for_selector("[data-detail]")
        page.wait_for_function(
            "() => document.querySelector('[data-field=log]').textContent.includes('round 3/40')",
            timeout=15000,
        )
        page.click("[data-cancel-form] button")
        page.wait_for_function(
            "() => document.querySelector('[data-field=state_label]').textContent.trim()"
            " === '已取消'",
            timeout=15000,
        )
        assert page.locator("[data-cancel-form]").count() == 0
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 1, err
    job = json.loads(out)
    assert job["state"] == "cancelled" and 0 < job["progress"] < 100
