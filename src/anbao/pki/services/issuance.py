"""Issuing holder certificates: single and dual (signing + escrowed encryption)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import pem
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import Event, record, record_many
from anbao.pki import keystore
from anbao.pki.core import certificates as C
from anbao.pki.core.csr import parse_csr
from anbao.pki.core.envelope import envelop
from anbao.pki.core.names import name_der, name_text
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


def _subject_values(ca_values: dict[str, str], data: HolderInput) -> dict[str, str]:
    """The holder's subject: C and O of the CA, the unit, the name, the e-mail address."""
    return {
        "country_name": ca_values.get("country_name", "CN"),
        "organization_name": ca_values.get("organization_name", ""),
        "organizational_unit_name": data.unit.strip(),
        "common_name": data.name.strip(),
        "email_address": data.email.strip(),
    }


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
                without_password=True,  # an administrator gives a one-time one
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


@dataclass(frozen=True)
class _Subject:
    """A holder's subject, encoded once for both of its certificates."""

    der: bytes
    text: str

    @classmethod
    def of(cls, ca_values: dict[str, str], data: HolderInput) -> _Subject:
        values = _subject_values(ca_values, data)
        return cls(name_der(values), name_text(values))


@dataclass(frozen=True)
class _Issuing:
    """What every certificate of one issuance shares: the CA, the validity, links, actor."""

    ca: LoadedCA
    issuer: bytes  # the DER of the CA's name
    issuer_key: SM2PublicKey
    not_before: dt.datetime
    not_after: dt.datetime
    links: C.Links
    actor: str

    @classmethod
    def start(cls, ca: LoadedCA, now: dt.datetime, days: int, actor: object) -> _Issuing:
        actor_name = getattr(actor, "username", None) or str(actor or "")
        not_after = now + dt.timedelta(days=days)
        issuer = bytes(ca.name.dump())
        return cls(ca, issuer, ca.public_key, now, not_after, links(), actor_name)

    def certificate(
        self,
        holder: Holder,
        subject: _Subject,
        key: SM2PublicKey,
        usage: Usage,
        profile: str,
        renewal_of: Certificate | None = None,
    ) -> Certificate:
        """Sign the certificate; return its row, not yet saved."""
        serial = C.random_serial()
        request = C.CertificateRequest(
            subject.der,
            key,
            usage,
            self.not_before,
            self.not_after,
            serial,
            email=holder.email,
            links=self.links,
        )
        der = C.issue(request, self.issuer, self.issuer_key, self.ca.sign).dump()
        return Certificate(
            serial=serial_hex(serial),
            issuer=self.ca.record,
            holder=holder,
            usage=usage.value,
            profile=profile,
            subject=subject.text,
            der=der,
            fingerprint=sm3(der).hex(),
            not_before=self.not_before,
            not_after=self.not_after,
            created_by=self.actor,
            renewal_of=renewal_of,
        )


def _escrow(
    enc_key: SM2PrivateKey,
    encryption: Certificate,
    recipient: SM2PublicKey,
    wrap_key: Callable[[SM2PrivateKey, str], bytes],
) -> EscrowedKey:
    """The escrow row (not saved): the key under the KEK, and sealed to the signing key."""
    return EscrowedKey(
        certificate=encryption,
        envelope=envelop(enc_key, recipient),
        wrapped_key=wrap_key(enc_key, f"escrow:{encryption.serial}"),
    )


def _issue_details(
    holder: Holder, profile: str, signing: Certificate, encryption: Certificate | None, source: str
) -> dict[str, Any]:
    return {
        "holder": holder.email,
        "profile": profile,
        "dual": encryption is not None,
        "encryption_serial": encryption.serial if encryption else None,
        "key_source": source,
    }


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
    issuing = _Issuing.start(ca, now or timezone.now().replace(microsecond=0), days, actor)
    private_key = SM2PrivateKey.generate() if generate_key else None
    if private_key is not None:
        public_key = private_key.public_key()
    elif csr is not None:
        public_key = parse_csr(csr).public_key
    assert public_key is not None
    subject = _Subject.of(ca.name.native, data)
    with transaction.atomic():
        holder = _bind_holder(data, actor)
        signing = issuing.certificate(
            holder, subject, public_key, Usage.SIGNING, data.profile, renewal_of
        )
        signing.save(force_insert=True)
        encryption = envelope = None
        if dual:
            enc_key = SM2PrivateKey.generate()
            encryption = issuing.certificate(
                holder, subject, enc_key.public_key(), Usage.ENCRYPTION, data.profile
            )
            encryption.save(force_insert=True)
            escrow = _escrow(enc_key, encryption, public_key, keystore.wrap_key)
            escrow.save(force_insert=True)
            envelope = bytes(escrow.envelope)
            signing.pair = encryption
            signing.save(update_fields=["pair"])
        record(
            "cert.issue",
            actor=actor,
            object_type="certificate",
            object_id=signing.serial,
            details=_issue_details(
                holder, data.profile, signing, encryption, "server" if generate_key else "csr"
            ),
        )
    key_pem = generated_pin = None
    if private_key is not None:
        if pin is None:
            pin = generated_pin = generate_pin()
        key_pem = private_key_to_pem(private_key, pin.encode())
    return IssuedPair(signing, encryption, key_pem, generated_pin, envelope)


@dataclass(frozen=True)
class BulkEntry:
    """One holder for :func:`issue_many`, with the public key of its signing certificate."""

    data: HolderInput
    public_key: SM2PublicKey
    key_source: str = "csr"  # "server": anbao made the key and hands it out as a key file


