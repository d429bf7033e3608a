"""Pages: invitations for the security administrator, the enrolment page for holders."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anbao import errors
from anbao.accounts.access import public, requires
from anbao.accounts.core import Capability
from anbao.enrolment import services
from anbao.enrolment.forms import InvitationForm
from anbao.enrolment.models import Invitation


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG markup (no script, no external resource)."""
    return str(segno.make(text, error="m").svg_inline(scale=5, title=text))


@requires(Capability.PKI_MANAGE)
@require_http_methods(["GET", "POST"])
def invitations(request: Any) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, code = services.create_invitation(
                name=data["name"],
                email=data["email"],
                unit=data["unit"],
                username=data["username"],
                profile=data["profile"],
                dual=data["dual"],
                hours=data["hours"],
                request=request,
            )
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            url = services.enrolment_url(code)
            # Shown once, in this response only: the code is stored as a hash.
            response = render(
                request,
                "enrolment/created.html",
                {
                    "invitation": invitation,
                    "code": code,
                    "url": url,
                    "qr": mark_safe(qr_svg(url)),  # noqa: S308 - segno's own markup
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    rows = [
        {"invitation": i, "state": str(services.state_of(i))}
        for i in Invitation.objects.all()[:200]
    ]
    return render(request, "enrolment/invitations.html", {"form": form, "rows": rows})


@requires(Capability.PKI_MANAGE)
@require_http_methods(["POST"])
def withdraw(request: Any, pk: int) -> HttpResponse:
    try:
        invitation = services.withdraw(pk, request=request)
    except errors.NotFound as exc:
        return render(request, "enrolment/invalid.html", {"message": exc.message}, status=404)
    except errors.Error as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The invitation for %(n)s was withdrawn.") % {"n": invitation.name}
        )
    return redirect("enrolment:invitations")


def _page_messages() -> dict[str, str]:
    """Messages the page script shows, translated here (the script holds no text)."""
    return {
        "generating": _("Generating your key pair in this browser…"),
        "submitting": _("Sending the certificate request (your public key only)…"),
        "issued": _("Your certificate has been issued. Now protect your private key with a PIN."),
        "pinShort": _("The PIN must have at least 6 characters."),
        "pinMismatch": _("The two PINs differ."),
        "encrypting": _("Encrypting your private key with the PIN…"),
        "ready": _(
            "Done. Save both files now: the private key exists only in this page and cannot "
            "be downloaded again."
        ),
        "failed": _("Enrolment failed:"),
        "network": _("The server could not be reached. Try again."),
        "noCrypto": _("This browser lacks the cryptography the enrolment needs."),
        "csrMissing": _("Paste a PKCS#10 certificate request (PEM)."),
        "mobileDone": _("The certificate has been issued."),
        "leave": _("Your private key has not been saved yet."),
    }


@public
@require_http_methods(["GET"])
def enrol(request: Any, code: str) -> HttpResponse:
    try:
        invitation = services.open_invitation(code, request=request)
    except errors.Error as exc:
        response = render(
            request, "enrolment/invalid.html", {"message": exc.message}, status=exc.http_status
        )
        response["Cache-Control"] = "no-store"
        return response
    response = render(
        request,
        "enrolment/enrol.html",
        {
            "invitation": invitation,
            "code": code,
            "api_url": services.enrolment_api_url(code),
            "page_messages": _page_messages(),
        },
    )
    response["Cache-Control"] = "no-store"
    # The URL holds the code: do not send it to anything else (the base policy is same-origin).
    response["Referrer-Policy"] = "no-referrer"
    return response
