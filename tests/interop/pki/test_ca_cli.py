"""The CA driven through `anbao ca` / `anbao cert`, every artifact checked by OpenSSL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services import require_program

pytestmark = pytest.mark.external
ANBAO = str(Path(sys.executable).with_name("anbao"))
DISTID = "distid:1234567812345678"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("ca-cli")
    e = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    e["ANBAO_DATA_DIR"] = str(base / "var")
    subprocess.run([ANBAO, "init", "--no-sample"], env=e, check=True, capture_output=True)
    out = subprocess.run(
        [
            ANBAO,
            "ca",
            "init",
            "--subject",
            "CN=北京市精神卫生信息系统 CA,O=北京市精神卫生保健所,C=CN",
        ],
        env=e,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return base, e


def anbao(env, *args):
    return subprocess.run([ANBAO, *args], env=env[1], capture_output=True, text=True, timeout=120)


def openssl(*args, cwd=None, check=True):
    return subprocess.run(
        [require_program("openssl"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=check,
        timeout=60,
    )


def split_chain(env):
    base = env[0]
    assert anbao(env, "ca", "export", "--out", str(base / "chain.pem")).returncode == 0
    text = (base / "chain.pem").read_text()
    blocks = [
        b + "-----END CERTIFICATE-----\n"
        for b in text.split("-----END CERTIFICATE-----")
        if "BEGIN" in b
    ]
    (base / "issuing.pem").write_text(blocks[0].lstrip())
    (base / "root.pem").write_text(blocks[1].lstrip())
    return base / "issuing.pem", base / "root.pem"


def test_openssl_csr_is_issued_and_the_chain_verifies(env):
    base = env[0]
    openssl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:SM2",
        "-out",
        "m.key",
        cwd=base,
    )
    openssl(
        "req",
        "-new",
        "-key",
        "m.key",
        "-sm3",
        "-sigopt",
        DISTID,
        "-subj",
        "/CN=mobile",
        "-out",
        "m.csr",
        cwd=base,
    )
    out_dir = base / "mobile"
    out_dir.mkdir()
    result = anbao(
        env,
        "cert",
        "issue",
        "--name",
        "赵六",
        "--email",
        "zl@example.cn",
        "--profile",
        "mobile",
        "--csr",
        str(base / "m.csr"),
        "--out",
        str(out_dir),
    )
    assert result.returncode == 0, result.stderr
    cert = next(out_dir.glob("*.sign.pem"))
    issuing, root = split_chain(env)
    assert (
        openssl("verify", "-vfyopt", DISTID, "-CAfile", str(root), str(issuing))
        .stdout.strip()
        .endswith("OK")
    )
    assert (
        openssl("verify", "-vfyopt", DISTID, "-partial_chain", "-CAfile", str(issuing), str(cert))
        .stdout.strip()
        .endswith("OK")
    )
    # the certificate carries the key OpenSSL generated
    assert (
        openssl("x509", "-in", str(cert), "-noout", "-pubkey").stdout
        == openssl("pkey", "-in", str(base / "m.key"), "-pubout").stdout
    )


def test_generated_key_opens_in_openssl_with_the_pin(env, tmp_path):
    pin = tmp_path / "pin"
    pin.write_text("735219\n")
    out = tmp_path / "out"
    out.mkdir()
    result = anbao(
        env,
        "cert",
        "issue",
        "--name",
        "钱七",
        "--email",
        "qq@example.cn",
        "--generate-key",
        "--pin-file",
        str(pin),
        "--dual",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "735219" not in result.stdout
    key = next(out.glob("*.sign.key.pem"))
    assert oct(key.stat().st_mode)[-3:] == "600"
    assert openssl("pkey", "-in", str(key), "-passin", "pass:735219", "-noout").returncode == 0
    enc = next(out.glob("*.enc.pem"))
    assert "Key Encipherment" in openssl("x509", "-in", str(enc), "-noout", "-text").stdout


def test_revoked_certificate_in_crl_and_show_by_openssl_serial(env, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    assert (
        anbao(
            env,
            "cert",
            "issue",
            "--name",
            "孙八",
            "--email",
            "sb@example.cn",
            "--generate-key",
            "--out",
            str(out),
        ).returncode
        == 0
    )
    cert = next(out.glob("*.sign.pem"))
    serial = openssl("x509", "-in", str(cert), "-noout", "-serial").stdout.strip()
    shown = anbao(env, "cert", "show", serial.removeprefix("serial="), "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["status"] == "valid"
    assert (
        anbao(
            env, "cert", "revoke", serial.removeprefix("serial="), "--reason", "key_compromise"
        ).returncode
        == 0
    )
    crl = tmp_path / "issuing.crl"
    assert anbao(env, "ca", "crl", "--out", str(crl)).returncode == 0
    text = openssl("crl", "-inform", "DER", "-in", str(crl), "-noout", "-text").stdout
    assert serial.removeprefix("serial=").lstrip("0") in text.replace(":", "").upper()
    by_file = json.loads(anbao(env, "cert", "show", str(cert), "--json").stdout)
    assert by_file["status"] == "revoked" and by_file["revocation_reason"] == "key_compromise"


@pytest.mark.parametrize(
    "args",
    [
        ["ca", "init", "--subject", "CN=again,C=CN"],
        ["cert", "issue", "--name", "x", "--email", "bad", "--generate-key", "--out", "/tmp"],
        [
            "cert",
            "issue",
            "--name",
            "x",
            "--email",
            "x@y.cn",
            "--generate-key",
            "--out",
            "/nonexistent-dir",
        ],
        [
            "cert",
            "issue",
            "--name",
            "x",
            "--email",
            "x@y.cn",
            "--csr",
            "/nonexistent.csr",
            "--out",
            "/tmp",
        ],
        ["cert", "revoke", "ZZZ", "--reason", "superseded"],
        ["cert", "revoke", "ABCDEF", "--reason", "superseded"],
        ["cert", "show", "0102"],
        ["cert", "list", "--expiring-within", "-1"],
    ],
)
def test_bad_input_exit_2_one_line(env, args):
    result = anbao(env, *args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_p256_csr_is_refused_and_nothing_is_written(env, tmp_path):
    openssl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "p.key",
        cwd=tmp_path,
    )
    openssl("req", "-new", "-key", "p.key", "-subj", "/CN=p", "-out", "p.csr", cwd=tmp_path)
    before = json.loads(anbao(env, "cert", "list", "--json").stdout)
    out = tmp_path / "out"
    out.mkdir()
    result = anbao(
        env,
        "cert",
        "issue",
        "--name",
        "周九",
        "--email",
        "zj@example.cn",
        "--csr",
        str(tmp_path / "p.csr"),
        "--out",
        str(out),
    )
    assert result.returncode == 2 and "SM2" in result.stderr
    assert list(out.iterdir()) == []
    assert json.loads(anbao(env, "cert", "list", "--json").stdout) == before


def test_batch_certificates_verify_and_key_files_open_in_openssl(env, tmp_path):
    """`anbao cert batch --dual` (the bulk path): every certificate chains to the issuing CA."""
    import csv

    table = tmp_path / "holders.csv"
    with open(table, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["name", "email", "unit", "profile"],
                ["王医生", "wys@example.cn", "精神科", "pc"],
                ["李护士, 主管", "lhs@例子.cn", "社区卫生服务中心", "mobile"],
                ["赵医生", "zys@example.cn", "", "pc"],
            ]
        )
    out = tmp_path / "batch"
    out.mkdir()
    result = anbao(env, "cert", "batch", str(table), "--dual", "--out", str(out))
    assert result.returncode == 0, result.stderr
    issuing, _root = split_chain(env)
    pins = {r["signing_serial"]: r["pin"] for r in csv.DictReader(open(out / "pins.csv"))}
    assert len(pins) == 3
    for serial, pin in pins.items():
        for cert in (out / f"{serial}.sign.pem", out / f"{serial}.enc.pem"):
            verified = openssl(
                "verify", "-vfyopt", DISTID, "-partial_chain", "-CAfile", str(issuing), str(cert)
            )
            assert verified.stdout.strip().endswith("OK")
        key = out / f"{serial}.sign.key.pem"
        assert (
            openssl("pkey", "-in", str(key), "-passin", f"pass:{pin}", "-pubout").stdout
            == openssl("x509", "-in", str(out / f"{serial}.sign.pem"), "-noout", "-pubkey").stdout
        )
        text = openssl("x509", "-in", str(out / f"{serial}.enc.pem"), "-noout", "-text").stdout
        assert "Key Encipherment" in text and "X509v3 Subject Key Identifier" in text
