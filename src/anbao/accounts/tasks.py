"""Job kind of the accounts app: forgetting used login challenges once they have expired."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao.jobs.registry import job


@job("accounts.forget_challenges", label=gettext_lazy("Remove expired login challenges"))
def forget_challenges(ctx: Any) -> dict[str, int]:
    """A used challenge is recorded until it expires, so that it cannot be used twice."""
    from anbao.accounts.login import forget_used_challenges

    ctx.progress(0, _("Removing expired login challenges"))
    removed = forget_used_challenges()
    ctx.progress(100, _("Expired login challenges removed"))
    return {"challenges_removed": removed}
