"""The life of a contract: deliverable states, acceptance, payments and the guarantee.

Submitting is the provider's act (``ENGAGEMENT_EDIT``); accepting is the client officer's
alone (``DELIVERABLE_ACCEPT``) and records who and when. Every change is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao.accounts.core import Capability
from anbao.audit.services import DENIED, record
from anbao.engagement.core import liabilities as L
from anbao.engagement.models import Deliverable, Engagement, Guarantee, PaymentMilestone
from anbao.engagement.services import parse as P
from anbao.engagement.services.checks import clean_guarantee
from anbao.errors import Conflict, PermissionDenied

S = Deliverable.Status
# Which state each action leads to, and the states it may start from.
TRANSITIONS: dict[str, tuple[str, frozenset[str], Capability]] = {
    "start": (S.IN_PROGRESS, frozenset({S.PLANNED}), Capability.ENGAGEMENT_EDIT),
    "submit": (S.SUBMITTED, frozenset({S.PLANNED, S.IN_PROGRESS}), Capability.ENGAGEMENT_EDIT),
    "accept": (S.ACCEPTED, frozenset({S.SUBMITTED}), Capability.DELIVERABLE_ACCEPT),
    "reject": (S.IN_PROGRESS, frozenset({S.SUBMITTED}), Capability.DELIVERABLE_ACCEPT),
    "reopen": (S.IN_PROGRESS, frozenset({S.ACCEPTED}), Capability.DELIVERABLE_ACCEPT),
}

ACTION_LABELS = {
    "start": gettext_lazy("started"),
    "submit": gettext_lazy("submitted"),
    "accept": gettext_lazy("accepted"),
    "reject": gettext_lazy("sent back"),
    "reopen": gettext_lazy("reopened"),
}


def _require(actor: Any, capability: Capability, request: Any, what: str, obj: Any) -> None:
    if actor is None or not getattr(actor, "can", None) or not actor.can(capability):
        record(
            f"deliverable.{what}",
            actor=actor,
            request=request,
            object_type="deliverable",
            object_id=obj.pk,
            outcome=DENIED,
            details={"capability": capability.value},
        )
        raise PermissionDenied(_("Your role may not do this."))


def transition(
    deliverable: Deliverable,
    action: str,
    *,
    actor: Any,
    request: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Deliverable:
    """Move a deliverable: start, submit, accept, reject (back to work) or reopen.

    ``at`` is when it happened (default now); submission and acceptance record it with the
    actor. Raises ``PermissionDenied`` for the wrong role, ``Conflict`` from a wrong state.
    """
    if action not in TRANSITIONS:
        raise P.invalid(
            "action", _("must be one of: %(choices)s") % {"choices": ", ".join(TRANSITIONS)}
        )
    target, sources, capability = TRANSITIONS[action]
    _require(actor, capability, request, action, deliverable)
    when = at or timezone.now()
    if when > timezone.now():
        raise P.invalid("at", _("cannot be in the future"))
    with transaction.atomic():
        row = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
        if row.status not in sources:
            raise Conflict(
                _("A deliverable that is %(state)s cannot be %(action)s.")
                % {"state": row.get_status_display(), "action": ACTION_LABELS[action]}
            )
        before = row.status
        row.status = target
        if action == "submit":
            row.submitted_at, row.submitted_by = when, actor
        elif action == "accept":
            if row.submitted_at and when < row.submitted_at:
                raise P.invalid("at", _("acceptance cannot precede submission"))
            row.accepted_at, row.accepted_by = when, actor
        elif action in ("reject", "reopen"):
            row.accepted_at, row.accepted_by = None, None
            if action == "reject":
                row.submitted_at, row.submitted_by = None, None
        if note:
            row.note = (row.note + "\n" if row.note else "") + note[:2000]
        row.save()
        record(
            f"deliverable.{action}",
            actor=actor,
            request=request,
            object_type="deliverable",
            object_id=row.pk,
            details={
                "engagement": row.engagement_id,
                "kind": row.kind.code,
                "sequence": row.sequence,
                "from": before,
                "to": target,
            },
        )
    return row


def update_milestone(
    milestone: PaymentMilestone, changes: dict[str, Any], *, actor: Any, request: Any = None
) -> PaymentMilestone:
    """Record an instalment's dates: condition met, invoice, payment (paid in full only)."""
    clean: dict[str, Any] = {}
    for field in ("condition_met_on", "invoice_date", "paid_on", "deadline"):
        if field in changes:
            clean[field] = P.day(changes, field, required=False)
    if "days_after_condition" in changes:
        value = changes.get("days_after_condition")
        clean["days_after_condition"] = (
            None if value in (None, "") else P.integer(changes, "days_after_condition", high=3650)
        )
    for field, limit in (("name", 128), ("condition", 2000)):
        if field in changes:
            clean[field] = P.text(changes, field, max_length=limit)
    if "paid_amount" in changes:
        clean["paid_amount"] = P.money(changes, "paid_amount", required=False)
    paid_on = clean.get("paid_on", milestone.paid_on)
    paid_amount = clean.get("paid_amount", milestone.paid_amount)
    if paid_on is not None and paid_amount is None:
        paid_amount = clean["paid_amount"] = milestone.amount
    if paid_amount is not None and paid_on is None:
        raise P.invalid("paid_on", _("is required when an amount is paid"))
    if paid_amount is not None and L.money(paid_amount) != milestone.amount:
        raise P.invalid(
            "paid_amount",
            _("must equal the instalment (%(amount)s): partial payments are not recorded")
            % {"amount": milestone.amount},
        )
    met = clean.get("condition_met_on", milestone.condition_met_on)
    if paid_on is not None and met is None:
        raise P.invalid("condition_met_on", _("is required before a payment is recorded"))
    today = timezone.localdate()
    for field in ("condition_met_on", "invoice_date", "paid_on"):
        value = clean.get(field)
        if value is not None and value > today:
            raise P.invalid(field, _("cannot be in the future"))
    changed = {k: v for k, v in clean.items() if getattr(milestone, k) != v}
    if not changed:
        return milestone
    with transaction.atomic():
        for field, value in changed.items():
            setattr(milestone, field, value)
        milestone.save()
        record(
            "payment.update",
            actor=actor,
            request=request,
            object_type="payment_milestone",
            object_id=milestone.pk,
            details={k: str(v) for k, v in changed.items()},
        )
    return milestone


