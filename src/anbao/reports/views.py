"""Report pages: the rendered files, a form to render one, downloads after a digest check."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from anbao import errors
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.reports import registry, services
from anbao.reports.models import ReportFile

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class RenderForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report kind"))
    engagement = forms.ModelChoiceField(
        label=gettext_lazy("Engagement"), queryset=None, empty_label=None
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("pdf", "PDF"), ("docx", "Word (.docx)")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from anbao.engagement.models import Engagement
        from anbao.engagement.services import current_engagement

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.title) for k in registry.kinds()]
        self.fields["engagement"].queryset = Engagement.objects.all()
        if not self.is_bound:
            current = current_engagement()
            self.fields["engagement"].initial = current.pk if current else None


def file_response(report: ReportFile, data: bytes) -> HttpResponse:
    """A download of verified bytes, named by the document number, with its SM3 digest."""
    response = HttpResponse(
        data, content_type=CONTENT_TYPES.get(report.format, "application/octet-stream")
    )
    name = report.filename
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Content-Length"] = str(len(data))
    response["X-Content-SM3"] = report.sm3
    response["Cache-Control"] = "no-store"
    return response


# ``@requires`` comes first so that a person without the capability is refused (403) or sent
# to sign in before the method is checked (405).
@requires(Capability.REPORT_VIEW)
@require_GET
def report_list(request: Any) -> HttpResponse:
    qs = ReportFile.objects.select_related("engagement", "created_by")
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    engagement = request.GET.get("engagement", "")
    if engagement.isdigit():
        qs = qs.filter(engagement_id=int(engagement))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    titles = {k.key: k.title for k in registry.kinds()}
    context = {
        "page": page,
        "titles": titles,
        "kinds": registry.kinds(),
        "kind": kind,
        "engagement": engagement,
        "form": RenderForm() if request.user.can(Capability.REPORT_RENDER) else None,
    }
    return render(request, "reports/list.html", context)


@requires(Capability.REPORT_RENDER)
@require_POST
def report_render(request: Any) -> HttpResponse:
    form = RenderForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, _("The report was not rendered: %(error)s") % {"error": first})
        return redirect("reports:list")
    try:
        report = services.render(
            form.cleaned_data["kind"],
            form.cleaned_data["engagement"],
            form.cleaned_data["format"],
            request.user,
            request=request,
        )
    except errors.Error as exc:
        messages.error(
            request, _("The report was not rendered: %(error)s") % {"error": exc.message}
        )
    else:
        messages.success(
            request,
            _("Rendered %(name)s (version %(version)d).")
            % {"name": report.filename, "version": report.version},
        )
    return redirect("reports:list")


@requires(Capability.REPORT_VIEW)
@require_GET
def report_download(request: Any, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportFile, pk=pk)
    try:
        data = services.open_file(report, actor=request.user, request=request)
    except errors.IntegrityError as exc:
        messages.error(request, exc.message)
        return redirect("reports:list")
    return file_response(report, data)
