"""Session idle timeout (MLPS 8.1.4.1 b), sessions of revoked certificates, and the forced
password change."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "anbao_last_seen"


class SessionIdleTimeoutMiddleware:
    """Sign out a session that has been idle longer than ANBAO_SESSION_IDLE_SECONDS."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.ANBAO_SESSION_IDLE_SECONDS:
                _end(request, "auth.session_timeout")
            elif _certificate_revoked(request.session.get("anbao_cert_serial")):
                _end(request, "auth.session_revoked")
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _end(request: Any, action: str) -> None:
    from anbao.audit.services import record

    record(
        action,
        request=request,
        object_type="user",
        object_id=request.user.get_username(),
        details={"certificate": request.session.get("anbao_cert_serial", "")},
    )
    logout(request)


def _certificate_revoked(serial: str | None) -> bool:
    """Whether the certificate this session signed in with has been revoked since."""
    if not serial:
        return False
    from anbao.pki.models import Certificate

    return Certificate.objects.filter(serial=serial, status=Certificate.REVOKED).exists()


class PasswordChangeRequiredMiddleware:
    """Until the password is changed (first login, or expired), only that page opens."""

    ALLOWED = ("accounts:password_change", "accounts:logout", "set_language")

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = request.user
        if user.is_authenticated and getattr(request, "auth", None) is None:
            from anbao.accounts.services import password_change_due

            if password_change_due(user) and not self._allowed(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "password_change_required",
                                "message": "The password must be changed first.",
                            }
                        },
                        status=403,
                    )
                return redirect("accounts:password_change")
        return self.get_response(request)

    def _allowed(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL) or path == "/healthz":
            return True
        return any(path == reverse(name) for name in self.ALLOWED)
