"""A holder enrols in Debian's Chromium: the key is made in the page, only the CSR is sent,
and the PIN-encrypted key file opens in anbao and in OpenSSL."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from anbao.sm import load_certificate_public_key, load_private_key
from services import require_program

pytestmark = pytest.mark.e2e
PIN = "246813"


@pytest.fixture(scope="module")
def enrol_server(server):
    """The shared server with a CA (created here unless another test made it already)."""
    server.ensure_ca()
    return server


def invite(server, *extra: str) -> str:
    """A new invitation through the CLI, as the security administrator makes one."""
    args = ["enrol", "invite", "--name", "周医生", "--email", "zhou@hospital.example"]
    return json.loads(server.anbao(*args, "--json", *extra).stdout)["code"]


def enrol_in_page(page, url: str, posts: list) -> None:
    page.on("request", lambda r: posts.append(r) if r.method != "GET" else None)
    page.goto(url)
    assert "证书申领" in page.inner_text("main")
    page.click("#generate")
    page.wait_for_selector("#pin", state="visible", timeout=30_000)
    page.fill("#pin", "12345")
    page.fill("#pin2", "12345")
    page.click("#protect")
    assert "至少" in page.inner_text("#status")
    page.fill("#pin", PIN)
    page.fill("#pin2", PIN + "x")
    page.click("#protect")
    assert "不一致" in page.inner_text("#status")
    page.fill("#pin2", PIN)
    page.click("#protect")
    page.wait_for_selector("#download-key", timeout=30_000)


def save(page, selector: str, target):
    with page.expect_download() as info:
        page.click(selector)
    info.value.save_as(target)
    return info.value.suggested_filename


def test_pc_holder_enrols_in_the_browser_and_the_key_file_opens(enrol_server, page, tmp_path):
    openssl = require_program("openssl")
    code = invite(enrol_server)
    posts: list = []
    enrol_in_page(page, f"{enrol_server.url}/enrol/{code}/", posts)
    key_name = save(page, "#download-key", tmp_path / "key.pem")
    cert_name = save(page, "#download-cert", tmp_path / "cert.pem")
    serial = key_name.removesuffix(".sign.key.pem")
    assert key_name == f"{serial}.sign.key.pem" and cert_name == f"{serial}.sign.cert.pem"
    assert "完成" in page.inner_text("#status")

    key_pem = (tmp_path / "key.pem").read_bytes()
    assert key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = load_private_key(key_pem, PIN.encode())
    assert key.public_key() == load_certificate_public_key((tmp_path / "cert.pem").read_bytes())
    subprocess.run(
        [openssl, "pkey", "-in", str(tmp_path / "key.pem"), "-passin", f"pass:{PIN}", "-noout"],
        check=True,
        capture_output=True,
    )
    (tmp_path / "pin.txt").write_text(PIN + "\n", encoding="utf-8")
    (tmp_path / "msg").write_bytes(b"prescription 42")
    enrol_server.anbao(
        "sm",
        "sign",
        "--key",
        str(tmp_path / "key.pem"),
        "--passphrase-file",
        str(tmp_path / "pin.txt"),
        "--in",
        str(tmp_path / "msg"),
        "--out",
        str(tmp_path / "sig"),
    )
    key.public_key().verify((tmp_path / "sig").read_bytes(), b"prescription 42")
    # 600,000 PBKDF2 iterations and SM4-CBC, as anbao writes them itself.
    parsed = subprocess.run(
        [openssl, "asn1parse", "-in", str(tmp_path / "key.pem")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert ":0927C0" in parsed and "sm4-cbc" in parsed.lower()

    # Only the request left the page: one POST whose body is {"csr": "<PEM>"}.
    assert len(posts) == 1 and posts[0].url.endswith(f"/api/enrol/{code}/")
    body = json.loads(posts[0].post_data)
    assert list(body) == ["csr"] and "CERTIFICATE REQUEST" in body["csr"]
    d = format(key.private_value, "064x")
    assert d not in posts[0].post_data.lower()

    # The link works once.
    page.goto(f"{enrol_server.url}/enrol/{code}/")
    assert "已被使用" in page.inner_text("#enrol-error")


def test_dual_enrolment_offers_the_encryption_certificate_and_envelope(
    enrol_server, page, tmp_path
):
    from anbao.pki.core.envelope import SM2EnvelopedKey

    code = invite(enrol_server, "--dual")
    enrol_in_page(page, f"{enrol_server.url}/enrol/{code}/", [])
    save(page, "#download-key", tmp_path / "key.pem")
    save(page, "#download-envelope", tmp_path / "envelope.der")
    save(page, "#download-enc-cert", tmp_path / "enc.pem")
    key = load_private_key((tmp_path / "key.pem").read_bytes(), PIN.encode())
    envelope = SM2EnvelopedKey.load((tmp_path / "envelope.der").read_bytes())
    encrypted_key = envelope["sym_encrypted_key"].dump()
    assert key.decrypt(encrypted_key)  # the envelope opens with the signing key


def test_a_wrong_code_gets_a_chinese_message(enrol_server, page):
    page.goto(f"{enrol_server.url}/enrol/{'A' * 26}/")
    assert "申领码无效" in page.inner_text("#enrol-error")


def test_the_page_module_opens_key_files_and_signs_for_sign_in(enrol_server, page, tmp_path):
    """What the certificate sign-in page will reuse: AnbaoSM.decryptPrivateKey and sign."""
    from anbao.sm import SM2PrivateKey, private_key_to_pem

    openssl = require_program("openssl")
    page.goto(f"{enrol_server.url}/enrol/{invite(enrol_server, '--profile', 'pc')}/")
    key = SM2PrivateKey.generate()
    anbao_pem = private_key_to_pem(key, PIN.encode()).decode()
    plain = tmp_path / "plain.pem"
    plain.write_bytes(private_key_to_pem(key))
    aes_pem = subprocess.run(
        [
            openssl,
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            str(plain),
            "-passout",
            f"pass:{PIN}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    script = """async ([pem, pin, id]) => {
        const kp = await AnbaoSM.decryptPrivateKey(pem, pin);
        const sig = AnbaoSM.sign("challenge-42", kp, id ? {id} : {});
        return {pub: kp.publicKey, sig: AnbaoSM.toBase64(sig)};
    }"""
    public_hex = key.public_key().to_point().hex()
    for pem in (anbao_pem, aes_pem):
        out = page.evaluate(script, [pem, PIN, None])
        assert out["pub"] == public_hex
        key.public_key().verify(base64.b64decode(out["sig"]), b"challenge-42")
    out = page.evaluate(script, [anbao_pem, PIN, "doctor@hospital"])
    key.public_key().verify(
        base64.b64decode(out["sig"]), b"challenge-42", distinguishing_id=b"doctor@hospital"
    )
    wrong = page.evaluate(
        "([pem]) => AnbaoSM.decryptPrivateKey(pem, 'wrong-pin').then(() => 'opened', e => e.code)",
        [anbao_pem],
    )
    assert wrong == "bad_pin"
    signature = key.sign(b"from python")
    assert page.evaluate(
        "([sig, pub]) => AnbaoSM.verify('from python', AnbaoSM.fromBase64(sig), pub)",
        [base64.b64encode(signature).decode(), public_hex],
    )
