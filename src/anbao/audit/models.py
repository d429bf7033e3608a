"""The append-only audit log and its chain head."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from anbao.audit.core import CHAINED_FIELDS


class AppendOnlyError(Exception):
    pass


class AuditRecord(models.Model):
    """One security-relevant event. Never updated, never deleted within retention."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    timestamp = models.CharField(_("time"), max_length=32, db_index=True)  # ISO 8601 UTC
    actor = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    source_ip = models.CharField(_("source address"), max_length=64, blank=True)
    action = models.CharField(_("event"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16)
    details = models.JSONField(_("details"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit records cannot be deleted")

    def chained(self) -> dict[str, Any]:
        """The chained fields and the chain links, as ``anbao.audit.core`` reads them."""
        return {name: getattr(self, name) for name in (*CHAINED_FIELDS, "prev_hash", "hash")}


class AuditHead(models.Model):
    """The single row that serialises appends and remembers where retention cut the chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at {self.last_seq}"
