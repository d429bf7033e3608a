"""A real `anbao serve` (gunicorn) on a free loopback port, and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from services import require_program

ANBAO = str(Path(sys.executable).with_name("anbao"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_PASSWORD = "Admin-Start-42!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"ANBAO_DATA_DIR": str(data_dir), "ANBAO_LANGUAGE": "zh-hans"})
    return env


class Server:
    def __init__(self, data_dir: Path, url: str) -> None:
        self.data_dir, self.url = data_dir, url

    def anbao(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [ANBAO, *args],
            env=_env(self.data_dir),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def ensure_ca(self) -> None:
        """The certificate authority of this instance, created by the first test needing it."""
        try:
            self.anbao("ca", "init", "--subject", "CN=测试根 CA,O=某市人民医院,C=CN")
        except subprocess.CalledProcessError as exc:
            if "exist" not in exc.stderr and "已" not in exc.stderr:
                raise

    def add_user(self, name: str, role: str, password: str) -> None:
        pw = self.data_dir.parent / f"{name}.pw"
        pw.write_text(password + "\n", encoding="utf-8")
        self.anbao("user", "add", name, "--role", role, "--password-file", str(pw))


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("e2e") / "var"
    pw = data_dir.parent / "admin.pw"
    pw.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    env = _env(data_dir)
    subprocess.run(
        [ANBAO, "init", "--admin-password-file", str(pw)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    log = open(data_dir.parent / "serve.log", "w")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        [ANBAO, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(
                "anbao serve did not start:\n" + (data_dir.parent / "serve.log").read_text(),
                pytrace=False,
            )
        time.sleep(0.3)
    yield Server(data_dir, url)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    chromium = require_program("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
