"""OpenSSL 3 (Debian's ``openssl``) as an oracle for anbao.sm, in both directions.

OpenSSL 3.0-3.x signs and verifies with an EMPTY distinguishing ID unless told otherwise, so
every OpenSSL command passes ``distid`` (see docs/interop.md and the standards README).
"""

from __future__ import annotations

import hmac
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbao.cli.main import main
from anbao.sm import (
    DEFAULT_ID,
    InvalidKey,
    InvalidSignature,
    SM2PrivateKey,
    load_private_key,
    load_public_key,
    private_key_to_der,
    private_key_to_pem,
    public_key_to_der,
    public_key_to_pem,
    sm3,
    sm4,
)
from anbao.sm.sm3 import hmac_sm3
from services import require_program

pytestmark = pytest.mark.external

CUSTOM_ID = "alice@example.cn"


@pytest.fixture(scope="module")
def openssl_bin() -> str:
    return require_program("openssl")


@pytest.fixture
def ossl(openssl_bin):
    def run(*args: str | Path, data: bytes | None = None, check: bool = True):
        return subprocess.run(
            [openssl_bin, *map(str, args)], input=data, capture_output=True, check=check
        )

    return run


def _version(openssl_bin: str) -> str:
    return subprocess.run([openssl_bin, "version"], capture_output=True, text=True).stdout


@pytest.fixture
def openssl_key(ossl, tmp_path):
    """A key pair made by OpenSSL: (private PEM path, public PEM path)."""
    key, pub = tmp_path / "ossl.key", tmp_path / "ossl.pub"
    ossl("genpkey", "-algorithm", "SM2", "-out", key)
    ossl("pkey", "-in", key, "-pubout", "-out", pub)
    return key, pub


def _pkeyutl_verify(ossl, pub: Path, msg: Path, sig: Path, ident: str | None):
    args = ["pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-digest", "sm3"]
    args += ["-in", msg, "-sigfile", sig]
    if ident is not None:
        args += ["-pkeyopt", f"distid:{ident}"]
    return ossl(*args, check=False)


# Signatures


@pytest.mark.parametrize("ident", [DEFAULT_ID.decode(), CUSTOM_ID])
def test_anbao_signature_verifies_in_openssl(ossl, tmp_path, ident):
    key = SM2PrivateKey.generate()
    pub, msg, sig = tmp_path / "pub.pem", tmp_path / "msg", tmp_path / "sig.der"
    pub.write_bytes(public_key_to_pem(key.public_key()))
    msg.write_bytes(b"signed by anbao")
    sig.write_bytes(key.sign(msg.read_bytes(), distinguishing_id=ident))
    result = _pkeyutl_verify(ossl, pub, msg, sig, ident)
    assert result.returncode == 0, result.stderr
    assert b"Signature Verified Successfully" in result.stdout
    assert _pkeyutl_verify(ossl, pub, msg, sig, "wrong id").returncode != 0


def test_openssl_3_default_id_is_empty(ossl, openssl_bin, tmp_path):
    # Why every OpenSSL 3 command here passes distid: without it the standard ID fails.
    if not _version(openssl_bin).startswith("OpenSSL 3."):
        pytest.skip("OpenSSL 4.0 and later default to 1234567812345678")
    key = SM2PrivateKey.generate()
    pub, msg, sig = tmp_path / "pub.pem", tmp_path / "msg", tmp_path / "sig.der"
    pub.write_bytes(public_key_to_pem(key.public_key()))
    msg.write_bytes(b"m")
    sig.write_bytes(key.sign(b"m"))
    assert _pkeyutl_verify(ossl, pub, msg, sig, None).returncode != 0
    sig.write_bytes(key.sign(b"m", distinguishing_id=b""))
    assert _pkeyutl_verify(ossl, pub, msg, sig, None).returncode == 0


@pytest.mark.parametrize("ident", [DEFAULT_ID.decode(), CUSTOM_ID])
def test_openssl_signature_verifies_in_anbao(ossl, openssl_key, tmp_path, ident):
    key, pub = openssl_key
    msg, sig = tmp_path / "msg", tmp_path / "sig.der"
    msg.write_bytes(b"signed by openssl")
    ossl(
        "pkeyutl", "-sign", "-inkey", key, "-rawin", "-digest", "sm3",
        "-in", msg, "-out", sig, "-pkeyopt", f"distid:{ident}",
    )  # fmt: skip
    public = load_public_key(pub.read_bytes())
    public.verify(sig.read_bytes(), msg.read_bytes(), distinguishing_id=ident)
    with pytest.raises(InvalidSignature):
        public.verify(sig.read_bytes(), msg.read_bytes(), distinguishing_id="not " + ident)


