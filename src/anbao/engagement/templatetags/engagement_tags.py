"""Template filters of the engagement pages."""

from __future__ import annotations

from django import template

from anbao.engagement.models import Deliverable

register = template.Library()
_LABELS = dict(Deliverable.Status.choices)


@register.filter
def status_label(value: str) -> str:
    """The translated label of a deliverable state code (``planned`` → 计划中)."""
    return str(_LABELS.get(value, value))
