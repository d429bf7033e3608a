"""Home page routing and the health endpoint."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from anbao.accounts.access import ACCESS_ATTR, PUBLIC, public
from anbao.accounts.core import Capability


@login_required
def home(request: Any) -> HttpResponse:
    """Send each role to the page it works from."""
    user = request.user
    if user.can(Capability.ENGAGEMENT_VIEW):
        return redirect("engagement:dashboard")
    return render(request, "web/home.html")


# Every signed-in person may open the home page.
setattr(home, ACCESS_ATTR, Capability.PROFILE_OWN)


@public
def healthz(request: Any) -> JsonResponse:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)


assert getattr(healthz, ACCESS_ATTR) == PUBLIC
