"""The audit administrator's pages: search, view, export CSV."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.audit import services
from anbao.audit.models import AuditRecord

OUTCOMES = [
    ("", _("any")),
    (services.SUCCESS, _("success")),
    (services.FAILURE, _("failure")),
    (services.DENIED, _("denied")),
]


class SearchForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(label=_("Event"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=OUTCOMES)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Object contains"), required=False, max_length=100)

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "actor": data.get("actor") or "",
            "action": data.get("action") or "",
            "outcome": data.get("outcome") or "",
            "since": data["since"].isoformat() if data.get("since") else "",
            "until": data["until"].isoformat() + "T24" if data.get("until") else "",
            "text": data.get("text") or "",
        }


def _search(request: Any) -> tuple[SearchForm, Any]:
    form = SearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, services.search(**form.filters())
    if form.is_bound:
        return form, AuditRecord.objects.none()
    return form, services.search()


@requires(Capability.AUDIT_VIEW)
def record_list(request: Any) -> HttpResponse:
    form, records = _search(request)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@requires(Capability.AUDIT_VIEW)
def record_detail(request: Any, seq: int) -> HttpResponse:
    rec = get_object_or_404(AuditRecord, seq=seq)
    return render(request, "audit/detail.html", {"record": rec})


@requires(Capability.AUDIT_VIEW)
def chain_status(request: Any) -> HttpResponse:
    checked, broken = services.verify()
    services.record(
        "audit.verify",
        request=request,
        outcome=services.SUCCESS if broken is None else services.FAILURE,
        details={"checked": checked, "break": broken.describe() if broken else ""},
    )
    return render(request, "audit/verify.html", {"checked": checked, "broken": broken})


@requires(Capability.AUDIT_EXPORT)
def export_csv(request: Any) -> HttpResponse:
    form, records = _search(request)
    body = services.export_csv(records.iterator(chunk_size=2000))
    services.record(
        "audit.export",
        request=request,
        object_type="audit",
        details={"filters": request.GET.dict()},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="anbao-audit-{stamp}.csv"'
    return response
