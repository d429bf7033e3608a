"""Management actions of the CA: issue, batch upload, revoke, renew, CRL; one-time downloads.

Every action is a POST with the CSRF token. A service's refusal is shown as a form message
(status 400, 404 or 409) and nothing is half-done: the services work in one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anbao import errors
from anbao.accounts.access import requires
from anbao.pki.admin_views import MANAGE, domain_errors
from anbao.pki.forms import REASON_LABELS, BatchForm, IssueForm, RevokeForm
from anbao.pki.services import batch_jobs, pickup, status
from anbao.pki.services.issuance import HolderInput, issue

KEY_TYPE = "application/x-pem-file"


def _refused(form: Any, exc: errors.Error) -> int:
    form.add_error(None, exc.message)
    return exc.http_status


FORM_TOKENS = "pki.issue_form_tokens"


def _new_token(request: Any) -> str:
    token = secrets.token_urlsafe(16)
    request.session[FORM_TOKENS] = [*request.session.get(FORM_TOKENS, [])[-19:], token]
    return token


def _use_token(request: Any, token: str) -> bool:
    tokens = list(request.session.get(FORM_TOKENS, []))
    if token not in tokens:
        return False
    tokens.remove(token)
    request.session[FORM_TOKENS] = tokens
    return True


@requires(MANAGE)
def issue_certificate(request: Any) -> HttpResponse:
    if request.method != "POST":
        form = IssueForm(initial={"once": _new_token(request)})
        return render(request, "pki/issue.html", {"form": form})
    form = IssueForm(request.POST, request.FILES)
    code = 400
    if form.is_valid():
        token = form.cleaned_data["once"]
        if not _use_token(request, token):
            form.add_error(
                None, _("This form was sent already: open it again to issue another certificate.")
            )
            code = 409
        else:
            try:
                return _issue(request, form.cleaned_data)
            except errors.Error as exc:
                code = _refused(form, exc)
                request.session[FORM_TOKENS] = [*request.session.get(FORM_TOKENS, []), token]
    return render(request, "pki/issue.html", {"form": form}, status=code)


def _issue(request: Any, data: dict[str, Any]) -> HttpResponse:
    holder = HolderInput(
        name=data["name"],
        email=data["email"],
        unit=data["unit"],
        phone=data["phone"],
        username=data["username"],
        profile=data["profile"],
    )
    generate = data["csr"] is None
    result = issue(
        holder, csr=data["csr"], generate_key=generate, dual=data["dual"], actor=request.user
    )
    if not generate:
        messages.success(
            request,
            _("Certificate %(s)s issued for %(n)s.")
            % {"s": result.signing.serial, "n": holder.name},
        )
        return redirect("pki:admin_certificate", result.signing.serial)
    assert result.private_key_pem is not None
    token = pickup.offer(
        result.private_key_pem,
        user=request.user,
        filename=f"{result.signing.serial}.sign.key.pem",
        content_type=KEY_TYPE,
        object_type="certificate",
        object_id=result.signing.serial,
    )
    # The PIN is in this response only: it is not stored, so it cannot be shown again.
    response = render(
        request,
        "pki/issued.html",
        {
            "result": result,
            "pin": result.pin,
            "token": token,
            "minutes": int(pickup.KEY_LIFETIME.total_seconds() // 60),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(MANAGE)
@require_POST
@domain_errors
def key_download(request: Any, token: str) -> HttpResponse:
    """The PIN-encrypted key file of a certificate issued just now: once, then gone."""
    taken = pickup.take(token, user=request.user, request=request)
    response = HttpResponse(taken.data, content_type=taken.content_type)
    response["Content-Disposition"] = f'attachment; filename="{taken.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@requires(MANAGE)
def batch_list(request: Any) -> HttpResponse:
    form = BatchForm(request.POST or None, request.FILES or None)
    code = 200
    if request.method == "POST":
        code = 400
        if form.is_valid():
            try:
                meta = _stage_and_submit(request, form.cleaned_data)
            except errors.Error as exc:
                code = _refused(form, exc)
            else:
                messages.success(
                    request,
                    _("%(n)d rows checked; the certificates are being issued.")
                    % {"n": meta["rows"]},
                )
                return redirect("pki:admin_batch", meta["id"])
    batches = [_with_state(m) for m in batch_jobs.recent(request.user)]
    return render(request, "pki/batches.html", {"form": form, "batches": batches}, status=code)


def _stage_and_submit(request: Any, data: dict[str, Any]) -> dict[str, Any]:
    from anbao.jobs import services as jobs

    upload = data["file"]
    meta = batch_jobs.stage(
        upload.name,
        upload.read(),
        profile=data["profile"],
        dual=data["dual"],
        user=request.user,
        request=request,
    )
    job = jobs.submit("pki.batch", {"batch": meta["id"]}, user=request.user, request=request)
    meta["job"] = str(job.id)
    batch_jobs.save_meta(meta)
    return meta


def _with_state(meta: dict[str, Any]) -> dict[str, Any]:
    from anbao.jobs.models import Job

    job = Job.objects.filter(pk=meta["job"]).first() if meta.get("job") else None
    state = batch_jobs.status_of(meta, job.state if job else "")
    created = dt.datetime.fromisoformat(meta["created"])
    return {**meta, "state": state, "job_row": job, "created_at": created}


def _own_batch(request: Any, batch_id: str) -> dict[str, Any]:
    meta = batch_jobs.load_meta(batch_id)
    if meta["user"] != request.user.pk:
        raise errors.NotFound(_("no batch %(b)s") % {"b": batch_id}, code="unknown_batch")
    return meta


@requires(MANAGE)
@domain_errors
def batch_detail(request: Any, batch_id: str) -> HttpResponse:
    meta = _with_state(_own_batch(request, batch_id))
    return render(request, "pki/batch.html", {"batch": meta})


@requires(MANAGE)
@require_POST
@domain_errors
def batch_download(request: Any, batch_id: str) -> HttpResponse:
    """The ZIP of a finished batch (summary, PINs, keys, certificates): once, then gone."""
    _own_batch(request, batch_id)
    taken = pickup.take(batch_id, user=request.user, request=request)
    batch_jobs.mark_taken(batch_id)
    response = HttpResponse(taken.data, content_type=taken.content_type)
    response["Content-Disposition"] = f'attachment; filename="{taken.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@requires(MANAGE)
@domain_errors
def revoke(request: Any, serial: str) -> HttpResponse:
    cert = status.get(serial)
    form = RevokeForm(request.POST or None)
    code = 200
    if request.method == "POST":
        code = 400
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                status.revoke(cert.serial, reason, actor=request.user)
            except errors.Error as exc:
                code = _refused(form, exc)
            else:
                messages.success(
                    request,
                    _("Certificate %(s)s revoked (%(r)s).")
                    % {"s": cert.serial, "r": REASON_LABELS.get(reason, reason)},
                )
                return redirect("pki:admin_certificate", cert.serial)
    return render(request, "pki/revoke.html", {"cert": cert, "form": form}, status=code)


@requires(MANAGE)
@domain_errors
def renew(request: Any, serial: str) -> HttpResponse:
    cert = status.get(serial)
    problem = ""
    code = 200
    if request.method == "POST":
        try:
            result = status.renew(cert.serial, actor=request.user)
        except errors.Error as exc:
            problem, code = exc.message, exc.http_status
        else:
            messages.success(
                request,
                _("Certificate %(old)s renewed as %(new)s.")
                % {"old": cert.serial, "new": result.signing.serial},
            )
            return redirect("pki:admin_certificate", result.signing.serial)
    return render(request, "pki/renew.html", {"cert": cert, "problem": problem}, status=code)


@requires(MANAGE)
@require_POST
def issue_crl(request: Any) -> HttpResponse:
    try:
        row = status.build_crl(actor=request.user)
    except errors.Error as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("CRL number %(n)d issued.") % {"n": row.number})
    return redirect("pki:admin_ca")
