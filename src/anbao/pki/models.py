"""Storage of the certificate authority: CAs, holders, certificates, escrowed keys, CRLs.

Private keys are stored only wrapped (SM4-GCM) under the key-encryption key in the data dir
(``anbao.pki.keystore``); serials are hex strings because they exceed 64 bits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anbao.pki.core.profiles import Profile, Usage


class CertificateAuthority(models.Model):
    ROOT, ISSUING = "root", "issuing"
    ROLE_CHOICES = [(ROOT, _("root CA")), (ISSUING, _("issuing CA"))]

    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES, unique=True)
    subject = models.CharField(_("subject"), max_length=512)
    serial = models.CharField(_("serial"), max_length=40, unique=True)
    certificate = models.BinaryField(_("certificate (DER)"))
    wrapped_key = models.BinaryField()  # never shown, never logged
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    crl_number = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate authority")

    def __str__(self) -> str:
        return self.subject


class Holder(models.Model):
    """A person who holds certificates (doctor, community health worker, administrator)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holder",
    )
    name = models.CharField(_("name"), max_length=64)
    email = models.EmailField(_("e-mail"), unique=True)
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "email"]
        verbose_name = _("certificate holder")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Certificate(models.Model):
    VALID, REVOKED = "valid", "revoked"
    STATUS_CHOICES = [(VALID, _("valid")), (REVOKED, _("revoked"))]
    USAGE_CHOICES = [(u.value, u.value) for u in Usage]
    PROFILE_CHOICES = [(Profile.PC.value, "PC"), (Profile.MOBILE.value, _("mobile"))]

    serial = models.CharField(_("serial"), max_length=40, unique=True)  # upper-case hex
    issuer = models.ForeignKey(
        CertificateAuthority, on_delete=models.PROTECT, related_name="issued"
    )
    holder = models.ForeignKey(
        Holder, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    usage = models.CharField(_("usage"), max_length=16, choices=USAGE_CHOICES)
    profile = models.CharField(_("profile"), max_length=8, choices=PROFILE_CHOICES, blank=True)
    subject = models.CharField(_("subject"), max_length=512)
    der = models.BinaryField()
    fingerprint = models.CharField(_("SM3 fingerprint"), max_length=64, db_index=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=STATUS_CHOICES, default=VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=32, blank=True)
    pair = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="paired_with"
    )
    renewal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate")
        indexes = [models.Index(fields=["status", "not_after"])]

    def __str__(self) -> str:
        return f"{self.serial} {self.subject}"


class EscrowedKey(models.Model):
    """The CA-generated private key of an encryption certificate, kept for key recovery."""

    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="escrow")
    wrapped_key = models.BinaryField()
    envelope = models.BinaryField()  # GM/T 0009 SM2EnvelopedKey for the holder
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"escrow of {self.certificate_id}"


class RevocationList(models.Model):
    issuer = models.ForeignKey(CertificateAuthority, on_delete=models.PROTECT)
    number = models.PositiveBigIntegerField()
    this_update = models.DateTimeField()
    next_update = models.DateTimeField()
    der = models.BinaryField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="unique_crl_number")
        ]

    def __str__(self) -> str:
        return f"CRL {self.number}"


class ServiceKey(models.Model):
    """A key the server holds to sign for an application (签名服务), with its certificate."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="service_key"
    )
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
