"""Issuing holder certificates: single and dual (signing + escrowed encryption)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import record
from anbao.pki import keystore
from anbao.pki.core import certificates as C
from anbao.pki.core.csr import parse_csr
from anbao.pki.core.envelope import envelop
from anbao.pki.core.names import build_name, dn_text
from anbao.pki.core.profiles import DEFAULT_HOLDER_DAYS, Profile, Usage
from anbao.pki.models import Certificate, EscrowedKey, Holder
from anbao.pki.services.authority import LoadedCA, issuing_ca, links, serial_hex
from anbao.sm import SM2PrivateKey, SM2PublicKey, private_key_to_pem, sm3

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
PIN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


@dataclass(frozen=True)
class HolderInput:
    name: str
    email: str
    unit: str = ""
    phone: str = ""
    username: str = ""
    profile: str = Profile.PC.value


@dataclass(frozen=True)
class IssuedPair:
    signing: Certificate
    encryption: Certificate | None
    private_key_pem: bytes | None  # PIN-encrypted, when the server generated the key
    pin: str | None  # only when generated here; shown once
    envelope: bytes | None  # the encryption key sealed to the signing key


def generate_pin() -> str:
    return "".join(secrets.choice(PIN_ALPHABET) for _ in range(8))


def validate_holder(data: HolderInput) -> None:
    name = data.name.strip()
    if not name or len(name) > 64:
        raise errors.ValidationError(_("name must be 1 to 64 characters"), code="invalid_name")
    if not EMAIL_RE.match(data.email.strip()):
        raise errors.ValidationError(
            _("invalid e-mail address %(e)r") % {"e": data.email}, code="invalid_email"
        )
    if len(data.unit) > 64:
        raise errors.ValidationError(_("unit must be at most 64 characters"))
    if data.profile not in {p.value for p in Profile}:
        raise errors.ValidationError(
            _("profile must be pc or mobile, got %(p)r") % {"p": data.profile},
            code="invalid_profile",
        )


def _holder_name(ca: LoadedCA, data: HolderInput) -> asn1_x509.Name:
    ca_values = ca.name.native
    values = {
        "country_name": ca_values.get("country_name", "CN"),
        "organization_name": ca_values.get("organization_name", ""),
        "organizational_unit_name": data.unit.strip(),
        "common_name": data.name.strip(),
        "email_address": data.email.strip(),
    }
    return build_name(values)


def _bind_holder(data: HolderInput, actor: object) -> Holder:
    from anbao.accounts.models import User

    holder = Holder.objects.filter(email__iexact=data.email.strip()).first()
    if holder is not None and holder.name != data.name.strip():
        raise errors.Conflict(
            _("the e-mail %(e)s belongs to the holder %(n)s") % {"e": data.email, "n": holder.name},
            code="duplicate_holder",
        )
    if holder is None:
        holder = Holder.objects.create(
            name=data.name.strip(),
            email=data.email.strip(),
            unit=data.unit.strip(),
            phone=data.phone.strip(),
        )
    if data.username:
        user = User.objects.filter(username=data.username).first()
        if user is None:
            from anbao.accounts.services import create_user

            user, _password = create_user(
                data.username,
                "holder",
                email=data.email.strip(),
                full_name=data.name.strip(),
                actor=actor,
            )
        if holder.user_id not in (None, user.pk):
            raise errors.Conflict(
                _("the holder %(n)s is bound to another account") % {"n": holder.name},
                code="duplicate_holder",
            )
        other = Holder.objects.filter(user=user).exclude(pk=holder.pk).first()
        if other is not None:
            raise errors.Conflict(
                _("the account %(u)s already holds certificates as %(n)s")
                % {"u": data.username, "n": other.name},
                code="duplicate_holder",
            )
        holder.user = user
        holder.save(update_fields=["user"])
    return holder


def _make(
    ca: LoadedCA,
    holder: Holder,
    subject: asn1_x509.Name,
    key: SM2PublicKey,
    usage: Usage,
    profile: str,
    now: dt.datetime,
    days: int,
    actor: str,
    renewal_of: Certificate | None = None,
) -> tuple[Certificate, asn1_x509.Certificate]:
    serial = C.random_serial()
    cert = C.issue(
        C.CertificateRequest(
            subject,
            key,
            usage,
            now,
            now + dt.timedelta(days=days),
            serial,
            email=holder.email,
            links=links(),
        ),
        ca.name,
        ca.public_key,
        ca.sign,
    )
    der = cert.dump()
    row = Certificate.objects.create(
        serial=serial_hex(serial),
        issuer=ca.record,
        holder=holder,
        usage=usage.value,
        profile=profile,
        subject=dn_text(subject),
        der=der,
        fingerprint=sm3(der).hex(),
        not_before=now,
        not_after=now + dt.timedelta(days=days),
        created_by=actor,
        renewal_of=renewal_of,
    )
    return row, cert


def issue(
    data: HolderInput,
    *,
    csr: bytes | None = None,
    generate_key: bool = False,
    pin: str | None = None,
    dual: bool = False,
    days: int = DEFAULT_HOLDER_DAYS,
    actor: object = None,
    now: dt.datetime | None = None,
    renewal_of: Certificate | None = None,
    public_key: SM2PublicKey | None = None,
    ca: LoadedCA | None = None,
) -> IssuedPair:
    """Issue a signing certificate (and with ``dual`` an encryption certificate).

    The signing key comes from exactly one of: a PKCS#10 ``csr``, ``generate_key`` (made
    here, returned PIN-encrypted), or a known ``public_key`` (renewal).
    """
    validate_holder(data)
    if sum([csr is not None, generate_key, public_key is not None]) != 1:
        raise errors.ValidationError(_("give either a CSR or --generate-key"))
    if pin is not None and len(pin) < 6:
        raise errors.ValidationError(_("the PIN must have at least 6 characters"))
    ca = ca or issuing_ca()
    now = now or timezone.now().replace(microsecond=0)
    actor_name = getattr(actor, "username", None) or str(actor or "")
    private_key = SM2PrivateKey.generate() if generate_key else None
    if private_key is not None:
        public_key = private_key.public_key()
    elif csr is not None:
        public_key = parse_csr(csr).public_key
    assert public_key is not None
    subject = _holder_name(ca, data)
    with transaction.atomic():
        holder = _bind_holder(data, actor)
        signing, _cert = _make(
            ca,
            holder,
            subject,
            public_key,
            Usage.SIGNING,
            data.profile,
            now,
            days,
            actor_name,
            renewal_of,
        )
        encryption = envelope = None
        if dual:
            enc_key = SM2PrivateKey.generate()
            encryption, _enc = _make(
                ca,
                holder,
                subject,
                enc_key.public_key(),
                Usage.ENCRYPTION,
                data.profile,
                now,
                days,
                actor_name,
            )
            envelope = envelop(enc_key, public_key)
            EscrowedKey.objects.create(
                certificate=encryption,
                envelope=envelope,
                wrapped_key=keystore.wrap_key(enc_key, f"escrow:{encryption.serial}"),
            )
            signing.pair = encryption
            signing.save(update_fields=["pair"])
        record(
            "cert.issue",
            actor=actor,
            object_type="certificate",
            object_id=signing.serial,
            details={
                "holder": holder.email,
                "profile": data.profile,
                "dual": dual,
                "encryption_serial": encryption.serial if encryption else None,
                "key_source": "server" if generate_key else "csr",
            },
        )
    key_pem = generated_pin = None
    if private_key is not None:
        if pin is None:
            pin = generated_pin = generate_pin()
        key_pem = private_key_to_pem(private_key, pin.encode())
    return IssuedPair(signing, encryption, key_pem, generated_pin, envelope)


def certificate_pem(cert: Certificate) -> bytes:
    return bytes(pem.armor("CERTIFICATE", bytes(cert.der)))
