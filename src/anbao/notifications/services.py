"""Telling people: an in-app notification, and an e-mail when the account has an address."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from anbao.accounts.core import Role
from anbao.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(
    users: Iterable[Any],
    title: str,
    body: str = "",
    *,
    level: str = Notification.INFO,
    link: str = "",
    topic: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify each user once per ``topic`` (empty topic: always). Returns the new ones.

    E-mail failures are logged and do not undo the in-app notification.
    """
    created = []
    for user in users:
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    user=user,
                    level=level,
                    title=title[:200],
                    body=body,
                    link=link,
                    topic=topic[:100],
                )
        except IntegrityError:
            continue  # already told about this topic
        created.append(note)
        if email and user.email:
            try:
                send_mail(title, body, None, [user.email])
            except OSError as exc:
                log.warning("e-mail to %s failed: %s", user.email, exc)
                continue
            Notification.objects.filter(pk=note.pk).update(emailed=True)
    return created


def users_with_role(role: Role | str) -> Any:
    from anbao.accounts.models import User

    return User.objects.filter(role=Role(role).value, is_active=True)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
