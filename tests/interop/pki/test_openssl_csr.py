"""Requests made by OpenSSL are read by anbao; broken and foreign ones are refused by name."""

from __future__ import annotations

import subprocess

import pytest

from anbao.errors import ValidationError
from anbao.pki.core.csr import parse_csr
from anbao.sm import DEFAULT_ID
from services import require_program

pytestmark = pytest.mark.external


def openssl(*args, cwd):
    return subprocess.run(
        [require_program("openssl"), *args], cwd=cwd, check=True, capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("csr")
    openssl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "sm2.key", cwd=d
    )
    openssl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "p256.key",
        cwd=d,
    )
    return d


@pytest.mark.parametrize(
    ("sigopt", "expected_id"),
    [
        (["-sigopt", "distid:1234567812345678"], DEFAULT_ID),
        ([], b""),
    ],
)
def test_openssl_sm2_request_is_accepted(keys, sigopt, expected_id):
    out = keys / f"req{len(sigopt)}.pem"
    openssl(
        "req",
        "-new",
        "-key",
        "sm2.key",
        "-sm3",
        *sigopt,
        "-subj",
        "/C=CN/O=北京市精神卫生保健所/OU=信息科/CN=张三",
        "-utf8",
        "-out",
        out.name,
        cwd=keys,
    )
    parsed = parse_csr(out.read_bytes())
    assert parsed.subject.native["common_name"] == "张三"
    assert parsed.signed_with_id == expected_id
    der = subprocess.run(
        [require_program("openssl"), "req", "-in", str(out), "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    assert parse_csr(der).public_key == parsed.public_key


def test_p256_request_is_refused_as_wrong_curve(keys):
    openssl("req", "-new", "-key", "p256.key", "-subj", "/CN=x", "-out", "p256.csr", cwd=keys)
    with pytest.raises(ValidationError) as info:
        parse_csr((keys / "p256.csr").read_bytes())
    assert info.value.code == "wrong_curve"


def test_tampered_request_has_no_proof_of_possession(keys):
    openssl(
        "req",
        "-new",
        "-key",
        "sm2.key",
        "-sm3",
        "-sigopt",
        "distid:1234567812345678",
        "-subj",
        "/CN=original",
        "-outform",
        "DER",
        "-out",
        "t.der",
        cwd=keys,
    )
    der = (keys / "t.der").read_bytes().replace(b"original", b"0riginal")
    with pytest.raises(ValidationError) as info:
        parse_csr(der)
    assert info.value.code == "csr_signature_invalid"


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"hello",
        b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        b"\x30\x03\x02\x01",
    ],
)
def test_garbage_is_refused(garbage):
    with pytest.raises(ValidationError):
        parse_csr(garbage)
