"""Finding holders and certificates for the management pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.pki.core.profiles import Profile, Usage
from anbao.pki.models import Certificate, Holder


def holders(text: str = "") -> QuerySet[Holder]:
    """Holders whose name, e-mail, unit, phone or account contains ``text``."""
    rows = Holder.objects.select_related("user")
    text = text.strip()
    if text:
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(email__icontains=text)
            | Q(unit__icontains=text)
            | Q(phone__icontains=text)
            | Q(user__username__icontains=text)
        )
    return rows.order_by("name", "email")


def certificates(
    *,
    text: str = "",
    status: str = "",
    usage: str = "",
    profile: str = "",
    expiring_within: Any = None,
    holder: Holder | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Certificate]:
    """Certificates matching every given filter; a bad filter value is a ValidationError."""
    rows = Certificate.objects.select_related("holder")
    if status:
        if status not in {Certificate.VALID, Certificate.REVOKED}:
            raise errors.ValidationError(_("unknown status %(s)r") % {"s": status})
        rows = rows.filter(status=status)
    if usage:
        if usage not in {u.value for u in Usage}:
            raise errors.ValidationError(_("unknown usage %(u)r") % {"u": usage})
        rows = rows.filter(usage=usage)
    if profile:
        if profile not in {p.value for p in Profile}:
            raise errors.ValidationError(
                _("profile must be pc or mobile, got %(p)r") % {"p": profile}
            )
        rows = rows.filter(profile=profile)
    if expiring_within not in (None, ""):
        days = _days(expiring_within)
        now = now or timezone.now()
        rows = rows.filter(
            status=Certificate.VALID,
            not_after__gte=now,
            not_after__lte=now + dt.timedelta(days=days),
        )
    if holder is not None:
        rows = rows.filter(holder=holder)
    text = text.strip()
    if text:
        serial = text.upper().replace(":", "")
        rows = rows.filter(
            Q(serial__startswith=serial)
            | Q(subject__icontains=text)
            | Q(holder__name__icontains=text)
            | Q(holder__email__icontains=text)
            | Q(fingerprint__startswith=text.lower())
        )
    return rows.order_by("not_after", "serial") if expiring_within not in (None, "") else rows


def _days(value: Any) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if not 0 <= days <= 36500:
        raise errors.ValidationError(
            _("expiring within must be a number of days from 0 to 36500"),
            code="invalid_expiring_within",
        )
    return days