def test_openssl_dgst_signature_verifies_in_anbao(ossl, openssl_key, tmp_path):
    key, pub = openssl_key
    msg, sig = tmp_path / "msg", tmp_path / "sig.der"
    msg.write_bytes(b"dgst path")
    ossl("dgst", "-sm3", "-sign", key, "-sigopt", f"distid:{CUSTOM_ID}", "-out", sig, msg)
    load_public_key(pub.read_bytes()).verify(
        sig.read_bytes(), msg.read_bytes(), distinguishing_id=CUSTOM_ID
    )


# Encryption


def test_anbao_ciphertext_decrypts_in_openssl(ossl, openssl_key, tmp_path):
    key, pub = openssl_key
    ct = tmp_path / "ct.der"
    plaintext = os.urandom(100)
    ct.write_bytes(load_public_key(pub.read_bytes()).encrypt(plaintext))
    assert ossl("pkeyutl", "-decrypt", "-inkey", key, "-in", ct).stdout == plaintext


def test_openssl_ciphertext_decrypts_in_anbao(ossl, tmp_path):
    key = SM2PrivateKey.generate()
    pub, msg = tmp_path / "pub.pem", tmp_path / "msg"
    pub.write_bytes(public_key_to_pem(key.public_key()))
    msg.write_bytes(b"encrypted by openssl")
    ct = ossl("pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-in", msg).stdout
    assert key.decrypt(ct) == b"encrypted by openssl"


# Keys


def test_openssl_keys_load_in_anbao(ossl, openssl_key, tmp_path):
    key, pub = openssl_key
    expected = load_public_key(pub.read_bytes())
    assert load_private_key(key.read_bytes()).public_key() == expected
    der = ossl("pkey", "-in", key, "-outform", "DER").stdout
    assert load_private_key(der).public_key() == expected
    pub_der = ossl("pkey", "-pubin", "-in", pub, "-outform", "DER").stdout
    assert load_public_key(pub_der) == expected
    aes = ossl("pkey", "-in", key, "-aes-256-cbc", "-passout", "pass:s3cret").stdout
    assert b"ENCRYPTED PRIVATE KEY" in aes
    assert load_private_key(aes, b"s3cret").public_key() == expected
    sm4_der = ossl(
        "pkcs8", "-topk8", "-in", key, "-v2", "sm4-cbc", "-outform", "DER",
        "-passout", "pass:s3cret",
    ).stdout  # fmt: skip
    assert load_private_key(sm4_der, b"s3cret").public_key() == expected


def test_openssl_ecparam_and_sec1_keys_load_in_anbao(ossl, tmp_path):
    # ecparam -genkey writes an "SM2 PARAMETERS" block before the key; ``openssl ec``
    # rewrites the key as SEC 1 under the label "SM2 PRIVATE KEY".
    key, sec1 = tmp_path / "ecparam.pem", tmp_path / "sec1.pem"
    ossl("ecparam", "-name", "SM2", "-genkey", "-out", key)
    assert key.read_bytes().startswith(b"-----BEGIN SM2 PARAMETERS-----")
    ossl("ec", "-in", key, "-out", sec1)
    assert sec1.read_bytes().startswith(b"-----BEGIN SM2 PRIVATE KEY-----")
    expected = load_public_key(ossl("pkey", "-in", key, "-pubout").stdout)
    assert load_private_key(key.read_bytes()).public_key() == expected
    assert load_private_key(sec1.read_bytes()).public_key() == expected


def test_anbao_keys_load_in_openssl(ossl, tmp_path):
    key = SM2PrivateKey.generate()
    plain, enc, enc_der = tmp_path / "k.pem", tmp_path / "k.enc.pem", tmp_path / "k.enc.der"
    plain.write_bytes(private_key_to_pem(key))
    enc.write_bytes(private_key_to_pem(key, "口令 pass".encode()))
    enc_der.write_bytes(private_key_to_der(key, b"pass", iterations=10_000))
    expected_pub = public_key_to_pem(key.public_key())
    assert ossl("pkey", "-in", plain, "-pubout").stdout == expected_pub
    text = ossl("pkey", "-in", plain, "-noout", "-text").stdout.decode()
    assert "ASN1 OID: SM2" in text
    out = ossl("pkey", "-in", enc, "-passin", "pass:口令 pass", "-pubout").stdout
    assert out == expected_pub
    out = ossl("pkey", "-in", enc_der, "-inform", "DER", "-passin", "pass:pass", "-pubout")
    assert out.stdout == expected_pub
    wrong = ossl("pkey", "-in", enc, "-passin", "pass:wrong", "-noout", check=False)
    assert wrong.returncode != 0
    spki = tmp_path / "pub.der"
    spki.write_bytes(public_key_to_der(key.public_key()))
    again = ossl("pkey", "-pubin", "-inform", "DER", "-in", spki, "-outform", "DER").stdout
    assert again == spki.read_bytes()


# The CLI against OpenSSL


