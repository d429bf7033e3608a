"""Access control for views and API routes, by capability.

Every route declares either ``@public`` or ``@requires(capability)``; the role-matrix test
walks the URL configuration and fails on a route that declares neither.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from anbao.accounts.core import Capability

ACCESS_ATTR = "anbao_access"
PUBLIC = "public"


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def requires(capability: str | Capability) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a function view: sign-in required, then the capability, else 403."""
    cap = Capability(capability)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.can(cap):
                _audit_denied(request, cap)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, cap)
        return wrapped

    return decorate


def _audit_denied(request: Any, cap: Capability) -> None:
    from anbao.audit.services import DENIED, record

    record(
        "access.denied",
        request=request,
        object_type="route",
        object_id=request.path,
        outcome=DENIED,
        details={"capability": cap.value},
    )


class HasCapability(BasePermission):
    """DRF permission: ``read_capability`` for safe methods, ``write_capability`` otherwise.

    Views set ``read_capability`` and ``write_capability`` (or ``capability`` for both).
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        cap = capability_for(view, request.method)
        allowed = cap is not None and user.can(cap)
        if not allowed:
            _audit_denied(request, Capability(cap) if cap else Capability.PROFILE_OWN)
        return allowed


def capability_for(view: Any, method: str) -> str | None:
    if method in SAFE_METHODS:
        return getattr(view, "read_capability", None) or getattr(view, "capability", None)
    return getattr(view, "write_capability", None) or getattr(view, "capability", None)
