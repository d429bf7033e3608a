"""Creating the CA hierarchy and signing with its keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import record
from anbao.pki import keystore
from anbao.pki.core import certificates as C
from anbao.pki.core.names import build_name, dn_text, parse_dn
from anbao.pki.core.profiles import DEFAULT_ISSUING_DAYS, DEFAULT_ROOT_DAYS, Usage
from anbao.pki.models import CertificateAuthority
from anbao.sm import SM2PrivateKey, SM2PublicKey


@dataclass(frozen=True)
class LoadedCA:
    """A CA with its key opened for this operation; never stored or logged."""

    record: CertificateAuthority
    certificate: asn1_x509.Certificate
    key: SM2PrivateKey

    @property
    def name(self) -> asn1_x509.Name:
        return self.certificate.subject

    @property
    def public_key(self) -> SM2PublicKey:
        return self.key.public_key()

    def sign(self, tbs: bytes) -> bytes:
        return self.key.sign(tbs)


def serial_hex(serial: int) -> str:
    return format(serial, "X")


def links() -> C.Links:
    base = settings.SITE_URL
    return C.Links(
        crl_url=f"{base}/pki/crl/issuing.crl",
        ocsp_url=f"{base}/pki/ocsp",
        issuer_url=f"{base}/pki/ca/issuing.cer",
    )


def _key_context(role: str, serial: str) -> str:
    return f"ca:{role}:{serial}"


def init_ca(
    subject: str, *, days: int | None = None, actor: object = None, now: dt.datetime | None = None
) -> tuple[CertificateAuthority, CertificateAuthority]:
    """Create the SM2 root CA and the issuing CA under it; refuses if a CA exists."""
    root_name = parse_dn(subject)
    if CertificateAuthority.objects.exists():
        raise errors.Conflict(_("the certificate authority exists already"))
    if days is not None and not 1 <= days <= 36500:
        raise errors.ValidationError(_("--days must be between 1 and 36500"))
    values = dict(root_name.native)
    issuing_values = {**values, "common_name": _issuing_cn(values["common_name"])}
    issuing_name = build_name(issuing_values)
    now = now or timezone.now().replace(microsecond=0)
    root_days = days or DEFAULT_ROOT_DAYS
    issuing_days = min(days or DEFAULT_ISSUING_DAYS, root_days)
    keystore.ensure_kek()
    root_key, issuing_key = SM2PrivateKey.generate(), SM2PrivateKey.generate()
    root_cert = C.issue(
        C.CertificateRequest(
            root_name,
            root_key.public_key(),
            Usage.ROOT_CA,
            now,
            now + dt.timedelta(days=root_days),
            C.random_serial(),
        ),
        root_name,
        root_key.public_key(),
        root_key.sign,
    )
    issuing_cert = C.issue(
        C.CertificateRequest(
            issuing_name,
            issuing_key.public_key(),
            Usage.ISSUING_CA,
            now,
            now + dt.timedelta(days=issuing_days),
            C.random_serial(),
        ),
        root_name,
        root_key.public_key(),
        root_key.sign,
    )
    with transaction.atomic():
        root = _store(CertificateAuthority.ROOT, root_cert, root_key, None)
        issuing = _store(CertificateAuthority.ISSUING, issuing_cert, issuing_key, root)
        record(
            "ca.init",
            actor=actor,
            object_type="ca",
            object_id=issuing.serial,
            details={
                "root": dn_text(root_name),
                "issuing": dn_text(issuing_name),
                "root_serial": root.serial,
            },
        )
    return root, issuing


def _issuing_cn(root_cn: str) -> str:
    """ "XX CA" → "XX 二级CA"; otherwise "XX 二级CA" appended (subordinate CA)."""
    base = root_cn[:-2].rstrip() if root_cn.upper().endswith("CA") else root_cn
    return f"{base} 二级CA"[:64]


def _store(
    role: str, cert: asn1_x509.Certificate, key: SM2PrivateKey, parent: CertificateAuthority | None
) -> CertificateAuthority:
    serial = serial_hex(cert.serial_number)
    validity = cert["tbs_certificate"]["validity"]
    return CertificateAuthority.objects.create(
        role=role,
        subject=dn_text(cert.subject),
        serial=serial,
        certificate=cert.dump(),
        wrapped_key=keystore.wrap_key(key, _key_context(role, serial)),
        parent=parent,
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
    )


def _get(role: str) -> CertificateAuthority:
    ca = CertificateAuthority.objects.filter(role=role).first()
    if ca is None:
        raise errors.NotFound(
            _("no certificate authority: run `anbao ca init` first"), code="no_ca"
        )
    return ca


def issuing_ca() -> LoadedCA:
    ca = _get(CertificateAuthority.ISSUING)
    return LoadedCA(
        ca,
        asn1_x509.Certificate.load(bytes(ca.certificate)),
        keystore.unwrap_key(bytes(ca.wrapped_key), _key_context(ca.role, ca.serial)),
    )


def chain_pem() -> bytes:
    """The issuing CA then the root, PEM, as `anbao ca export` writes them."""
    issuing = _get(CertificateAuthority.ISSUING)
    root = _get(CertificateAuthority.ROOT)
    return b"".join(pem.armor("CERTIFICATE", bytes(ca.certificate)) for ca in (issuing, root))
