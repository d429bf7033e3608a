"""``anbao sm``: exit codes 0/1/2 exactly, one-line errors, no partial output files."""

from __future__ import annotations

import io
import stat
import sys
import tempfile
from pathlib import Path

import pytest
from asn1crypto import pem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sm_testdata import load_vectors, make_certificate

from anbao.cli.main import main
from anbao.sm import (
    SM2PrivateKey,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_der,
    public_key_to_pem,
)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("ANBAO_CLI_LANGUAGE", "en")


@pytest.fixture
def run(capsys):
    """run(*argv) -> (exit code, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def one_line_error(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("anbao: ") and "Traceback" not in err
    return err.strip()


@pytest.fixture
def pair(tmp_path, run):
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    assert run("sm", "keygen", "--out", str(key), "--pubout", str(pub))[0] == 0
    return key, pub


@pytest.fixture
def message(tmp_path):
    path = tmp_path / "message.txt"
    path.write_bytes(b"anbao signs this\n")
    return path


def test_sm3_file_and_stdin(tmp_path, run, monkeypatch):
    vector = load_vectors("sm3")["vectors"][1]
    path = tmp_path / "data"
    path.write_bytes(bytes.fromhex(vector["message_hex"]))
    assert run("sm", "sm3", str(path)) == (0, vector["digest"] + "\n", "")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"abc")))
    assert run("sm", "sm3", "-")[1] == load_vectors("sm3")["vectors"][0]["digest"] + "\n"


def test_sm3_missing_file(tmp_path, run):
    code, out, err = run("sm", "sm3", str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert "cannot read" in one_line_error(err)


def test_keygen_writes_pkcs8_and_spki(pair):
    key, pub = pair
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert load_private_key(key.read_bytes()).public_key() == load_public_key(pub.read_bytes())


def test_keygen_refuses_to_overwrite(pair, run):
    key, _ = pair
    before = key.read_bytes()
    code, _, err = run("sm", "keygen", "--out", str(key))
    assert code == 2 and "exists" in one_line_error(err)
    assert key.read_bytes() == before


def test_sign_verify_default_and_custom_id(pair, message, tmp_path, run):
    key, pub = pair
    sig = tmp_path / "sig.der"
    for ident in (None, "alice@example.cn"):
        id_args = [] if ident is None else ["--id", ident]
        args = ["--in", str(message)]
        assert run("sm", "sign", "--key", str(key), *id_args, *args, "--out", str(sig))[0] == 0
        verify = ["sm", "verify", "--pubkey", str(pub), *args, "--sig", str(sig)]
        assert run(*verify, *id_args) == (0, "Signature OK\n", "")
        code, out, err = run(*verify, "--id", "someone else")
        assert (code, out) == (1, "")
        assert one_line_error(err) == "anbao: the signature is NOT valid"


def test_verify_flipped_message_is_exit_1(pair, message, tmp_path, run):
    key, pub = pair
    sig = tmp_path / "sig.der"
    run("sm", "sign", "--key", str(key), "--in", str(message), "--out", str(sig))
    message.write_bytes(b"anbao signs thiS\n")
    code, _, err = run(
        "sm", "verify", "--pubkey", str(pub), "--in", str(message), "--sig", str(sig)
    )
    assert code == 1
    one_line_error(err)


def test_verify_with_certificate_and_pem_signature(pair, message, tmp_path, run):
    key, pub = pair
    cert = tmp_path / "cert.pem"
    spki = public_key_to_der(load_public_key(pub.read_bytes()))
    cert.write_bytes(pem.armor("CERTIFICATE", make_certificate(spki)))
    sig = tmp_path / "sig.der"
    run("sm", "sign", "--key", str(key), "--in", str(message), "--out", str(sig))
    sig_pem = tmp_path / "sig.pem"
    sig_pem.write_bytes(pem.armor("SM2 SIGNATURE", sig.read_bytes()))
    args = ["sm", "verify", "--cert", str(cert), "--in", str(message), "--sig", str(sig_pem)]
    assert run(*args)[0] == 0


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (lambda b: b[:10], "is not a valid SM2 signature"),
        (lambda b: b"", "is not a valid SM2 signature"),
        (
            lambda b: b"-----BEGIN X-----\ngarbage\n-----END X-----\n",
            "is not a valid SM2 signature",
        ),
    ],
)
def test_verify_bad_signature_file_is_exit_2(pair, message, tmp_path, run, mangle, expected):
    key, pub = pair
    sig = tmp_path / "sig.der"
    run("sm", "sign", "--key", str(key), "--in", str(message), "--out", str(sig))
    sig.write_bytes(mangle(sig.read_bytes()))
    code, out, err = run(
        "sm", "verify", "--pubkey", str(pub), "--in", str(message), "--sig", str(sig)
    )
    assert (code, out) == (2, "")
    assert expected in one_line_error(err)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        b"\x30\x03\x02\x01\x00",
    ],
)
def test_verify_bad_public_key_is_exit_2(message, tmp_path, run, content):
    pub = tmp_path / "pub.pem"
    pub.write_bytes(content)
    sig = tmp_path / "sig.der"
    sig.write_bytes(SM2PrivateKey.generate().sign(b"x"))
    code, _, err = run(
        "sm", "verify", "--pubkey", str(pub), "--in", str(message), "--sig", str(sig)
    )
    assert code == 2 and "pub.pem" in one_line_error(err)


def test_verify_private_key_given_as_public_key(pair, message, tmp_path, run):
    key, _ = pair
    sig = tmp_path / "sig.der"
    run("sm", "sign", "--key", str(key), "--in", str(message), "--out", str(sig))
    code, _, err = run(
        "sm", "verify", "--pubkey", str(key), "--in", str(message), "--sig", str(sig)
    )
    assert code == 2
    one_line_error(err)


def test_verify_needs_a_key_source(message, run):
    code, _, err = run("sm", "verify", "--in", str(message), "--sig", str(message))
    assert code == 2 and "--pubkey" in one_line_error(err)


def test_passphrase_protected_key(tmp_path, message, run):
    key, pw, bad = tmp_path / "k.pem", tmp_path / "pw.txt", tmp_path / "bad.txt"
    pw.write_text("correct horse\n", encoding="utf-8")
    bad.write_text("wrong horse\n", encoding="utf-8")
    assert run("sm", "keygen", "--out", str(key), "--passphrase-file", str(pw))[0] == 0
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    sig = tmp_path / "sig.der"
    sign = ["sm", "sign", "--key", str(key), "--in", str(message), "--out", str(sig)]
    code, _, err = run(*sign)
    assert code == 2 and "is encrypted" in one_line_error(err)
    code, _, err = run(*sign, "--passphrase-file", str(bad))
    assert code == 2 and "wrong passphrase" in one_line_error(err)
    assert not sig.exists()
    assert run(*sign, "--passphrase-file", str(pw))[0] == 0
    assert sig.exists()


def test_passphrase_for_a_plain_key(pair, tmp_path, message, run):
    key, _ = pair
    pw = tmp_path / "pw.txt"
    pw.write_text("x\n", encoding="utf-8")
    out = tmp_path / "sig.der"
    code, _, err = run(
        "sm", "sign", "--key", str(key), "--passphrase-file", str(pw),
        "--in", str(message), "--out", str(out),
    )  # fmt: skip
    assert code == 2 and "not encrypted" in one_line_error(err)
    assert not out.exists()


def test_der_private_key_is_accepted(tmp_path, message, run):
    key = SM2PrivateKey.generate()
    der = tmp_path / "key.der"
    der.write_bytes(key.to_pkcs8_der())
    sig = tmp_path / "sig.der"
    assert run("sm", "sign", "--key", str(der), "--in", str(message), "--out", str(sig))[0] == 0
    key.public_key().verify(sig.read_bytes(), message.read_bytes())


@pytest.mark.parametrize("fmt", ["asn1", "c1c3c2", "c1c2c3"])
def test_encrypt_decrypt_round_trip(pair, message, tmp_path, run, fmt):
    key, pub = pair
    ct, back = tmp_path / "ct.bin", tmp_path / "back.txt"
    enc = ["sm", "encrypt", "--pubkey", str(pub), "--format", fmt]
    assert run(*enc, "--in", str(message), "--out", str(ct))[0] == 0
    dec = ["sm", "decrypt", "--key", str(key), "--format", fmt]
    assert run(*dec, "--in", str(ct), "--out", str(back))[0] == 0
    assert back.read_bytes() == message.read_bytes()


def test_decrypt_failures_leave_no_output(pair, message, tmp_path, run):
    key, pub = pair
    ct, out = tmp_path / "ct.der", tmp_path / "out.txt"
    run("sm", "encrypt", "--pubkey", str(pub), "--in", str(message), "--out", str(ct))
    other = tmp_path / "other.pem"
    run("sm", "keygen", "--out", str(other))
    for keyfile, data in ((other, ct.read_bytes()), (key, b"not a ciphertext")):
        ct.write_bytes(data)
        code, _, err = run(
            "sm", "decrypt", "--key", str(keyfile), "--in", str(ct), "--out", str(out)
        )
        assert code == 2 and "cannot decrypt" in one_line_error(err)
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_encrypt_empty_file(pair, tmp_path, run):
    _, pub = pair
    empty, out = tmp_path / "empty", tmp_path / "out"
    empty.write_bytes(b"")
    code, _, err = run("sm", "encrypt", "--pubkey", str(pub), "--in", str(empty), "--out", str(out))
    assert code == 2 and "empty" in one_line_error(err)
    assert not out.exists()


def test_unwritable_output(pair, message, tmp_path, run):
    key, _ = pair
    out = tmp_path / "missing-dir" / "sig.der"
    code, _, err = run("sm", "sign", "--key", str(key), "--in", str(message), "--out", str(out))
    assert code == 2 and "cannot write" in one_line_error(err)


def test_messages_are_translated(pair, message, tmp_path, run, monkeypatch):
    monkeypatch.setenv("ANBAO_CLI_LANGUAGE", "zh-hans")
    key, pub = pair
    sig = tmp_path / "sig.der"
    run("sm", "sign", "--key", str(key), "--in", str(message), "--out", str(sig))
    args = ["sm", "verify", "--pubkey", str(pub), "--in", str(message), "--sig", str(sig)]
    assert run(*args)[1] == "签名有效\n"
    code, _, err = run(*args, "--id", "other")
    assert code == 1 and one_line_error(err) == "anbao: 签名无效"


def test_id_bytes_that_are_not_utf8(pair, message, tmp_path, run):
    # argv arrives as str with surrogate escapes; the ID must be the original bytes.
    key, pub = pair
    sig = tmp_path / "sig.der"
    odd_id = b"id-\xff\xfe".decode("utf-8", "surrogateescape")
    sign = ["sm", "sign", "--key", str(key), "--id", odd_id, "--in", str(message)]
    assert run(*sign, "--out", str(sig))[0] == 0
    load_public_key(pub.read_bytes()).verify(
        sig.read_bytes(), message.read_bytes(), distinguishing_id=b"id-\xff\xfe"
    )


KEY_FOR_FUZZ = SM2PrivateKey.generate()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["pubkey", "sig", "key", "ciphertext"]),
    st.binary(max_size=200) | st.sampled_from([b"", b"-----BEGIN PUBLIC KEY-----\n"]),
)
def test_cli_never_raises_on_garbage_files(capsys, kind, blob):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = {
            "pubkey": public_key_to_pem(KEY_FOR_FUZZ.public_key()),
            "sig": KEY_FOR_FUZZ.sign(b"m"),
            "key": private_key_to_pem(KEY_FOR_FUZZ),
            "ciphertext": KEY_FOR_FUZZ.public_key().encrypt(b"m"),
            "msg": b"m",
        }
        files[kind] = blob
        for name, data in files.items():
            (d / name).write_bytes(data)
        p = {name: str(d / name) for name in files}
        commands = [
            ["sm", "verify", "--pubkey", p["pubkey"], "--in", p["msg"], "--sig", p["sig"]],
            ["sm", "sign", "--key", p["key"], "--in", p["msg"], "--out", str(d / "out.sig")],
            ["sm", "decrypt", "--key", p["key"], "--in", p["ciphertext"], "--out", str(d / "o")],
            ["sm", "encrypt", "--pubkey", p["pubkey"], "--in", p["msg"], "--out", str(d / "c")],
        ]
        for argv in commands:
            code = main(argv)
            _, err = capsys.readouterr()
            assert code in (0, 1, 2)
            if code:
                one_line_error(err)
