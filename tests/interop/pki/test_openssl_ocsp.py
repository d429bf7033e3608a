"""`openssl ocsp` asks anbao's OCSP core and reads good, revoked and unknown correctly."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from asn1crypto import ocsp, pem

from anbao.pki.core import certificates as C
from anbao.pki.core.crl import Reason
from anbao.pki.core.names import parse_dn
from anbao.pki.core.ocsp import CertificateStatus, Status, respond
from anbao.pki.core.profiles import Usage
from anbao.sm import SM2PrivateKey
from services import require_program

pytestmark = pytest.mark.external
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)


def openssl(*args, cwd, check=True):
    return subprocess.run(
        [require_program("openssl"), *args],
        cwd=cwd,
        check=check,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("ocsp")
    key = SM2PrivateKey.generate()
    name = parse_dn("CN=anbao Issuing CA,C=CN")
    issuer = C.issue(
        C.CertificateRequest(
            name,
            key.public_key(),
            Usage.ISSUING_CA,
            NOW,
            NOW + dt.timedelta(days=3650),
            C.random_serial(),
        ),
        name,
        key.public_key(),
        key.sign,
    )
    (d / "issuer.pem").write_bytes(pem.armor("CERTIFICATE", issuer.dump()))
    serials = {}
    for label in ("good", "revoked", "unknown"):
        cert = C.issue(
            C.CertificateRequest(
                parse_dn(f"CN={label}"),
                SM2PrivateKey.generate().public_key(),
                Usage.SIGNING,
                NOW,
                NOW + dt.timedelta(days=365),
                C.random_serial(),
            ),
            name,
            key.public_key(),
            key.sign,
        )
        (d / f"{label}.pem").write_bytes(pem.armor("CERTIFICATE", cert.dump()))
        serials[label] = cert.serial_number
    statuses = {
        serials["good"]: CertificateStatus(Status.GOOD),
        serials["revoked"]: CertificateStatus(Status.REVOKED, NOW, Reason.SUPERSEDED),
    }

    def lookup(serial):
        return statuses.get(serial, CertificateStatus(Status.UNKNOWN))

    return d, issuer, key, lookup


@pytest.mark.parametrize(
    ("label", "expected"), [("good", "good"), ("revoked", "revoked"), ("unknown", "unknown")]
)
def test_openssl_ocsp_reads_the_status(setup, label, expected):
    d, issuer, key, lookup = setup
    openssl(
        "ocsp",
        "-issuer",
        "issuer.pem",
        "-cert",
        f"{label}.pem",
        "-reqout",
        "req.der",
        "-no_nonce",
        cwd=d,
    )
    answer = respond(
        (d / "req.der").read_bytes(),
        issuer,
        lookup,
        key.sign,
        now=NOW,
        validity=dt.timedelta(hours=1),
    )
    (d / "resp.der").write_bytes(answer)
    out = openssl(
        "ocsp",
        "-respin",
        "resp.der",
        "-issuer",
        "issuer.pem",
        "-cert",
        f"{label}.pem",
        "-noverify",
        cwd=d,
    )
    assert f"{label}.pem: {expected}" in out.stdout
    if expected == "revoked":
        assert "Reason: superseded" in out.stdout


def test_nonce_is_echoed_and_response_signed_with_sm2(setup):
    d, issuer, key, lookup = setup
    openssl("ocsp", "-issuer", "issuer.pem", "-cert", "good.pem", "-reqout", "n.der", cwd=d)
    request = ocsp.OCSPRequest.load((d / "n.der").read_bytes())
    answer = ocsp.OCSPResponse.load(
        respond(
            (d / "n.der").read_bytes(),
            issuer,
            lookup,
            key.sign,
            now=NOW,
            validity=dt.timedelta(hours=1),
        )
    )
    basic = answer.basic_ocsp_response
    assert answer.nonce_value.native == request.nonce_value.native
    key.public_key().verify(bytes(basic["signature"]), basic["tbs_response_data"].dump())


def test_garbage_request_is_malformed(setup):
    _, issuer, key, lookup = setup
    answer = ocsp.OCSPResponse.load(
        respond(b"\x30\x00junk", issuer, lookup, key.sign, now=NOW, validity=dt.timedelta(hours=1))
    )
    assert answer["response_status"].native == "malformed_request"
