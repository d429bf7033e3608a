"""Creating and editing a contract, and loading the sample one from its YAML data file.

A contract arrives as one dict in the shape of ``data/sample_contract.yaml`` (the API and
the forms build the same shape). Everything is checked before anything is written, and the
whole contract is written in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django import db
from django.db import transaction
from django.utils.translation import gettext as _

from anbao.audit.services import record
from anbao.engagement import core
from anbao.engagement.core import liabilities as L
from anbao.engagement.core.schedule import Cadence, expected_count
from anbao.engagement.models import (
    Deliverable,
    DeliverableKind,
    Engagement,
    Guarantee,
    Party,
    PaymentMilestone,
    ServiceItem,
)
from anbao.engagement.services import parse as P
from anbao.engagement.services.checks import (
    LIABILITY_DEFAULTS,
    clean_contract,
    clean_header,
    clean_kind,
    clean_liabilities,
    clean_party,
    clean_service_item,
)
from anbao.errors import Conflict

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "sample_contract.yaml"
EDITABLE_FIELDS = (
    "name",
    "title",
    "status",
    "signing_place",
    "signed_on",
    "start_date",
    "end_date",
    "amount",
    "notes",
    "final_accepted_on",
)


def load_sample_data() -> dict[str, Any]:
    with SAMPLE_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def standard_deliverable_kinds() -> list[dict[str, Any]]:
    """The 11 kinds of 第七条, as the sample lists them (for a new contract's defaults)."""
    return [dict(k, service_item=None) for k in load_sample_data()["deliverable_kinds"]]


def load_sample(actor: Any = None) -> Engagement:
    """Load the seed contract as the sample engagement; a second call returns the same one.

    Keyed by the contract's registration number (``JBS202232``): if an engagement with that
    code exists it is returned untouched.
    """
    data = load_sample_data()
    existing = Engagement.objects.filter(code=data["code"]).first()
    if existing is not None:
        return existing
    data["source"] = "shared/seeds/000_0bd7e0368de6f1e2.txt"
    try:
        return create_engagement(data, actor=actor)
    except Conflict:
        # Another process loaded it between our look and our write.
        return Engagement.objects.get(code=data["code"])


# ---- writing -----------------------------------------------------------------------------


def _none_if_negative(value: int) -> int | None:
    return None if value < 0 else value


def write_schedule(engagement: Engagement, kind: DeliverableKind) -> None:
    """Create or re-date the deliverables of ``kind`` from the contract period."""
    planned = core.schedule(
        Cadence(kind.cadence),
        engagement.start_date,
        engagement.end_date,
        count=kind.required_count,
        offset_working_days=kind.offset_working_days,
        acceptance_working_days=engagement.acceptance_window_working_days,
    )
    existing = {d.sequence: d for d in kind.deliverables.all()}
    for item in planned:
        row = existing.pop(item.sequence, None) or Deliverable(
            engagement=engagement, kind=kind, sequence=item.sequence
        )
        row.period_start, row.period_end = item.period.start, item.period.end
        row.due_date = item.due_date
        row.save()
    for extra in existing.values():
        if extra.status != Deliverable.Status.PLANNED:
            raise Conflict(
                _("%(name)s has been worked on and cannot be removed.") % {"name": str(extra)}
            )
        extra.delete()


def add_kind(engagement: Engagement, clean: dict[str, Any]) -> DeliverableKind:
    item_code = clean.pop("service_item", None)
    item = engagement.service_items.filter(code=item_code).first() if item_code else None
    if engagement.deliverable_kinds.filter(code=clean["code"]).exists():
        raise Conflict(_("A deliverable kind with this code exists already."))
    kind = DeliverableKind.objects.create(engagement=engagement, service_item=item, **clean)
    write_schedule(engagement, kind)
    return kind


def create_engagement(
    data: dict[str, Any], *, actor: Any = None, request: Any = None
) -> Engagement:
    """Check and store a whole contract with its schedule; audited as ``engagement.create``."""
    clean = clean_contract(data)
    if Engagement.objects.filter(code=clean["code"]).exists():
        raise Conflict(
            _("An engagement with registration number %(code)s exists already.")
            % {"code": clean["code"]},
            field="code",
        )
    parts = {
        k: clean.pop(k)
        for k in (
            "parties",
            "service_items",
            "deliverable_kinds",
            "payment_milestones",
            "guarantee",
        )
    }
    try:
        with transaction.atomic():
            engagement = _write_contract(clean, parts)
            record(
                "engagement.create",
                actor=actor,
                request=request,
                object_type="engagement",
                object_id=engagement.pk,
                details={"code": engagement.code, "amount": str(engagement.amount)},
            )
    except db.IntegrityError:
        raise Conflict(
            _("An engagement with registration number %(code)s exists already.")
            % {"code": clean["code"]},
            field="code",
        ) from None
    return engagement


def _write_contract(clean: dict[str, Any], parts: dict[str, Any]) -> Engagement:
    engagement = Engagement.objects.create(**clean)
    for party in parts["parties"]:
        Party.objects.create(engagement=engagement, **party)
    for item in parts["service_items"]:
        ServiceItem.objects.create(engagement=engagement, **item)
    for kind in parts["deliverable_kinds"]:
        add_kind(engagement, kind)
    for m in parts["payment_milestones"]:
        m["days_after_condition"] = _none_if_negative(m["days_after_condition"])
        PaymentMilestone.objects.create(engagement=engagement, **m)
    if parts["guarantee"]:
        Guarantee.objects.create(engagement=engagement, **parts["guarantee"])
    return engagement


def update_engagement(
    engagement: Engagement, changes: dict[str, Any], *, actor: Any = None, request: Any = None
) -> Engagement:
    """Change the header and the liability terms; re-date the schedule when the period moves.

    A new amount re-computes the instalments and the guarantee, unless one is already paid.
    """
    current = {f: getattr(engagement, f) for f in EDITABLE_FIELDS}
    current["code"] = engagement.code
    current.update({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    clean = clean_header(current)
    terms_in = {
        f: getattr(engagement, f)
        for f in (
            *LIABILITY_DEFAULTS,
            "termination_grace_days",
            "confidentiality_penalty",
            "confidentiality_years",
            "acceptance_window_working_days",
            "acceptance_review_working_days",
        )
    }
    terms_in.update(
        {k: v for k, v in (changes.get("liabilities") or changes).items() if k in terms_in}
    )
    clean.update(clean_liabilities(terms_in))
    clean.pop("code")
    clean.pop("currency")
    clean.pop("source")
    changed = {k: v for k, v in clean.items() if getattr(engagement, k) != v}
    if not changed:
        return engagement
    with transaction.atomic():
        for field, value in changed.items():
            setattr(engagement, field, value)
        engagement.save()
        if {"start_date", "end_date", "acceptance_window_working_days"} & changed.keys():
            _redate(engagement)
        if "amount" in changed:
            _reprice(engagement)
        record(
            "engagement.update",
            actor=actor,
            request=request,
            object_type="engagement",
            object_id=engagement.pk,
            details={k: str(v) for k, v in changed.items() if k != "notes"},
        )
    return engagement


def _redate(engagement: Engagement) -> None:
    for kind in engagement.deliverable_kinds.all():
        expected = expected_count(Cadence(kind.cadence), engagement.start_date, engagement.end_date)
        if expected is not None and expected != kind.required_count:
            if (
                kind.deliverables.exclude(status=Deliverable.Status.PLANNED)
                .filter(sequence__gt=expected)
                .exists()
            ):
                raise Conflict(
                    _("The new period drops %(name)s that has been worked on.")
                    % {"name": kind.name}
                )
            kind.required_count = expected
            kind.save(update_fields=["required_count"])
        write_schedule(engagement, kind)


def _reprice(engagement: Engagement) -> None:
    milestones = list(engagement.payment_milestones.all())
    if any(m.paid_on for m in milestones):
        raise Conflict(_("An instalment has been paid; the contract amount cannot change."))
    for m in milestones:
        m.amount = L.share(engagement.amount, m.percentage)
        m.save(update_fields=["amount"])
    guarantee = Guarantee.objects.filter(engagement=engagement).first()
    if guarantee is not None:
        guarantee.amount = L.share(engagement.amount, guarantee.percentage)
        guarantee.save(update_fields=["amount"])


def save_party(
    engagement: Engagement, data: dict[str, Any], *, actor: Any = None, request: Any = None
) -> Party:
    """Create or replace the client or provider of ``engagement`` (by ``role``)."""
    clean = clean_party(data)
    with transaction.atomic():
        party, created = Party.objects.update_or_create(
            engagement=engagement, role=clean.pop("role"), defaults=clean
        )
        record(
            "party.create" if created else "party.update",
            actor=actor,
            request=request,
            object_type="party",
            object_id=party.pk,
            details={"engagement": engagement.pk, "role": party.role, "name": party.name},
        )
    return party


def save_service_item(
    engagement: Engagement,
    data: dict[str, Any],
    *,
    item: ServiceItem | None = None,
    actor: Any = None,
    request: Any = None,
) -> ServiceItem:
    """Add a service item (``item`` None) or change one; codes are unique per contract."""
    number = item.number if item else (engagement.service_items.count() + 1)
    clean = clean_service_item(data, number)
    clash = engagement.service_items.filter(code=clean["code"])
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise Conflict(_("A service item with this code exists already."), field="code")
    with transaction.atomic():
        if item is None:
            item = ServiceItem.objects.create(engagement=engagement, **clean)
        else:
            for field, value in clean.items():
                setattr(item, field, value)
            item.save()
        record(
            "service_item.save",
            actor=actor,
            request=request,
            object_type="service_item",
            object_id=item.pk,
            details={"engagement": engagement.pk, "code": item.code},
        )
    return item


def create_kind(
    engagement: Engagement, data: dict[str, Any], *, actor: Any = None, request: Any = None
) -> DeliverableKind:
    """Add a deliverable kind and schedule its deliverables over the contract period."""
    order = engagement.deliverable_kinds.count() + 1
    clean = clean_kind(data, engagement.start_date, engagement.end_date, order)
    item = clean.get("service_item")
    if item is not None and not isinstance(item, str):
        clean["service_item"] = getattr(item, "code", None)
    if (
        clean["service_item"]
        and not engagement.service_items.filter(code=clean["service_item"]).exists()
    ):
        raise P.invalid(
            "service_item", _("unknown service item %(code)s") % {"code": clean["service_item"]}
        )
    with transaction.atomic():
        kind = add_kind(engagement, clean)
        record(
            "deliverable_kind.create",
            actor=actor,
            request=request,
            object_type="deliverable_kind",
            object_id=kind.pk,
            details={"engagement": engagement.pk, "code": kind.code, "count": kind.required_count},
        )
    return kind


def delete_kind(kind: DeliverableKind, *, actor: Any = None, request: Any = None) -> None:
    """Remove a kind whose deliverables are all still planned."""
    if kind.deliverables.exclude(status=Deliverable.Status.PLANNED).exists():
        raise Conflict(
            _("%(name)s has deliverables in work and cannot be removed.") % {"name": kind.name}
        )
    with transaction.atomic():
        record(
            "deliverable_kind.delete",
            actor=actor,
            request=request,
            object_type="deliverable_kind",
            object_id=kind.pk,
            details={"engagement": kind.engagement_id, "code": kind.code},
        )
        kind.delete()


def delete_engagement(engagement: Engagement, *, actor: Any = None, request: Any = None) -> None:
    """Delete a contract nobody has worked on: no deliverable started, nothing paid."""
    worked = engagement.deliverables.exclude(status=Deliverable.Status.PLANNED).exists()
    paid = engagement.payment_milestones.filter(paid_on__isnull=False).exists()
    logged = engagement.work_log.exists() or engagement.maintenance_records.exists()
    reports = getattr(engagement, "report_files", None)
    if worked or paid or logged or (reports is not None and reports.exists()):
        raise Conflict(
            _(
                "This engagement has recorded work, payments or reports and cannot "
                "be deleted; set its status to terminated instead."
            )
        )
    with transaction.atomic():
        record(
            "engagement.delete",
            actor=actor,
            request=request,
            object_type="engagement",
            object_id=engagement.pk,
            details={"code": engagement.code},
        )
        engagement.delete()
