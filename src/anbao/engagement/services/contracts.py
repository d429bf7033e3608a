"""Creating and editing a contract, and loading the sample one from its YAML data file.

A contract arrives as one dict in the shape of ``data/sample_contract.yaml`` (the API and
the forms build the same shape). Everything is checked before anything is written, and the
whole contract is written in one transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from anbao.audit.services import record
from anbao.engagement import core
from anbao.engagement.core import liabilities as L
from anbao.engagement.core.schedule import DEFAULT_OFFSETS, Cadence, expected_count
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
from anbao.errors import Conflict, ValidationError

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "sample_contract.yaml"
CADENCES = [c.value for c in Cadence]
LIABILITY_DEFAULTS: dict[str, Decimal] = {
    "late_payment_rate": Decimal("0.001"),
    "late_guarantee_rate": Decimal("0.001"),
    "late_deliverable_rate": Decimal("0.001"),
    "termination_penalty_rate": Decimal("0.10"),
}
EDITABLE_FIELDS = ("name", "title", "status", "signing_place", "signed_on", "start_date",
                   "end_date", "amount", "notes", "final_accepted_on")


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
    return create_engagement(data, actor=actor)


# ---- checking ------------------------------------------------------------------------------

def _clean_header(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "code": P.text(data, "code", max_length=64),
        "name": P.text(data, "name"),
        "title": P.text(data, "title", required=False, max_length=128),
        "status": P.choice(data, "status", [s.value for s in Engagement.Status],
                           Engagement.Status.ACTIVE),
        "signing_place": P.text(data, "signing_place", required=False, max_length=64),
        "signed_on": P.day(data, "signed_on", required=False),
        "start_date": P.day(data, "start_date"),
        "end_date": P.day(data, "end_date"),
        "amount": P.money(data, "amount"),
        "currency": P.text(data, "currency", required=False, max_length=3, default="CNY")
        or "CNY",
        "source": P.text(data, "source", required=False),
        "notes": P.text(data, "notes", required=False, max_length=10000),
        "final_accepted_on": P.day(data, "final_accepted_on", required=False),
    }
    _check_period(clean["start_date"], clean["end_date"])
    return clean


def _check_period(start: date, end: date) -> None:
    if end <= start:
        raise P.invalid("end_date", _("must be after the start date"))
    if (end - start).days > 366 * 5:
        raise P.invalid("end_date", _("the period may not exceed five years"))


def _clean_liabilities(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        name: P.rate(data, name, default) for name, default in LIABILITY_DEFAULTS.items()
    }
    clean["termination_grace_days"] = P.integer(data, "termination_grace_days", default=5,
                                                high=365)
    clean["confidentiality_penalty"] = P.money(
        {"confidentiality_penalty": data.get("confidentiality_penalty", "100000")},
        "confidentiality_penalty", positive=False)
    clean["confidentiality_years"] = P.integer(data, "confidentiality_years", default=5,
                                               high=100)
    clean["acceptance_window_working_days"] = P.integer(
        data, "acceptance_window_working_days", default=30, high=250)
    clean["acceptance_review_working_days"] = P.integer(
        data, "acceptance_review_working_days", default=5, high=250)
    return clean


def clean_party(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": P.choice(data, "role", [r.value for r in Party.Role]),
        "name": P.text(data, "name"),
        "legal_representative": P.text(data, "legal_representative", required=False,
                                       max_length=64),
        "address": P.text(data, "address", required=False),
        "phone": P.text(data, "phone", required=False, max_length=32),
        "fax": P.text(data, "fax", required=False, max_length=32),
        "bank": P.text(data, "bank", required=False, max_length=128),
        "bank_account": P.text(data, "bank_account", required=False, max_length=64),
    }


def clean_service_item(data: dict[str, Any], number: int) -> dict[str, Any]:
    return {
        "number": P.integer(data, "number", default=number, low=1, high=999),
        "code": _slug(P.text(data, "code", max_length=64), "code"),
        "name": P.text(data, "name"),
        "category": P.choice(data, "category", [c.value for c in ServiceItem.Category]),
        "quantity": P.integer(data, "quantity", low=1, high=10**9),
        "unit": P.text(data, "unit", max_length=16),
        "quantity_text": P.text(data, "quantity_text", required=False, max_length=32),
        "cadence": P.text(data, "cadence", required=False, max_length=16),
        "requirement": P.text(data, "requirement", required=False, max_length=10000),
    }


def clean_kind(data: dict[str, Any], start: date, end: date, order: int) -> dict[str, Any]:
    cadence = Cadence(P.choice(data, "cadence", CADENCES))
    count = P.integer(data, "count", default=data.get("required_count"), low=1, high=366)
    expected = expected_count(cadence, start, end)
    if expected is not None and count != expected:
        raise P.invalid("count", _("a %(cadence)s deliverable over this period needs "
                                   "%(expected)d copies, not %(count)d")
                        % {"cadence": cadence.value, "expected": expected, "count": count})
    return {
        "code": _slug(P.text(data, "code", max_length=64), "code"),
        "name": P.text(data, "name", max_length=128),
        "required_count": count,
        "cadence": cadence.value,
        "offset_working_days": P.integer(data, "offset_working_days",
                                         default=DEFAULT_OFFSETS[cadence],
                                         low=-250, high=250),
        "order": P.integer(data, "order", default=order, high=10000),
        "service_item": data.get("service_item") or None,
    }


def clean_milestone(data: dict[str, Any], amount: Decimal, sequence: int) -> dict[str, Any]:
    percentage = P.rate(data, "percentage", Decimal(-1), upper=Decimal(100))
    if percentage <= 0:
        raise P.invalid("percentage", _("is required and must be above zero"))
    computed = L.share(amount, percentage)
    given = P.money(data, "amount", required=False)
    if given is not None and L.money(given) != computed:
        raise P.invalid("amount", _("%(given)s does not equal %(pct)s %% of the contract "
                                    "amount (%(computed)s)")
                        % {"given": given, "pct": percentage, "computed": computed})
    return {
        "sequence": P.integer(data, "sequence", default=sequence, low=1, high=99),
        "name": P.text(data, "name", max_length=128),
        "percentage": percentage,
        "amount": computed,
        "condition": P.text(data, "condition", max_length=2000),
        "days_after_condition": P.integer(data, "days_after_condition", default=-1,
                                          low=-1, high=3650),
        "deadline": P.day(data, "deadline", required=False),
        "condition_met_on": P.day(data, "condition_met_on", required=False),
        "invoice_date": P.day(data, "invoice_date", required=False),
    }


def clean_guarantee(data: dict[str, Any], amount: Decimal) -> dict[str, Any]:
    percentage = P.rate(data, "percentage", Decimal(-1), upper=Decimal(100))
    if percentage <= 0:
        raise P.invalid("guarantee.percentage", _("is required and must be above zero"))
    computed = L.share(amount, percentage)
    given = P.money(data, "amount", required=False)
    if given is not None and L.money(given) < computed:
        raise P.invalid("guarantee.amount", _("may not be less than %(pct)s %% of the "
                                              "contract amount (%(computed)s)")
                        % {"pct": percentage, "computed": computed})
    return {
        "percentage": percentage,
        "amount": L.money(given) if given is not None else computed,
        "provide_by": P.day(data, "provide_by", required=False),
        "return_by": P.day(data, "return_by", required=False),
        "received_on": P.day(data, "received_on", required=False),
        "returned_on": P.day(data, "returned_on", required=False),
        "issuer": P.text(data, "issuer", required=False, max_length=128),
        "reference": P.text(data, "reference", required=False, max_length=64),
    }


def _slug(value: str, field: str) -> str:
    if not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        raise P.invalid(field, _("may contain only letters, digits, '-' and '_'"))
    return value


def _unique(values: list[Any], field: str) -> None:
    if len(set(values)) != len(values):
        raise P.invalid(field, _("has duplicates"))


def clean_contract(data: dict[str, Any]) -> dict[str, Any]:
    """Every part of a new contract, checked; raises ``ValidationError`` on the first fault."""
    if not isinstance(data, dict):
        raise ValidationError(_("A contract must be an object."))
    clean = _clean_header(data)
    clean.update(_clean_liabilities(data.get("liabilities") or data))
    start, end, amount = clean["start_date"], clean["end_date"], clean["amount"]
    clean["parties"] = [clean_party(p) for p in P.items(data, "parties")]
    _unique([p["role"] for p in clean["parties"]], "parties")
    clean["service_items"] = [clean_service_item(x, n)
                              for n, x in enumerate(P.items(data, "service_items"), 1)]
    _unique([x["code"] for x in clean["service_items"]], "service_items")
    clean["deliverable_kinds"] = [clean_kind(k, start, end, n)
                                  for n, k in enumerate(P.items(data, "deliverable_kinds"), 1)]
    _unique([k["code"] for k in clean["deliverable_kinds"]], "deliverable_kinds")
    item_codes = {x["code"] for x in clean["service_items"]}
    for kind in clean["deliverable_kinds"]:
        if kind["service_item"] and kind["service_item"] not in item_codes:
            raise P.invalid("service_item", _("unknown service item %(code)s")
                            % {"code": kind["service_item"]})
    milestones = P.items(data, "payment_milestones")
    clean["payment_milestones"] = [clean_milestone(m, amount, n)
                                   for n, m in enumerate(milestones, 1)]
    if milestones:
        try:
            L.check_shares([m["percentage"] for m in clean["payment_milestones"]])
        except ValueError:
            raise P.invalid("payment_milestones",
                            _("the percentages must add up to 100")) from None
    _unique([m["sequence"] for m in clean["payment_milestones"]], "payment_milestones")
    guarantee = data.get("guarantee")
    if guarantee is not None and not isinstance(guarantee, dict):
        raise P.invalid("guarantee", _("must be an object"))
    clean["guarantee"] = clean_guarantee(guarantee, amount) if guarantee else None
    return clean


# ---- writing -----------------------------------------------------------------------------

def _none_if_negative(value: int) -> int | None:
    return None if value < 0 else value


def write_schedule(engagement: Engagement, kind: DeliverableKind) -> None:
    """Create or re-date the deliverables of ``kind`` from the contract period."""
    planned = core.schedule(
        Cadence(kind.cadence), engagement.start_date, engagement.end_date,
        count=kind.required_count, offset_working_days=kind.offset_working_days,
        acceptance_working_days=engagement.acceptance_window_working_days)
    existing = {d.sequence: d for d in kind.deliverables.all()}
    for item in planned:
        row = existing.pop(item.sequence, None) or Deliverable(
            engagement=engagement, kind=kind, sequence=item.sequence)
        row.period_start, row.period_end = item.period.start, item.period.end
        row.due_date = item.due_date
        row.save()
    for extra in existing.values():
        if extra.status != Deliverable.Status.PLANNED:
            raise Conflict(_("%(name)s has been worked on and cannot be removed.")
                           % {"name": str(extra)})
        extra.delete()


def add_kind(engagement: Engagement, clean: dict[str, Any]) -> DeliverableKind:
    item_code = clean.pop("service_item", None)
    item = engagement.service_items.filter(code=item_code).first() if item_code else None
    if engagement.deliverable_kinds.filter(code=clean["code"]).exists():
        raise Conflict(_("A deliverable kind with this code exists already."))
    kind = DeliverableKind.objects.create(engagement=engagement, service_item=item, **clean)
    write_schedule(engagement, kind)
    return kind


def create_engagement(data: dict[str, Any], *, actor: Any = None, request: Any = None
                      ) -> Engagement:
    """Check and store a whole contract with its schedule; audited as ``engagement.create``."""
    clean = clean_contract(data)
    if Engagement.objects.filter(code=clean["code"]).exists():
        raise Conflict(_("An engagement with registration number %(code)s exists already.")
                       % {"code": clean["code"]}, field="code")
    parts = {k: clean.pop(k) for k in ("parties", "service_items", "deliverable_kinds",
                                        "payment_milestones", "guarantee")}
    with transaction.atomic():
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
        record("engagement.create", actor=actor, request=request, object_type="engagement",
               object_id=engagement.pk, details={"code": engagement.code,
                                                 "amount": str(engagement.amount)})
    return engagement


def update_engagement(engagement: Engagement, changes: dict[str, Any], *, actor: Any = None,
                      request: Any = None) -> Engagement:
    """Change the header and the liability terms; re-date the schedule when the period moves.

    A new amount re-computes the instalments and the guarantee, unless one is already paid.
    """
    current = {f: getattr(engagement, f) for f in EDITABLE_FIELDS}
    current["code"] = engagement.code
    current.update({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    clean = _clean_header(current)
    terms_in = {f: getattr(engagement, f) for f in (*LIABILITY_DEFAULTS, "termination_grace_days",
                "confidentiality_penalty", "confidentiality_years",
                "acceptance_window_working_days", "acceptance_review_working_days")}
    terms_in.update({k: v for k, v in (changes.get("liabilities") or changes).items()
                     if k in terms_in})
    clean.update(_clean_liabilities(terms_in))
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
        record("engagement.update", actor=actor, request=request, object_type="engagement",
               object_id=engagement.pk,
               details={k: str(v) for k, v in changed.items() if k != "notes"})
    return engagement


def _redate(engagement: Engagement) -> None:
    for kind in engagement.deliverable_kinds.all():
        expected = expected_count(Cadence(kind.cadence), engagement.start_date,
                                  engagement.end_date)
        if expected is not None and expected != kind.required_count:
            if kind.deliverables.exclude(status=Deliverable.Status.PLANNED).filter(
                    sequence__gt=expected).exists():
                raise Conflict(_("The new period drops %(name)s that has been worked on.")
                               % {"name": kind.name})
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


def save_party(engagement: Engagement, data: dict[str, Any], *, actor: Any = None,
               request: Any = None) -> Party:
    """Create or replace the client or provider of ``engagement`` (by ``role``)."""
    clean = clean_party(data)
    with transaction.atomic():
        party, created = Party.objects.update_or_create(
            engagement=engagement, role=clean.pop("role"), defaults=clean)
        record("party.create" if created else "party.update", actor=actor, request=request,
               object_type="party", object_id=party.pk,
               details={"engagement": engagement.pk, "role": party.role, "name": party.name})
    return party


def save_service_item(engagement: Engagement, data: dict[str, Any], *,
                      item: ServiceItem | None = None, actor: Any = None,
                      request: Any = None) -> ServiceItem:
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
        record("service_item.save", actor=actor, request=request, object_type="service_item",
               object_id=item.pk, details={"engagement": engagement.pk, "code": item.code})
    return item


def create_kind(engagement: Engagement, data: dict[str, Any], *, actor: Any = None,
                request: Any = None) -> DeliverableKind:
    """Add a deliverable kind and schedule its deliverables over the contract period."""
    order = engagement.deliverable_kinds.count() + 1
    clean = clean_kind(data, engagement.start_date, engagement.end_date, order)
    item = clean.get("service_item")
    if item is not None and not isinstance(item, str):
        clean["service_item"] = getattr(item, "code", None)
    if clean["service_item"] and not engagement.service_items.filter(
            code=clean["service_item"]).exists():
        raise P.invalid("service_item", _("unknown service item %(code)s")
                        % {"code": clean["service_item"]})
    with transaction.atomic():
        kind = add_kind(engagement, clean)
        record("deliverable_kind.create", actor=actor, request=request,
               object_type="deliverable_kind", object_id=kind.pk,
               details={"engagement": engagement.pk, "code": kind.code,
                        "count": kind.required_count})
    return kind


def delete_kind(kind: DeliverableKind, *, actor: Any = None, request: Any = None) -> None:
    """Remove a kind whose deliverables are all still planned."""
    if kind.deliverables.exclude(status=Deliverable.Status.PLANNED).exists():
        raise Conflict(_("%(name)s has deliverables in work and cannot be removed.")
                       % {"name": kind.name})
    with transaction.atomic():
        record("deliverable_kind.delete", actor=actor, request=request,
               object_type="deliverable_kind", object_id=kind.pk,
               details={"engagement": kind.engagement_id, "code": kind.code})
        kind.delete()


def delete_engagement(engagement: Engagement, *, actor: Any = None, request: Any = None
                      ) -> None:
    """Delete a contract nobody has worked on: no deliverable started, nothing paid."""
    worked = engagement.deliverables.exclude(status=Deliverable.Status.PLANNED).exists()
    paid = engagement.payment_milestones.filter(paid_on__isnull=False).exists()
    logged = engagement.work_log.exists() or engagement.maintenance_records.exists()
    reports = getattr(engagement, "report_files", None)
    if worked or paid or logged or (reports is not None and reports.exists()):
        raise Conflict(_("This engagement has recorded work, payments or reports and cannot "
                         "be deleted; set its status to terminated instead."))
    with transaction.atomic():
        record("engagement.delete", actor=actor, request=request, object_type="engagement",
               object_id=engagement.pk, details={"code": engagement.code})
        engagement.delete()
