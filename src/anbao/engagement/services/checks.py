"""Checking a contract before anything is written: every part, with Chinese messages.

A contract arrives as one dict in the shape of ``data/sample_contract.yaml``. ``clean_contract``
returns the checked values or raises ``anbao.errors.ValidationError`` naming the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from anbao.engagement.core import liabilities as L
from anbao.engagement.core.schedule import DEFAULT_OFFSETS, Cadence, expected_count
from anbao.engagement.models import Engagement, Party, ServiceItem
from anbao.engagement.services import parse as P
from anbao.errors import ValidationError

CADENCES = [c.value for c in Cadence]
LIABILITY_DEFAULTS: dict[str, Decimal] = {
    "late_payment_rate": Decimal("0.001"),
    "late_guarantee_rate": Decimal("0.001"),
    "late_deliverable_rate": Decimal("0.001"),
    "termination_penalty_rate": Decimal("0.10"),
}


def clean_header(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "code": P.text(data, "code", max_length=64),
        "name": P.text(data, "name"),
        "title": P.text(data, "title", required=False, max_length=128),
        "status": P.choice(
            data, "status", [s.value for s in Engagement.Status], Engagement.Status.ACTIVE
        ),
        "signing_place": P.text(data, "signing_place", required=False, max_length=64),
        "signed_on": P.day(data, "signed_on", required=False),
        "start_date": P.day(data, "start_date"),
        "end_date": P.day(data, "end_date"),
        "amount": P.money(data, "amount"),
        "currency": P.text(data, "currency", required=False, max_length=3, default="CNY") or "CNY",
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


def clean_liabilities(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        name: P.rate(data, name, default) for name, default in LIABILITY_DEFAULTS.items()
    }
    clean["termination_grace_days"] = P.integer(data, "termination_grace_days", default=5, high=365)
    clean["confidentiality_penalty"] = P.money(
        {"confidentiality_penalty": data.get("confidentiality_penalty", "100000")},
        "confidentiality_penalty",
        positive=False,
    )
    clean["confidentiality_years"] = P.integer(data, "confidentiality_years", default=5, high=100)
    clean["acceptance_window_working_days"] = P.integer(
        data, "acceptance_window_working_days", default=30, high=250
    )
    clean["acceptance_review_working_days"] = P.integer(
        data, "acceptance_review_working_days", default=5, high=250
    )
    return clean


def clean_party(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": P.choice(data, "role", [r.value for r in Party.Role]),
        "name": P.text(data, "name"),
        "legal_representative": P.text(data, "legal_representative", required=False, max_length=64),
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
        raise P.invalid(
            "count",
            _("a %(cadence)s deliverable over this period needs %(expected)d copies, not %(count)d")
            % {"cadence": cadence.value, "expected": expected, "count": count},
        )
    return {
        "code": _slug(P.text(data, "code", max_length=64), "code"),
        "name": P.text(data, "name", max_length=128),
        "required_count": count,
        "cadence": cadence.value,
        "offset_working_days": P.integer(
            data, "offset_working_days", default=DEFAULT_OFFSETS[cadence], low=-250, high=250
        ),
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
        raise P.invalid(
            "amount",
            _("%(given)s does not equal %(pct)s %% of the contract amount (%(computed)s)")
            % {"given": given, "pct": percentage, "computed": computed},
        )
    return {
        "sequence": P.integer(data, "sequence", default=sequence, low=1, high=99),
        "name": P.text(data, "name", max_length=128),
        "percentage": percentage,
        "amount": computed,
        "condition": P.text(data, "condition", max_length=2000),
        "days_after_condition": P.integer(
            data, "days_after_condition", default=-1, low=-1, high=3650
        ),
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
        raise P.invalid(
            "guarantee.amount",
            _("may not be less than %(pct)s %% of the contract amount (%(computed)s)")
            % {"pct": percentage, "computed": computed},
        )
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
    clean = clean_header(data)
    clean.update(clean_liabilities(data.get("liabilities") or data))
    start, end, amount = clean["start_date"], clean["end_date"], clean["amount"]
    clean["parties"] = [clean_party(p) for p in P.items(data, "parties")]
    _unique([p["role"] for p in clean["parties"]], "parties")
    clean["service_items"] = [
        clean_service_item(x, n) for n, x in enumerate(P.items(data, "service_items"), 1)
    ]
    _unique([x["code"] for x in clean["service_items"]], "service_items")
    clean["deliverable_kinds"] = [
        clean_kind(k, start, end, n) for n, k in enumerate(P.items(data, "deliverable_kinds"), 1)
    ]
    _unique([k["code"] for k in clean["deliverable_kinds"]], "deliverable_kinds")
    item_codes = {x["code"] for x in clean["service_items"]}
    for kind in clean["deliverable_kinds"]:
        if kind["service_item"] and kind["service_item"] not in item_codes:
            raise P.invalid(
                "service_item", _("unknown service item %(code)s") % {"code": kind["service_item"]}
            )
    milestones = P.items(data, "payment_milestones")
    clean["payment_milestones"] = [
        clean_milestone(m, amount, n) for n, m in enumerate(milestones, 1)
    ]
    if milestones:
        try:
            L.check_shares([m["percentage"] for m in clean["payment_milestones"]])
        except ValueError:
            raise P.invalid("payment_milestones", _("the percentages must add up to 100")) from None
    _unique([m["sequence"] for m in clean["payment_milestones"]], "payment_milestones")
    guarantee = data.get("guarantee")
    if guarantee is not None and not isinstance(guarantee, dict):
        raise P.invalid("guarantee", _("must be an object"))
    clean["guarantee"] = clean_guarantee(guarantee, amount) if guarantee else None
    return clean
