"""Map every API failure to ``{"error": {"code", "message"}}`` with the right status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from anbao import errors


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            msg = _first_message(value)
            return msg if field == "non_field_errors" else f"{field}: {msg}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, errors.Error):
        return Response(error_body(exc.code, exc.message, **exc.details), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _first_message(exc.detail), fields=exc.detail)
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        body = error_body(str(code), _first_message(exc.detail))
    else:  # pragma: no cover - drf_handler only handles APIException subclasses
        body = error_body("error", str(exc))
    if response.status_code == status.HTTP_403_FORBIDDEN and context.get("request") is not None:
        user = getattr(context["request"], "user", None)
        if not (user and user.is_authenticated):
            response.status_code = status.HTTP_401_UNAUTHORIZED
            body = error_body("not_authenticated", "Authentication credentials were not provided.")
    response.data = body
    return response
