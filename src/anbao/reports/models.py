"""Rendered report files: where each one is stored, its version and its SM3 digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportFile(models.Model):
    """One rendered file of one report kind for one engagement.

    ``version`` counts renders of the same kind for the same engagement (both formats share
    the sequence); ``path`` is relative to ``settings.REPORTS_DIR``; ``sm3`` is the hex SM3
    digest of the file as written, checked again before the file is served.
    """

    class Format(models.TextChoices):
        DOCX = "docx", "Word (.docx)"
        PDF = "pdf", "PDF"

    kind = models.CharField(_("report kind"), max_length=32)
    engagement = models.ForeignKey(
        "engagement.Engagement",
        on_delete=models.PROTECT,
        related_name="report_files",
        verbose_name=_("engagement"),
    )
    deliverable = models.ForeignKey(
        "engagement.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_files",
        verbose_name=_("deliverable"),
    )
    version = models.PositiveIntegerField(_("version"))
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    document_number = models.CharField(_("document number"), max_length=80)
    title = models.CharField(_("title"), max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "engagement", "version"], name="reportfile_kind_engagement_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_number}.{self.format}"

    @property
    def filename(self) -> str:
        return f"{self.document_number}.{self.format}"
