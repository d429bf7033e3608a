"""Turning loose input (YAML, API, forms) into checked values, with Chinese messages.

Each helper raises ``anbao.errors.ValidationError`` naming the field, so a bad value anywhere
in a nested contract becomes one clear 400 and nothing is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from anbao.errors import ValidationError


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field)


def text(
    data: dict[str, Any],
    field: str,
    *,
    required: bool = True,
    max_length: int = 255,
    default: str = "",
) -> str:
    value = data.get(field, default)
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise invalid(field, _("must be text"))
    value = str(value).strip()
    if required and not value:
        raise invalid(field, _("is required"))
    if len(value) > max_length:
        raise invalid(field, _("is longer than %(n)d characters") % {"n": max_length})
    return value


def money(
    data: dict[str, Any], field: str, *, required: bool = True, positive: bool = True
) -> Decimal | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise invalid(field, _("is required"))
        return None
    if isinstance(value, float | bool):
        value = str(value) if isinstance(value, float) else None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(field, _("is not an amount of money")) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise invalid(field, _("is not an amount of money"))
    if amount < 0 or (positive and amount == 0) or amount >= Decimal("1e12"):
        raise invalid(field, _("is out of range"))
    return amount


def rate(
    data: dict[str, Any], field: str, default: Decimal, *, upper: Decimal = Decimal(1)
) -> Decimal:
    value = data.get(field)
    if value in (None, ""):
        return default
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(field, _("is not a number")) from None
    if not number.is_finite() or number < 0 or number > upper:
        raise invalid(field, _("is out of range"))
    if number.as_tuple().exponent < -5:  # type: ignore[operator]
        raise invalid(field, _("has too many decimal places"))
    return number


def day(data: dict[str, Any], field: str, *, required: bool = True) -> date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise invalid(field, _("is required"))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, _("is not a date (YYYY-MM-DD)")) from None


def integer(
    data: dict[str, Any],
    field: str,
    *,
    default: int | None = None,
    low: int = 0,
    high: int = 100000,
) -> int:
    value = data.get(field, default)
    if value in (None, ""):
        if default is None:
            raise invalid(field, _("is required"))
        value = default
    if isinstance(value, bool):
        raise invalid(field, _("is not a whole number"))
    try:
        number = int(str(value))
    except ValueError:
        raise invalid(field, _("is not a whole number")) from None
    if not low <= number <= high:
        raise invalid(field, _("must be between %(low)d and %(high)d") % {"low": low, "high": high})
    return number


def choice(data: dict[str, Any], field: str, choices: list[str], default: str | None = None) -> str:
    value = data.get(field) or default
    if value not in choices:
        raise invalid(field, _("must be one of: %(choices)s") % {"choices": ", ".join(choices)})
    return str(value)


def items(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise invalid(field, _("must be a list of objects"))
    return value
