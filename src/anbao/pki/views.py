"""Public PKI endpoints that relying parties fetch: CRL, OCSP, CA certificates."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from anbao import errors
from anbao.accounts.access import public
from anbao.pki.core.ocsp import error_response
from anbao.pki.models import CertificateAuthority
from anbao.pki.services import status

MAX_OCSP_REQUEST = 10_000


def _der(body: bytes, content_type: str, filename: str, max_age: int) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@public
@require_http_methods(["GET", "HEAD"])
def crl(request: Any) -> HttpResponse:
    try:
        body = status.current_crl()
    except errors.NotFound:
        return HttpResponse(status=404)
    return _der(body, "application/pkix-crl", "issuing.crl", 3600)


@public
@require_http_methods(["GET", "HEAD"])
def ca_certificate(request: Any, role: str) -> HttpResponse:
    ca = CertificateAuthority.objects.filter(role=role).first()
    if ca is None:
        return HttpResponse(status=404)
    return _der(bytes(ca.certificate), "application/pkix-cert", f"{role}.cer", 86400)


@public
@csrf_exempt  # OCSP clients post DER, not forms; the answer is signed and public.
@require_http_methods(["GET", "POST"])
def ocsp(request: Any, encoded: str = "") -> HttpResponse:
    if request.method == "POST":
        if request.content_type != "application/ocsp-request":
            body = error_response("malformed_request")
        else:
            der = request.body[: MAX_OCSP_REQUEST + 1]
            body = (
                error_response("malformed_request") if len(der) > MAX_OCSP_REQUEST else _answer(der)
            )
    else:
        try:
            body = _answer(base64.b64decode(encoded.replace("%2B", "+"), validate=False))
        except (binascii.Error, ValueError):
            body = error_response("malformed_request")
    return HttpResponse(body, content_type="application/ocsp-response")


def _answer(der: bytes) -> bytes:
    try:
        return status.ocsp_response(der)
    except errors.NotFound:
        return error_response("unauthorized")
