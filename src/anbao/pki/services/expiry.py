"""Telling holders and security administrators, 30 days ahead, that a certificate expires."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anbao.accounts.core import Role
from anbao.audit.services import record
from anbao.notifications.models import Notification
from anbao.notifications.services import notify, users_with_role
from anbao.pki.models import Certificate

NOTICE_DAYS = 30


def expiring(now: dt.datetime, days: int = NOTICE_DAYS) -> Any:
    """Valid certificates whose validity ends within ``days``.

    An encryption certificate issued as the pair of a signing certificate shares its
    validity and is renewed with it, so the notice about the signing certificate covers it.
    A certificate renewed already (a valid renewal exists) needs no notice.
    """
    return (
        Certificate.objects.select_related("holder", "holder__user")
        .filter(
            status=Certificate.VALID,
            not_after__gt=now,
            not_after__lte=now + dt.timedelta(days=days),
        )
        .filter(paired_with__isnull=True)
        .exclude(renewals__status=Certificate.VALID)
        .order_by("not_after")
    )


def notify_expiring(*, now: dt.datetime | None = None, actor: object = "system") -> dict[str, int]:
    """Notify each certificate's holder account and every active security administrator.

    The topic ``pki-expiry:<serial>`` makes the notice once per certificate and person, so
    the daily job may run any number of times.
    """
    now = now or timezone.now()
    admins = list(users_with_role(Role.SECURITY_ADMIN))
    certificates = sent = 0
    # Stored text is read later by anyone: in the site language, not the caller's.
    with translation.override(settings.LANGUAGE_CODE):
        for cert in expiring(now):
            certificates += 1
            title, body = _message(cert, now)
            topic = f"pki-expiry:{cert.serial}"
            holder_user = cert.holder.user if cert.holder else None
            if holder_user is not None and holder_user.is_active:
                sent += len(
                    notify([holder_user], title, body, level=Notification.WARNING, topic=topic)
                )
            link = reverse("pki:admin_certificate", args=[cert.serial])
            others = [u for u in admins if u != holder_user]
            sent += len(
                notify(others, title, body, level=Notification.WARNING, link=link, topic=topic)
            )
    if sent:
        record(
            "cert.expiry_notice",
            actor=actor,
            object_type="certificate",
            details={"certificates": certificates, "notifications": sent},
        )
    return {"certificates": certificates, "notifications": sent}


def _message(cert: Certificate, now: dt.datetime) -> tuple[str, str]:
    days = max(0, (cert.not_after - now).days)
    until = timezone.localtime(cert.not_after).strftime("%Y-%m-%d")
    who = cert.holder.name if cert.holder else cert.subject
    title = _("Certificate of %(who)s expires on %(date)s") % {"who": who, "date": until}
    body = _(
        "The certificate %(serial)s (%(subject)s) expires on %(date)s, in %(days)d days. "
        "Ask the security administrator to renew it before then; after that date it can "
        "no longer be used to sign in or to sign."
    ) % {"serial": cert.serial, "subject": cert.subject, "date": until, "days": days}
    return title, body
