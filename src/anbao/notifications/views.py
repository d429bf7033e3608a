"""The signed-in person's notifications."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.notifications.models import Notification


@requires(Capability.PROFILE_OWN)
def inbox(request: Any) -> HttpResponse:
    notes = Notification.objects.filter(user=request.user)[:200]
    return render(request, "notifications/inbox.html", {"notes": notes})


@requires(Capability.PROFILE_OWN)
@require_POST
def mark_read(request: Any) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications:inbox")
