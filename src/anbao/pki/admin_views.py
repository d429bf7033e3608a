"""Management pages of the CA for the security administrator: what is there, and downloads.

The actions that change something (issue, batch, revoke, renew, CRL) are in
``admin_actions``. Both are thin: they parse, call a service and render; a service's refusal
(``anbao.errors.Error``) becomes a message or an error page with its status, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from anbao import errors
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.audit.services import record
from anbao.pki.forms import REASON_LABELS, USAGE_LABELS, CertificateFilter
from anbao.pki.models import Certificate, CertificateAuthority, EscrowedKey, Holder, RevocationList
from anbao.pki.services import authority, search, status
from anbao.pki.services.issuance import certificate_pem

MANAGE = Capability.PKI_MANAGE
PAGE_SIZE = 50


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Show a service's refusal as the error page with its status (404, 400, 409)."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except errors.Error as exc:
            return render(
                request,
                "web/error.html",
                {"status": exc.http_status, "message": exc.message},
                status=exc.http_status,
            )

    return wrapped


def _page(request: Any, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: Any) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return str(params.urlencode())


@requires(MANAGE)
def overview(request: Any) -> HttpResponse:
    cas = {ca.role: ca for ca in CertificateAuthority.objects.all()}
    issuing = cas.get(CertificateAuthority.ISSUING)
    last_crl = (
        RevocationList.objects.filter(issuer=issuing).order_by("-number").first()
        if issuing
        else None
    )
    counts = {
        "valid": Certificate.objects.filter(status=Certificate.VALID).count(),
        "revoked": Certificate.objects.filter(status=Certificate.REVOKED).count(),
        "holders": Holder.objects.count(),
    }
    return render(
        request,
        "pki/overview.html",
        {
            "root": cas.get(CertificateAuthority.ROOT),
            "issuing": issuing,
            "last_crl": last_crl,
            "counts": counts,
        },
    )


@requires(MANAGE)
def holder_list(request: Any) -> HttpResponse:
    text = request.GET.get("q", "")[:100]
    page = _page(request, search.holders(text))
    return render(
        request,
        "pki/holders.html",
        {"page": page, "q": text, "query": _query_without_page(request)},
    )


@requires(MANAGE)
@domain_errors
def holder_detail(request: Any, pk: int) -> HttpResponse:
    holder = Holder.objects.select_related("user").filter(pk=pk).first()
    if holder is None:
        raise errors.NotFound(_("no holder %(n)s") % {"n": pk})
    certs = search.certificates(holder=holder).order_by("-created_at")
    return render(
        request,
        "pki/holder.html",
        {"holder": holder, "certificates": certs, "usage_labels": USAGE_LABELS},
    )


@requires(MANAGE)
def certificate_list(request: Any) -> HttpResponse:
    form = CertificateFilter(request.GET or None)
    rows = Certificate.objects.none()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        rows = search.certificates(
            text=data["q"] or "",
            status=data["status"],
            usage=data["usage"],
            profile=data["profile"],
            expiring_within=data["expiring"],
        )
    elif not form.is_bound:
        rows = search.certificates()
    page = _page(request, rows)
    return render(
        request,
        "pki/certificates.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "usage_labels": USAGE_LABELS,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@requires(MANAGE)
@domain_errors
def certificate_detail(request: Any, serial: str) -> HttpResponse:
    cert = status.get(serial)
    pair = cert.pair or getattr(cert, "paired_with", None)
    return render(
        request,
        "pki/certificate.html",
        {
            "cert": cert,
            "pair": pair,
            "renewals": cert.renewals.order_by("created_at"),
            "has_envelope": EscrowedKey.objects.filter(certificate=cert).exists(),
            "reason_label": REASON_LABELS.get(cert.revocation_reason, cert.revocation_reason),
            "usage_label": USAGE_LABELS.get(cert.usage, cert.usage),
            "pair_usage_label": USAGE_LABELS.get(pair.usage, pair.usage) if pair else "",
            "fingerprint": ":".join(cert.fingerprint[i : i + 2] for i in range(0, 64, 2)).upper(),
        },
    )


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


DOWNLOADS = {"pem", "der", "chain", "envelope"}


@requires(MANAGE)
@domain_errors
def certificate_download(request: Any, serial: str, kind: str) -> HttpResponse:
    """The certificate as PEM or DER, with its CA chain, or the sealed encryption key."""
    if kind not in DOWNLOADS:
        raise errors.NotFound(_("unknown download %(k)s") % {"k": kind})
    cert = status.get(serial)
    if kind == "pem":
        body, ctype, name = certificate_pem(cert), "application/x-pem-file", f"{cert.serial}.pem"
    elif kind == "der":
        body, ctype, name = bytes(cert.der), "application/pkix-cert", f"{cert.serial}.cer"
    elif kind == "chain":
        body = certificate_pem(cert) + authority.chain_pem()
        ctype, name = "application/x-pem-file", f"{cert.serial}.chain.pem"
    else:
        escrow = EscrowedKey.objects.filter(certificate=cert).first()
        if escrow is None:
            raise errors.NotFound(_("the certificate %(s)s has no escrowed key") % {"s": serial})
        # GM/T 0009 envelope: the key sealed to the holder's signing key; only they open it.
        body, ctype, name = (
            bytes(escrow.envelope),
            "application/octet-stream",
            f"{cert.serial}.enc.env",
        )
    record(
        "cert.download",
        actor=request.user,
        request=request,
        object_type="certificate",
        object_id=cert.serial,
        details={"format": kind},
    )
    return _attachment(body, ctype, name)


@requires(MANAGE)
@domain_errors
def ca_chain(request: Any) -> HttpResponse:
    body = authority.chain_pem()
    record(
        "ca.export",
        actor=request.user,
        request=request,
        object_type="ca",
        details={"file": "chain.pem"},
    )
    return _attachment(body, "application/x-pem-file", "ca-chain.pem")
