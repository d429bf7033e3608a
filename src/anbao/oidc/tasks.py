"""Job kind of the OIDC provider: removing expired codes and tokens every night."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao.jobs.registry import job


@job("oidc.clear_expired", label=gettext_lazy("Remove expired sign-in tokens"))
def clear_expired(ctx: Any) -> dict[str, int]:
    """DOT's clean-up: expired authorization codes, access, refresh and ID tokens.

    The sign-in facts kept with codes and ID tokens (``SignInContext``) go with them.
    """
    from oauth2_provider.models import clear_expired as dot_clear_expired

    from anbao.oidc.models import SignInContext

    ctx.progress(0, _("Removing expired sign-in tokens"))
    before = SignInContext.objects.count()
    dot_clear_expired()
    removed = before - SignInContext.objects.count()
    ctx.progress(100, _("Expired sign-in tokens removed"))
    return {"sign_in_records_removed": removed}
