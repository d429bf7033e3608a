"""Pages of the work log (工作日志) and maintenance records (维护记录单) with attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anbao import errors
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.audit.services import record
from anbao.engagement import services
from anbao.engagement.forms import AttachmentForm, MaintenanceForm, WorkLogForm
from anbao.engagement.models import Attachment, Engagement, MaintenanceRecord, WorkLogEntry
from anbao.engagement.services.records import content_type

VIEW, EDIT = Capability.ENGAGEMENT_VIEW, Capability.ENGAGEMENT_EDIT


@requires(VIEW)
def work_log(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    entries = engagement.work_log.select_related("author", "service_item").prefetch_related(
        "attachments"
    )
    return render(
        request,
        "engagement/work_log.html",
        {"engagement": engagement, "entries": entries, "can_edit": request.user.can(EDIT)},
    )


@requires(VIEW)
def maintenance(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    entries = engagement.maintenance_records.select_related("performed_by").prefetch_related(
        "attachments"
    )
    return render(
        request,
        "engagement/maintenance.html",
        {"engagement": engagement, "entries": entries, "can_edit": request.user.can(EDIT)},
    )


def _add(
    request: Any, engagement: Engagement, form: Any, add: Any, title: str, back: str
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("files", [])
        try:
            add(engagement, data, files=files, actor=request.user, request=request)
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The entry was saved."))
            return redirect(back, pk=engagement.pk)
    return render(
        request,
        "engagement/form.html",
        {"form": form, "title": title, "cancel_url": back, "cancel_pk": engagement.pk},
        status=400 if request.method == "POST" else 200,
    )


@requires(EDIT)
def work_log_add(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    form = WorkLogForm(request.POST or None, request.FILES or None, engagement=engagement)
    return _add(
        request,
        engagement,
        form,
        services.add_work_log_entry,
        _("New work log entry"),
        "engagement:work_log",
    )


@requires(EDIT)
def maintenance_add(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    form = MaintenanceForm(request.POST or None, request.FILES or None)
    return _add(
        request,
        engagement,
        form,
        services.add_maintenance_record,
        _("New maintenance record"),
        "engagement:maintenance",
    )


@requires(EDIT)
def attachment_add(request: Any, kind: str, pk: int) -> HttpResponse:
    model = {"work-log": WorkLogEntry, "maintenance": MaintenanceRecord}.get(kind)
    if model is None:
        raise Http404
    owner = get_object_or_404(model, pk=pk)
    back = "engagement:work_log" if model is WorkLogEntry else "engagement:maintenance"
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_attachments(
                owner, form.cleaned_data["files"], actor=request.user, request=request
            )
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The files were attached."))
            return redirect(back, pk=owner.engagement_id)
    return render(
        request,
        "engagement/form.html",
        {
            "form": form,
            "title": _("Attach files"),
            "cancel_url": back,
            "cancel_pk": owner.engagement_id,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(VIEW)
def attachment_download(request: Any, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(
        "attachment.download",
        request=request,
        object_type="attachment",
        object_id=attachment.pk,
        details={"sha256": attachment.sha256},
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=content_type(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
