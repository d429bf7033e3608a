"""The CA as stored: hierarchy, wrapped keys, issuance, revocation, renewal, CRL, OCSP."""

from __future__ import annotations

import stat
import subprocess

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem, x509

from anbao import errors
from anbao.audit.models import AuditRecord
from anbao.pki.core.certificates import public_key_of, verify_signature
from anbao.pki.core.envelope import open_envelope
from anbao.pki.models import Certificate, CertificateAuthority, EscrowedKey, Holder
from anbao.pki.services import authority, issuance, status
from anbao.sm import load_private_key
from services import require_program

pytestmark = pytest.mark.django_db
ZS = issuance.HolderInput(name="张三", email="zs@example.cn", unit="信息科")


def test_hierarchy_and_wrapped_keys(ca, settings):
    root, issuing = ca
    assert issuing.parent == root and root.parent is None
    assert "二级CA" in issuing.subject
    kek = settings.DATA_DIR / "ca" / "kek"
    assert stat.S_IMODE(kek.stat().st_mode) == 0o600
    loaded = authority.issuing_ca()
    assert loaded.key.to_pkcs8_der() not in bytes(issuing.wrapped_key)
    root_cert = x509.Certificate.load(bytes(root.certificate))
    verify_signature(x509.Certificate.load(bytes(issuing.certificate)), public_key_of(root_cert))
    assert AuditRecord.objects.filter(action="ca.init").exists()


def test_second_init_and_bad_subjects_are_refused(ca):
    with pytest.raises(errors.Conflict):
        authority.init_ca("CN=again,C=CN")
    for bad in ("", "O=no common name", "CN=x,C=China"):
        with pytest.raises(errors.ValidationError):
            authority.init_ca(bad)
    assert CertificateAuthority.objects.count() == 2


def test_a_changed_kek_cannot_open_the_ca_key(ca, settings):
    (settings.DATA_DIR / "ca" / "kek").write_bytes(bytes(16))
    with pytest.raises(errors.Error):
        authority.issuing_ca()


def test_no_ca_yet_is_a_clear_error(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(errors.NotFound, match="anbao ca init"):
        issuance.issue(ZS, generate_key=True)


def test_dual_issue_escrows_and_envelopes_the_encryption_key(ca):
    result = issuance.issue(ZS, generate_key=True, pin="123456", dual=True)
    signing, encryption = result.signing, result.encryption
    assert signing.pair == encryption and signing.usage == "signing"
    assert encryption.usage == "encryption"
    key = load_private_key(result.private_key_pem, b"123456")
    enc_key = open_envelope(result.envelope, key)
    enc_cert = x509.Certificate.load(bytes(encryption.der))
    assert public_key_of(enc_cert) == enc_key.public_key()
    assert "digital_signature" not in enc_cert.key_usage_value.native
    escrow = EscrowedKey.objects.get(certificate=encryption)
    assert enc_key.to_pkcs8_der() not in bytes(escrow.wrapped_key)
    assert result.pin is None  # the caller chose the PIN, so none is shown


def test_generated_pin_is_returned_once(ca):
    result = issuance.issue(ZS, generate_key=True)
    assert result.pin and len(result.pin) == 8
    load_private_key(result.private_key_pem, result.pin.encode())


def test_username_binds_or_creates_a_holder_account(ca):
    from anbao.accounts.models import User

    issuance.issue(
        issuance.HolderInput(name="李四", email="ls@example.cn", username="lisi"), generate_key=True
    )
    user = User.objects.get(username="lisi")
    assert user.role == "holder" and user.holder.email == "ls@example.cn"
    # No password anybody knows: an administrator gives a one-time one before the first sign-in.
    assert not user.has_usable_password()


def test_duplicate_holder_writes_nothing(ca):
    issuance.issue(ZS, generate_key=True)
    before = (Holder.objects.count(), Certificate.objects.count())
    with pytest.raises(errors.Conflict) as info:
        issuance.issue(
            issuance.HolderInput(name="王五", email="ZS@example.cn"), generate_key=True, dual=True
        )
    assert info.value.code == "duplicate_holder"
    assert (Holder.objects.count(), Certificate.objects.count()) == before


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (issuance.HolderInput(name="", email="a@b.cn"), "invalid_name"),
        (issuance.HolderInput(name="x", email="not-an-email"), "invalid_email"),
        (issuance.HolderInput(name="x", email="a@b.cn", profile="tablet"), "invalid_profile"),
    ],
)
def test_bad_holder_input(ca, data, code):
    with pytest.raises(errors.ValidationError) as info:
        issuance.issue(data, generate_key=True)
    assert info.value.code == code
    assert not Certificate.objects.exists()


