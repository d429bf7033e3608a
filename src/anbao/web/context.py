"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from anbao.web.nav import NAV_ITEMS


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for item in NAV_ITEMS:
            if not user.can(item.capability):
                continue
            try:
                items.append({"label": item.label, "url": reverse(item.url_name)})
            except NoReverseMatch:
                continue
    return {"nav_items": items}
