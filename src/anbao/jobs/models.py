"""The job table: the single source of truth for a job's state, progress, result and log.

Both backends (in-process threads and Celery workers) read and write only this row, so a
page, the API and the CLI see the same thing wherever the job runs.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anbao.jobs.core import State

STATE_LABELS = {
    State.QUEUED: _("queued"),
    State.RUNNING: _("running"),
    State.SUCCEEDED: _("succeeded"),
    State.FAILED: _("failed"),
    State.CANCELLED: _("cancelled"),
}
STATE_CHOICES = [(state.value, label) for state, label in STATE_LABELS.items()]
# Classes of anbao.css that colour a state (the poller in static/jobs uses the same map).
STATE_CSS = {State.SUCCEEDED: "ok", State.FAILED: "bad", State.CANCELLED: "warn"}


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=STATE_CHOICES, default=State.QUEUED.value, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    log = models.TextField(_("log"), blank=True)
    error = models.TextField(_("error"), blank=True)
    backend = models.CharField(_("backend"), max_length=16, blank=True)
    schedule = models.CharField(_("schedule"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    # The name at submission time: stays when the account is removed, and names non-person
    # submitters ("cli", "scheduler").
    submitted_by = models.CharField(_("submitted by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(State(self.state), self.state))

    @property
    def state_css(self) -> str:
        return STATE_CSS.get(State(self.state), "")

    @property
    def is_finished(self) -> bool:
        return State(self.state) not in (State.QUEUED, State.RUNNING)

    @property
    def actor_name(self) -> str:
        """Who submitted the job: a user name, or ``cli``, ``scheduler``, ``system``."""
        if self.created_by is not None:
            return str(self.created_by.get_username())
        return self.submitted_by or ("scheduler" if self.schedule else "system")