def test_cli_round_trip_with_openssl(ossl, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANBAO_CLI_LANGUAGE", "en")
    key, pub, pw = tmp_path / "k.pem", tmp_path / "p.pem", tmp_path / "pw"
    pw.write_text("cli pass\n", encoding="utf-8")
    assert main(["sm", "keygen", "--out", str(key), "--pubout", str(pub),
                 "--passphrase-file", str(pw)]) == 0  # fmt: skip
    ossl("pkey", "-in", key, "-passin", "pass:cli pass", "-noout")

    msg, sig = tmp_path / "msg", tmp_path / "sig.der"
    msg.write_bytes(b"cli message")
    assert main(["sm", "sign", "--key", str(key), "--passphrase-file", str(pw),
                 "--id", CUSTOM_ID, "--in", str(msg), "--out", str(sig)]) == 0  # fmt: skip
    assert _pkeyutl_verify(ossl, pub, msg, sig, CUSTOM_ID).returncode == 0

    # A self-signed certificate made by OpenSSL for its own key; encrypt and verify with it.
    okey, cert = tmp_path / "o.key", tmp_path / "o.crt"
    ossl("genpkey", "-algorithm", "SM2", "-out", okey)
    ossl(
        "req", "-new", "-x509", "-key", okey, "-sm3", "-sigopt",
        f"distid:{DEFAULT_ID.decode()}", "-subj", "/CN=anbao interop", "-days", "2", "-out", cert,
    )  # fmt: skip
    ct = tmp_path / "ct.der"
    assert main(["sm", "encrypt", "--cert", str(cert), "--in", str(msg), "--out", str(ct)]) == 0
    assert ossl("pkeyutl", "-decrypt", "-inkey", okey, "-in", ct).stdout == b"cli message"
    osig = tmp_path / "osig.der"
    ossl(
        "pkeyutl", "-sign", "-inkey", okey, "-rawin", "-digest", "sm3", "-in", msg,
        "-out", osig, "-pkeyopt", f"distid:{DEFAULT_ID.decode()}",
    )  # fmt: skip
    verify = ["sm", "verify", "--cert", str(cert), "--in", str(msg), "--sig", str(osig)]
    assert main(verify) == 0
    assert main([*verify, "--id", CUSTOM_ID]) == 1
    capsys.readouterr()


# SM3, HMAC-SM3 and SM4


@settings(max_examples=10, deadline=None)
@given(st.binary(max_size=2000))
def test_sm3_matches_openssl(openssl_bin, data):
    out = subprocess.run(
        [openssl_bin, "dgst", "-sm3", "-r"], input=data, capture_output=True, check=True
    )
    assert out.stdout.split()[0].decode() == sm3(data).hex()


@settings(max_examples=10, deadline=None)
@given(st.binary(min_size=1, max_size=150), st.binary(max_size=500))
def test_hmac_sm3_matches_openssl_mac(openssl_bin, key, data):
    out = subprocess.run(
        [openssl_bin, "mac", "-digest", "sm3", "-macopt", f"hexkey:{key.hex()}", "HMAC"],
        input=data, capture_output=True, check=True,
    )  # fmt: skip
    tag = bytes.fromhex(out.stdout.decode().strip())
    assert hmac.compare_digest(tag, hmac_sm3(key, data))


@pytest.mark.parametrize("mode", ["cbc", "ctr"])
def test_sm4_matches_openssl_enc(ossl, mode):
    key, iv, data = os.urandom(16), os.urandom(16), os.urandom(100)
    ours = sm4.cbc_encrypt(key, iv, data) if mode == "cbc" else sm4.ctr_encrypt(key, iv, data)
    args = [f"-sm4-{mode}", "-K", key.hex(), "-iv", iv.hex()]
    assert ossl("enc", "-e", *args, data=data).stdout == ours
    theirs = ossl("enc", "-e", *args, data=data[:37]).stdout
    back = sm4.cbc_decrypt(key, iv, theirs) if mode == "cbc" else sm4.ctr_decrypt(key, iv, theirs)
    assert back == data[:37]


def test_openssl_3_has_no_sm4_gcm(ossl, openssl_bin):
    # Recorded in docs/interop.md: SM4-GCM data from anbao cannot be checked by OpenSSL 3.0.
    if not _version(openssl_bin).startswith("OpenSSL 3.0"):
        pytest.skip("only OpenSSL 3.0 is known to lack SM4-GCM")
    listing = ossl("list", "-cipher-algorithms").stdout.decode().upper()
    assert "SM4-CBC" in listing and "SM4-GCM" not in listing


def test_openssl_keys_on_other_curves_are_refused(ossl, tmp_path):
    key = tmp_path / "p256.pem"
    ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
    encrypted = ossl("pkey", "-in", key, "-aes-256-cbc", "-passout", "pass:pw").stdout
    public = ossl("pkey", "-in", key, "-pubout").stdout
    with pytest.raises(InvalidKey):
        load_private_key(key.read_bytes())
    with pytest.raises(InvalidKey):
        load_private_key(encrypted, b"pw")
    with pytest.raises(InvalidKey):
        load_public_key(public)
