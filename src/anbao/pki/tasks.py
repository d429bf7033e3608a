"""Job kinds of the CA: the daily expiry notice, the scheduled CRL, a batch upload."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anbao.errors import ValidationError
from anbao.jobs.registry import job


@job("pki.expiry_notice", label=gettext_lazy("Certificate expiry notice"))
def expiry_notice(ctx: Any) -> dict[str, int]:
    """Notify holders and security administrators of certificates expiring within 30 days."""
    from anbao.pki.services import pickup
    from anbao.pki.services.expiry import notify_expiring

    ctx.progress(0, _("Looking for certificates that expire soon"))
    result = notify_expiring(actor=ctx.actor)
    pickup.purge()  # one-time downloads nobody took; each is refused once expired anyway
    ctx.log(
        f"{result['certificates']} certificates expire within 30 days, "
        f"{result['notifications']} notifications sent"
    )
    ctx.progress(100, _("%(n)d certificates expire within 30 days") % {"n": result["certificates"]})
    return result


@job("pki.crl", label=gettext_lazy("Issue a CRL"))
def issue_crl(ctx: Any) -> dict[str, Any]:
    """Issue a fresh CRL of the issuing CA, as ``anbao ca crl`` does."""
    from anbao.pki.services.status import build_crl

    row = build_crl(actor=ctx.actor)
    ctx.log(f"CRL number {row.number} issued, next update {row.next_update.isoformat()}")
    ctx.progress(100, _("CRL number %(n)d issued") % {"n": row.number})
    return {"number": row.number, "next_update": row.next_update.isoformat()}


def _batch_params(params: dict[str, Any]) -> dict[str, Any]:
    from anbao.pki.services.batch_jobs import ID_RE

    batch_id = params.get("batch")
    if not isinstance(batch_id, str) or not ID_RE.match(batch_id) or set(params) != {"batch"}:
        raise ValidationError(_("give the batch id of an uploaded file (batch=…)"))
    return {"batch": batch_id}


@job("pki.batch", label=gettext_lazy("Issue certificates for a batch"), validate=_batch_params)
def issue_batch(ctx: Any, batch: str) -> dict[str, Any]:
    """Issue a batch staged by the upload page; the files wait for the uploader."""
    from anbao.pki.services import batch_jobs

    def still_wanted(done: int, total: int) -> None:
        # Issuing runs in one transaction: progress written to the job row inside it would
        # only show at the end and would lock the row against a cancel, so only the cancel
        # flag is read here; a cancel rolls back everything issued so far.
        ctx.check_cancelled()

    ctx.progress(5, _("Issuing certificates"))
    result = batch_jobs.run(batch, actor=ctx.actor, progress=still_wanted)
    ctx.progress(
        100,
        _("%(i)d issued, %(s)d skipped") % {"i": result["issued"], "s": result["skipped"]},
    )
    ctx.log(f"{result['issued']} holders issued, {result['skipped']} skipped")
    return result