def test_garbage_csr_writes_nothing(ca):
    with pytest.raises(errors.ValidationError):
        issuance.issue(ZS, csr=b"-----BEGIN CERTIFICATE REQUEST-----\nAAA\n")
    assert not Holder.objects.exists() and not Certificate.objects.exists()


def test_revoke_pair_crl_and_ocsp(ca):
    result = issuance.issue(ZS, generate_key=True, dual=True)
    serial = result.signing.serial
    status.revoke(
        ":".join(serial[i : i + 2] for i in range(0, len(serial), 2)).lower(), "key_compromise"
    )
    result.encryption.refresh_from_db()
    assert result.encryption.status == Certificate.REVOKED
    with pytest.raises(errors.Conflict):
        status.revoke(serial, "superseded")
    der = status.current_crl()
    listed = asn1_crl.CertificateList.load(der)
    serials = {
        e["user_certificate"].native for e in listed["tbs_cert_list"]["revoked_certificates"]
    }
    assert serials == {int(serial, 16), int(result.encryption.serial, 16)}
    status.current_crl()  # no new revocation: the same CRL is served again
    assert (
        listed.crl_number_value.native
        == CertificateAuthority.objects.get(role="issuing").crl_number
    )


@pytest.mark.parametrize(
    ("serial", "exc"),
    [
        ("not-hex", errors.ValidationError),
        ("ABCDEF", errors.NotFound),
        ("", errors.ValidationError),
    ],
)
def test_bad_serials(ca, serial, exc):
    with pytest.raises(exc):
        status.revoke(serial, "superseded")


def test_unknown_reason(ca):
    result = issuance.issue(ZS, generate_key=True)
    with pytest.raises(errors.ValidationError) as info:
        status.revoke(result.signing.serial, "because")
    assert info.value.code == "invalid_reason"


def test_renew_keeps_the_key_and_links_the_old(ca):
    first = issuance.issue(ZS, generate_key=True)
    renewed = status.renew(first.signing.serial)
    old = x509.Certificate.load(bytes(first.signing.der))
    new = x509.Certificate.load(bytes(renewed.signing.der))
    assert public_key_of(old) == public_key_of(new)
    assert renewed.signing.renewal_of == first.signing
    status.revoke(first.signing.serial, "superseded")
    with pytest.raises(errors.Conflict):
        status.renew(first.signing.serial)


def test_http_endpoints(ca, client):
    result = issuance.issue(ZS, generate_key=True)
    crl = client.get("/pki/crl/issuing.crl")
    assert crl.status_code == 200 and crl["Content-Type"] == "application/pkix-crl"
    asn1_crl.CertificateList.load(crl.content)
    cert = client.get("/pki/ca/issuing.cer")
    assert cert.status_code == 200 and x509.Certificate.load(cert.content)
    assert client.get("/pki/ca/nothing.cer").status_code == 404
    bad = client.post("/pki/ocsp", b"junk", content_type="application/ocsp-request")
    assert asn1_ocsp.OCSPResponse.load(bad.content)["response_status"].native == "malformed_request"
    assert result.signing.serial


def test_openssl_ocsp_against_the_live_responder(ca, live_server, tmp_path, settings):
    openssl = require_program("openssl")
    good = issuance.issue(ZS, generate_key=True)
    bad = issuance.issue(
        issuance.HolderInput(name="李四", email="ls@example.cn"), generate_key=True
    )
    status.revoke(bad.signing.serial, "affiliation_changed")
    issuer = tmp_path / "issuer.pem"
    issuer.write_bytes(
        pem.armor(
            "CERTIFICATE", bytes(CertificateAuthority.objects.get(role="issuing").certificate)
        )
    )
    for result, expected in ((good, "good"), (bad, "revoked")):
        path = tmp_path / f"{expected}.pem"
        path.write_bytes(issuance.certificate_pem(result.signing))
        out = subprocess.run(
            [
                openssl,
                "ocsp",
                "-issuer",
                str(issuer),
                "-cert",
                str(path),
                "-url",
                f"{live_server.url}/pki/ocsp",
                "-noverify",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert f"{path}: {expected}" in out.stdout, out.stdout + out.stderr
