"""The real certificate sign-in (SM2-signed challenge, anbao.accounts) feeds the ID token.

No session keys are set by hand here: the login API writes ``anbao_amr``/``anbao_acr``/
``anbao_auth_time`` and the client that requires a certificate gets ``acr`` x509+pwd.
"""

from __future__ import annotations

import base64
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_helpers import approve, authorize_url, exchange, pkce_pair

from anbao.oidc import core
from login_helpers import PASSWORD, b64


@pytest.fixture
def holder(db, settings, tmp_path):
    from anbao.accounts.models import User
    from anbao.pki.services import issuance
    from anbao.pki.services.authority import init_ca
    from anbao.sm import load_private_key

    settings.DATA_DIR = tmp_path / "data"
    init_ca("CN=测试 CA,O=北京市精神卫生保健所,C=CN")
    issued = issuance.issue(
        issuance.HolderInput(name="张三", email="zs@example.cn", username="zhangsan"),
        generate_key=True,
        pin="123456",
        dual=False,
    )
    user = User.objects.get(username="zhangsan")
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save()
    return user, load_private_key(issued.private_key_pem, b"123456")


def sign_in_with_certificate(client, username, key):
    def post(path, body):
        return client.post(path, body, content_type="application/json")

    challenge = post("/api/auth/challenge", {"username": username}).json()
    signature = key.sign(base64.b64decode(challenge["message"]))
    body = {
        "username": username,
        "password": PASSWORD,
        "challenge_id": challenge["challenge_id"],
        "signature": b64(signature),
    }
    response = post("/api/auth/login", body)
    assert response.status_code == 200, response.content


def test_certificate_sign_in_reaches_the_id_token(client, register, holder):
    user, key = holder
    strict, secret = register("电子签名门户", require_certificate=True)
    strict.raw_secret = secret
    started = int(time.time())
    sign_in_with_certificate(client, "zhangsan", key)
    verifier, challenge = pkce_pair()
    code = approve(client, authorize_url(strict, challenge))["code"]
    token = exchange(client, strict, code, verifier).json()
    keys = KeySet.import_key_set(client.get("/o/jwks/").json())
    claims = jwt.decode(token["id_token"], keys).claims
    assert claims["sub"] == str(user.pk) and claims["role"] == "holder"
    assert claims["acr"] == core.ACR_CERTIFICATE
    assert claims["amr"] == ["pwd", "x509", "mfa"]
    assert started - 2 <= claims["auth_time"] <= int(time.time()) + 1
