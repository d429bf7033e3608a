"""Storage for enrolment invitations: the code only as a hash, the holder's data, state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    PROFILE_CHOICES = [("pc", _("PC (key made in the browser)")), ("mobile", _("Mobile"))]

    code_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    email = models.CharField(_("e-mail"), max_length=254)
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    username = models.CharField(_("account"), max_length=150, blank=True)
    profile = models.CharField(_("profile"), max_length=8, choices=PROFILE_CHOICES, default="pc")
    dual = models.BooleanField(_("encryption certificate too"), default=False)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    certificate_serial = models.CharField(max_length=64, blank=True)
    encryption_serial = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> ({self.profile})"
