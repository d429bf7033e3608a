"""A CA, a holder account bound to its signing certificate, and login helpers."""

from __future__ import annotations

import base64

import pytest

from anbao.accounts.models import User
from anbao.pki.services import issuance
from anbao.sm import load_private_key
from login_helpers import PASSWORD, b64


@pytest.fixture
def ca(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    from anbao.pki.services.authority import init_ca

    return init_ca("CN=测试 CA,O=北京市精神卫生保健所,C=CN")


@pytest.fixture
def holder(ca):
    result = issuance.issue(
        issuance.HolderInput(name="张三", email="zs@example.cn", username="zhangsan"),
        generate_key=True,
        pin="123456",
        dual=True,
    )
    user = User.objects.get(username="zhangsan")
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save()
    return user, load_private_key(result.private_key_pem, b"123456"), result


@pytest.fixture
def api(client):
    def post(path, body, **extra):
        return client.post(path, body, content_type="application/json", **extra)

    return post


@pytest.fixture
def signed_login(api):
    """Challenge, sign with ``key``, log in; returns the login response."""

    def run(username, password, key, *, sign_as=None, certificate=None, id=None, **extra):
        ch = api("/api/auth/challenge", {"username": sign_as or username}).json()
        kwargs = {"distinguishing_id": id} if id is not None else {}
        signature = key.sign(base64.b64decode(ch["message"]), **kwargs)
        body = {
            "username": username,
            "password": password,
            "challenge_id": ch["challenge_id"],
            "signature": b64(signature),
            **extra,
        }
        if certificate:
            body["certificate"] = certificate
        return api("/api/auth/login", body)

    return run