def _existing_holders(emails: list[str]) -> dict[str, Holder]:
    """The stored holder for each of ``emails`` that has one, as ``email__iexact`` finds it.

    ``email__iexact`` lets the database upper-case both sides (SQLite folds ASCII letters
    only). For an ASCII address Python's upper-casing is the database's, so one query per
    500 addresses finds them all; any other address is looked up alone, with
    ``email__iexact`` itself. Of two matches the first in the model's order wins, as
    ``.first()`` picks in ``_bind_holder``.
    """
    found: dict[str, Holder] = {}
    plain = [e for e in emails if e.isascii()]
    for start in range(0, len(plain), 500):
        wanted: dict[str, list[str]] = {}
        for email in plain[start : start + 500]:
            wanted.setdefault(email.upper(), []).append(email)
        query = Holder.objects.annotate(folded=Upper("email")).filter(folded__in=list(wanted))
        for holder in query:
            for email in wanted.get(holder.folded, ()):
                found.setdefault(email, holder)
    for email in emails:
        if not email.isascii():
            holder = Holder.objects.filter(email__iexact=email).first()
            if holder is not None:
                found[email] = holder
    return found


def _bind_holders(inputs: list[HolderInput], actor: object) -> list[Holder]:
    """``_bind_holder`` for many: one query for the holders, one insert for the new ones.

    A row with a user name still goes through ``_bind_holder``, which creates the account.
    """
    existing = _existing_holders([d.email.strip() for d in inputs if not d.username])
    holders: list[Holder | None] = []
    new: list[Holder] = []
    for data in inputs:
        holder = None if data.username else existing.get(data.email.strip())
        if holder is not None and holder.name != data.name.strip():
            raise errors.Conflict(
                _("the e-mail %(e)s belongs to the holder %(n)s")
                % {"e": data.email, "n": holder.name},
                code="duplicate_holder",
            )
        if holder is None and not data.username:
            holder = Holder(
                name=data.name.strip(),
                email=data.email.strip(),
                unit=data.unit.strip(),
                phone=data.phone.strip(),
            )
            new.append(holder)
        holders.append(holder)
    _insert(Holder, new, "email")
    return [
        h if h is not None else _bind_holder(d, actor) for h, d in zip(holders, inputs, strict=True)
    ]


def _insert(model: Any, rows: list[Any], unique: str) -> None:
    """Bulk-insert ``rows``; read their keys back by a unique field if the database did not."""
    model.objects.bulk_create(rows)
    missing = {getattr(r, unique): r for r in rows if r.pk is None}
    values = list(missing)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        query = model.objects.filter(**{f"{unique}__in": chunk}).values_list(unique, "pk")
        for value, pk in query:
            missing[value].pk = pk


def issue_many(
    entries: Sequence[BulkEntry],
    *,
    dual: bool,
    actor: object = None,
    ca: LoadedCA | None = None,
    now: dt.datetime | None = None,
    days: int = DEFAULT_HOLDER_DAYS,
    progress: Callable[[int, int], None] | None = None,
) -> list[IssuedPair]:
    """:func:`issue` for many holders at once, all or nothing.

    The certificates, rows and audit records are those :func:`issue` writes for each holder
    (one ``cert.issue`` record per holder, naming both certificates); they are made in
    memory and stored with a handful of bulk inserts in one transaction, the KEK read once.
    ``progress(done, total)`` is called after each holder and may raise to stop: then
    nothing is kept.
    """
    seen: set[str] = set()
    for entry in entries:
        validate_holder(entry.data)
        email = entry.data.email.strip().lower()
        if email in seen:
            raise errors.ValidationError(
                _("the e-mail %(e)s appears twice") % {"e": entry.data.email},
                code="duplicate_holder",
            )
        seen.add(email)
    ca = ca or issuing_ca()
    issuing = _Issuing.start(ca, now or timezone.now().replace(microsecond=0), days, actor)
    ca_values = ca.name.native
    issued: list[IssuedPair] = []
    escrows: list[EscrowedKey] = []
    events: list[Event] = []
    with transaction.atomic():
        wrap_key = keystore.key_wrapper()
        holders = _bind_holders([e.data for e in entries], actor)
        for index, (entry, holder) in enumerate(zip(entries, holders, strict=True), start=1):
            data, subject = entry.data, _Subject.of(ca_values, entry.data)
            signing = issuing.certificate(
                holder, subject, entry.public_key, Usage.SIGNING, data.profile
            )
            encryption = envelope = None
            if dual:
                enc_key = SM2PrivateKey.generate()
                encryption = issuing.certificate(
                    holder, subject, enc_key.public_key(), Usage.ENCRYPTION, data.profile
                )
                escrows.append(_escrow(enc_key, encryption, entry.public_key, wrap_key))
                envelope = bytes(escrows[-1].envelope)
                signing.pair = encryption
            issued.append(IssuedPair(signing, encryption, None, None, envelope))
            details = _issue_details(holder, data.profile, signing, encryption, entry.key_source)
            events.append(
                Event(
                    "cert.issue",
                    actor=actor,
                    object_type="certificate",
                    object_id=signing.serial,
                    details=details,
                )
            )
            if progress:
                progress(index, len(entries))
        # The encryption certificates first: each signing certificate's pair points to one.
        _insert(Certificate, [p.encryption for p in issued if p.encryption], "serial")
        _insert(Certificate, [p.signing for p in issued], "serial")
        EscrowedKey.objects.bulk_create(escrows)
        record_many(events)
    return issued


def certificate_pem(cert: Certificate) -> bytes:
    return bytes(pem.armor("CERTIFICATE", bytes(cert.der)))
