"""Error pages: JSON under /api/, a page elsewhere; never a traceback."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _respond(request: Any, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def bad_request(request: Any, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 400, "bad_request", _("The request is not valid."))


def permission_denied(request: Any, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 403, "permission_denied", _("Your role may not open this page."))


def not_found(request: Any, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404, "not_found", _("The page does not exist."))


def server_error(request: Any) -> HttpResponse:
    return _respond(request, 500, "server_error", _("An internal error occurred; it was logged."))
