"""In-app notifications; e-mail copies go through Django's mail backend."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    INFO, WARNING, ALERT = "info", "warning", "alert"
    LEVELS = [(INFO, _("information")), (WARNING, _("warning")), (ALERT, _("alert"))]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    level = models.CharField(_("level"), max_length=8, choices=LEVELS, default=INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    topic = models.CharField(max_length=100, blank=True, db_index=True)  # de-duplication key
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=~models.Q(topic=""),
                name="one_notification_per_topic",
            )
        ]

    def __str__(self) -> str:
        return self.title
