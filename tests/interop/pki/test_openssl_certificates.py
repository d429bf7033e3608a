"""OpenSSL 3 as the oracle for certificates and CRLs made by the pure PKI core.

OpenSSL 3.0 quirks (../shared/standards/sm/README.md, docs/interop.md): the SM2 ID must be
given (`-vfyopt distid:1234567812345678`), it applies only to the certificate being
verified (so the chain is checked link by link), and CRL signatures are checked with an
empty ID, so the CRL signature is checked with pkeyutl and the standard's ID instead.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem

from anbao.pki.core import certificates as C
from anbao.pki.core import crl as L
from anbao.pki.core.names import parse_dn
from anbao.pki.core.profiles import Usage
from anbao.sm import SM2PrivateKey, public_key_to_pem
from services import require_program

pytestmark = pytest.mark.external
DISTID = "distid:1234567812345678"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)


def openssl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [require_program("openssl"), *args], capture_output=True, text=True, check=check, timeout=60
    )


def write_pem(path: Path, label: str, der: bytes) -> Path:
    path.write_bytes(pem.armor(label, der))
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    root_key, iss_key, holder_key = (SM2PrivateKey.generate() for _ in range(3))
    root_name = parse_dn("CN=anbao Root CA,O=北京市精神卫生保健所,C=CN")
    iss_name = parse_dn("CN=anbao Issuing CA,O=北京市精神卫生保健所,C=CN")
    root = C.issue(
        C.CertificateRequest(
            root_name,
            root_key.public_key(),
            Usage.ROOT_CA,
            NOW,
            NOW + dt.timedelta(days=7300),
            C.random_serial(),
        ),
        root_name,
        root_key.public_key(),
        root_key.sign,
    )
    iss = C.issue(
        C.CertificateRequest(
            iss_name,
            iss_key.public_key(),
            Usage.ISSUING_CA,
            NOW,
            NOW + dt.timedelta(days=3650),
            C.random_serial(),
        ),
        root_name,
        root_key.public_key(),
        root_key.sign,
    )
    links = C.Links(
        "http://127.0.0.1:8000/pki/crl/issuing.crl",
        "http://127.0.0.1:8000/pki/ocsp",
        "http://127.0.0.1:8000/pki/ca/issuing.cer",
    )
    holder = C.issue(
        C.CertificateRequest(
            parse_dn("CN=张三,OU=信息科,O=北京市精神卫生保健所,C=CN,E=zs@example.cn"),
            holder_key.public_key(),
            Usage.SIGNING,
            NOW,
            NOW + dt.timedelta(days=365),
            C.random_serial(),
            email="zs@example.cn",
            links=links,
        ),
        iss_name,
        iss_key.public_key(),
        iss_key.sign,
    )
    other = C.issue(
        C.CertificateRequest(
            parse_dn("CN=李四,C=CN"),
            SM2PrivateKey.generate().public_key(),
            Usage.SIGNING,
            NOW,
            NOW + dt.timedelta(days=365),
            C.random_serial(),
        ),
        iss_name,
        iss_key.public_key(),
        iss_key.sign,
    )
    revoked_crl = L.build_crl(
        iss_name,
        iss_key.public_key(),
        [L.Revoked(holder.serial_number, NOW, L.Reason.KEY_COMPROMISE)],
        number=1,
        this_update=NOW,
        next_update=NOW + dt.timedelta(days=7),
        sign=iss_key.sign,
    )
    return {
        "root": write_pem(d / "root.pem", "CERTIFICATE", root.dump()),
        "issuing": write_pem(d / "issuing.pem", "CERTIFICATE", iss.dump()),
        "holder": write_pem(d / "holder.pem", "CERTIFICATE", holder.dump()),
        "other": write_pem(d / "other.pem", "CERTIFICATE", other.dump()),
        "crl": write_pem(d / "issuing.crl.pem", "X509 CRL", revoked_crl.dump()),
        "issuing_pub": _write(d / "issuing.pub.pem", public_key_to_pem(iss_key.public_key())),
        "holder_serial": format(holder.serial_number, "X"),
        "dir": d,
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_openssl_verifies_the_chain_link_by_link(pki):
    assert (
        openssl(
            "verify", "-vfyopt", DISTID, "-CAfile", str(pki["root"]), str(pki["root"])
        ).returncode
        == 0
    )
    out = openssl("verify", "-vfyopt", DISTID, "-CAfile", str(pki["root"]), str(pki["issuing"]))
    assert out.stdout.strip().endswith("OK")
    out = openssl(
        "verify",
        "-vfyopt",
        DISTID,
        "-partial_chain",
        "-CAfile",
        str(pki["issuing"]),
        str(pki["holder"]),
    )
    assert out.stdout.strip().endswith("OK")


def test_openssl_refuses_a_certificate_from_another_ca(pki):
    out = openssl(
        "verify",
        "-vfyopt",
        DISTID,
        "-partial_chain",
        "-CAfile",
        str(pki["root"]),
        str(pki["holder"]),
        check=False,
    )
    assert out.returncode != 0


def test_openssl_shows_the_gmt_0015_extensions(pki):
    text = openssl("x509", "-in", str(pki["holder"]), "-noout", "-text").stdout
    for expected in (
        "Signature Algorithm: SM2-with-SM3",
        "ASN1 OID: SM2",
        "Digital Signature, Non Repudiation",
        "TLS Web Client Authentication",
        "email:zs@example.cn",
        "URI:http://127.0.0.1:8000/pki/crl/issuing.crl",
        "OCSP - URI:http://127.0.0.1:8000/pki/ocsp",
        "CA:FALSE",
        "X509v3 Subject Key Identifier",
        "X509v3 Authority Key Identifier",
    ):
        assert expected in text, expected
    serial = openssl("x509", "-in", str(pki["holder"]), "-noout", "-serial").stdout
    assert int(serial.strip().removeprefix("serial="), 16) == int(pki["holder_serial"], 16)


def test_openssl_reads_the_crl(pki):
    text = openssl("crl", "-in", str(pki["crl"]), "-noout", "-text").stdout
    assert "Signature Algorithm: SM2-with-SM3" in text
    serials = [
        int(line.split(":", 1)[1], 16)
        for line in text.splitlines()
        if line.strip().startswith("Serial Number:")
    ]
    assert serials == [int(pki["holder_serial"], 16)]
    assert "Key Compromise" in text and "X509v3 CRL Number" in text


def test_crl_signature_verifies_with_the_standard_id(pki):
    """OpenSSL 3.0 checks CRLs with an empty ID; check the SM2 signature explicitly."""
    d = pki["dir"]
    der = d / "crl.der"
    openssl("crl", "-in", str(pki["crl"]), "-outform", "DER", "-out", str(der))
    parsed = openssl("asn1parse", "-inform", "DER", "-in", str(der)).stdout.splitlines()
    depth1 = [line for line in parsed if ":d=1 " in line]
    tbs_offset = depth1[0].split(":")[0].strip()
    sig_offset = depth1[-1].split(":")[0].strip()
    openssl(
        "asn1parse",
        "-inform",
        "DER",
        "-in",
        str(der),
        "-strparse",
        tbs_offset,
        "-noout",
        "-out",
        str(d / "tbs.bin"),
    )
    openssl(
        "asn1parse",
        "-inform",
        "DER",
        "-in",
        str(der),
        "-strparse",
        sig_offset,
        "-noout",
        "-out",
        str(d / "sig.bin"),
    )
    ok = openssl(
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(pki["issuing_pub"]),
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        str(d / "tbs.bin"),
        "-sigfile",
        str(d / "sig.bin"),
        "-pkeyopt",
        DISTID,
        check=False,
    )
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout
    empty = openssl(
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(pki["issuing_pub"]),
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        str(d / "tbs.bin"),
        "-sigfile",
        str(d / "sig.bin"),
        check=False,
    )
    assert empty.returncode != 0  # signed per GM/T 0015, not with OpenSSL 3.0's empty ID


def test_crl_check_rejects_the_revoked_certificate(pki):
    out = openssl(
        "verify",
        "-vfyopt",
        DISTID,
        "-partial_chain",
        "-crl_check",
        "-CAfile",
        str(pki["issuing"]),
        "-CRLfile",
        str(pki["crl"]),
        str(pki["holder"]),
        check=False,
    )
    assert out.returncode != 0