def update_guarantee(
    engagement: Engagement, changes: dict[str, Any], *, actor: Any, request: Any = None
) -> Guarantee:
    """Set or change the guarantee: dates received and returned, issuer, reference."""
    existing = Guarantee.objects.filter(engagement=engagement).first()
    fields = (
        "percentage",
        "amount",
        "provide_by",
        "return_by",
        "received_on",
        "returned_on",
        "issuer",
        "reference",
    )
    base = {f: getattr(existing, f) for f in fields} if existing else {}
    if (
        existing
        and "amount" not in changes
        and _differs(changes.get("percentage"), existing.percentage)
    ):
        base.pop("amount", None)  # a new share means a new amount
    base.update(changes)
    clean = clean_guarantee(base, engagement.amount)
    if clean["returned_on"] and not clean["received_on"]:
        raise P.invalid("returned_on", _("a guarantee cannot be returned before it is received"))
    if (
        clean["returned_on"]
        and clean["received_on"]
        and clean["returned_on"] < clean["received_on"]
    ):
        raise P.invalid("returned_on", _("is before the day it was received"))
    for field in ("received_on", "returned_on"):
        if clean[field] and clean[field] > timezone.localdate():
            raise P.invalid(field, _("cannot be in the future"))
    with transaction.atomic():
        if existing is None:
            existing = Guarantee.objects.create(engagement=engagement, **clean)
        else:
            for field, value in clean.items():
                setattr(existing, field, value)
            existing.save()
        record(
            "guarantee.update",
            actor=actor,
            request=request,
            object_type="guarantee",
            object_id=existing.pk,
            details={k: str(v) for k, v in clean.items()},
        )
    return existing


def _differs(given: Any, current: Decimal) -> bool:
    if given in (None, ""):
        return False
    try:
        return Decimal(str(given)) != current
    except InvalidOperation:
        return True


def as_date(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value
