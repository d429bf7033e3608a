"""Audit every sign-in and sign-out (failures and lockouts: anbao.accounts.login)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from anbao.audit.services import SUCCESS, record


@receiver(user_logged_in, dispatch_uid="anbao_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(
        "auth.login",
        actor=user,
        request=request,
        object_type="user",
        object_id=user.get_username(),
        outcome=SUCCESS,
    )


@receiver(user_logged_out, dispatch_uid="anbao_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(
            "auth.logout",
            actor=user,
            request=request,
            object_type="user",
            object_id=user.get_username(),
        )
