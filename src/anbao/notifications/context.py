from __future__ import annotations

from typing import Any


def unread(request: Any) -> dict[str, int]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from anbao.notifications.services import unread_count

    return {"unread_notifications": unread_count(user)}
