"""Pages of the engagement: dashboard, list, detail, the contract's forms, deliverable actions.

Thin: each view parses its form, calls a service, and shows the service's refusal
(``anbao.errors.Error``) as a form error or a message.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anbao import errors
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.engagement import services
from anbao.engagement.forms import (
    PARTY_FIELDS,
    DeliverableKindForm,
    EngagementForm,
    GuaranteeForm,
    MilestoneForm,
    ServiceItemForm,
)
from anbao.engagement.models import (
    Deliverable,
    DeliverableKind,
    Engagement,
    Guarantee,
    PaymentMilestone,
    ServiceItem,
)
from anbao.engagement.services import parse

VIEW, EDIT, ACCEPT = (
    Capability.ENGAGEMENT_VIEW,
    Capability.ENGAGEMENT_EDIT,
    Capability.DELIVERABLE_ACCEPT,
)


def _form_page(
    request: Any, form: Any, title: str, engagement_pk: int | None = None
) -> HttpResponse:
    """A form page; shown again after a POST only when the input was refused (400)."""
    cancel = "engagement:detail" if engagement_pk else "engagement:list"
    return render(
        request,
        "engagement/form.html",
        {"form": form, "title": title, "cancel_url": cancel, "cancel_pk": engagement_pk},
        status=400 if request.method == "POST" else 200,
    )


@requires(VIEW)
def dashboard(request: Any) -> HttpResponse:
    """The client officer's view of one engagement: the newest active one, or ``?id=``."""
    engagements = list(Engagement.objects.order_by("-start_date", "-id"))
    chosen = request.GET.get("id", "")
    engagement = None
    if chosen.isdigit():
        engagement = next((e for e in engagements if e.pk == int(chosen)), None)
    engagement = engagement or services.current_engagement()
    today = _as_of(request)
    summary = services.status_summary(engagement, today) if engagement else None
    return render(
        request,
        "engagement/dashboard.html",
        {
            "engagement": engagement,
            "engagements": engagements,
            "s": summary,
            "can_edit": request.user.can(EDIT),
        },
    )


def _as_of(request: Any) -> date | None:
    """The ``?today=`` of a status page (to look at a past or future day), else None."""
    try:
        return parse.day({"today": request.GET.get("today")}, "today", required=False)
    except errors.Error as exc:
        messages.error(request, exc.message)
        return None


@requires(VIEW)
def engagement_list(request: Any) -> HttpResponse:
    return render(
        request,
        "engagement/list.html",
        {
            "engagements": Engagement.objects.order_by("-start_date", "-id"),
            "can_edit": request.user.can(EDIT),
        },
    )


@requires(VIEW)
def detail(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    deliverables = engagement.deliverables.select_related(
        "kind", "submitted_by", "accepted_by"
    ).order_by("kind__order", "sequence")
    return render(
        request,
        "engagement/detail.html",
        {
            "engagement": engagement,
            "s": services.status_summary(engagement, _as_of(request)),
            "parties": engagement.parties.all(),
            "items": engagement.service_items.all(),
            "kinds": engagement.deliverable_kinds.all(),
            "deliverables": deliverables,
            "guarantee": Guarantee.objects.filter(engagement=engagement).first(),
            "can_edit": request.user.can(EDIT),
        },
    )


def _contract_data(form: EngagementForm) -> dict[str, Any]:
    data = {
        k: form.cleaned_data.get(k)
        for k in (
            "code",
            "name",
            "title",
            "status",
            "amount",
            "start_date",
            "end_date",
            "signed_on",
            "signing_place",
            "notes",
            "final_accepted_on",
        )
    }
    data["liabilities"] = form.liabilities()
    data["parties"] = form.parties()
    return data


def _standard_initial() -> dict[str, Any]:
    """The sample contract's payment plan and guarantee share as a starting point.

    Conditions tied to the sample's own dates are left for the user to write.
    """
    data = services.load_sample_data()
    initial: dict[str, Any] = {"guarantee_percentage": data["guarantee"]["percentage"]}
    for m in data["payment_milestones"]:
        n = m["sequence"]
        initial.update(
            {
                f"m{n}_name": m["name"],
                f"m{n}_percentage": m["percentage"],
                f"m{n}_days_after_condition": m.get("days_after_condition"),
            }
        )
        if "deadline" not in m:
            initial[f"m{n}_condition"] = m["condition"]
    return initial


@requires(EDIT)
def create(request: Any) -> HttpResponse:
    form = EngagementForm(request.POST or None, initial=_standard_initial())
    if request.method == "POST" and form.is_valid():
        data = _contract_data(form)
        data["payment_milestones"] = form.milestones()
        if form.cleaned_data.get("guarantee_percentage") is not None:
            data["guarantee"] = {
                "percentage": form.cleaned_data["guarantee_percentage"],
                "provide_by": form.cleaned_data.get("guarantee_provide_by"),
                "return_by": form.cleaned_data.get("guarantee_return_by"),
            }
        if form.cleaned_data.get("standard_deliverables"):
            data["deliverable_kinds"] = services.standard_deliverable_kinds()
        try:
            engagement = services.create_engagement(data, actor=request.user, request=request)
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The engagement %(code)s was created.") % {"code": engagement.code}
            )
            return redirect("engagement:detail", pk=engagement.pk)
    return _form_page(request, form, _("New engagement"))


@requires(EDIT)
def edit(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    initial: dict[str, Any] = {
        f: getattr(engagement, f) for f in EngagementForm.base_fields if hasattr(engagement, f)
    }
    for party in engagement.parties.all():
        initial.update({f"{party.role}_{f}": getattr(party, f) for f in PARTY_FIELDS})
    form = EngagementForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = _contract_data(form)
        parties = data.pop("parties")
        try:
            with transaction.atomic():
                services.update_engagement(engagement, data, actor=request.user, request=request)
                for party in parties:
                    services.save_party(engagement, party, actor=request.user, request=request)
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The engagement was saved."))
            return redirect("engagement:detail", pk=engagement.pk)
    return _form_page(request, form, _("Edit %(code)s") % {"code": engagement.code}, engagement.pk)


@requires(EDIT)
def service_item_form(request: Any, pk: int, item_pk: int | None = None) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    item = get_object_or_404(ServiceItem, pk=item_pk, engagement=engagement) if item_pk else None
    initial = {f: getattr(item, f) for f in ServiceItemForm.base_fields} if item else {}
    form = ServiceItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_service_item(
                engagement, form.cleaned_data, item=item, actor=request.user, request=request
            )
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The service item was saved."))
            return redirect("engagement:detail", pk=engagement.pk)
    return _form_page(request, form, _("Service item"), engagement.pk)


@requires(EDIT)
def kind_create(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    form = DeliverableKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_kind(engagement, form.cleaned_data, actor=request.user, request=request)
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The deliverable kind was added and scheduled."))
            return redirect("engagement:detail", pk=engagement.pk)
    return _form_page(request, form, _("New deliverable kind"), engagement.pk)


@requires(EDIT)
@require_POST
def kind_delete(request: Any, pk: int) -> HttpResponse:
    kind = get_object_or_404(DeliverableKind, pk=pk)
    try:
        services.delete_kind(kind, actor=request.user, request=request)
    except errors.Error as exc:
        return render(
            request,
            "web/error.html",
            {"status": exc.http_status, "message": exc.message},
            status=exc.http_status,
        )
    messages.success(request, _("The deliverable kind was removed."))
    return redirect("engagement:detail", pk=kind.engagement_id)


def _deliverable_page(request: Any, pk: int, status: int = 200) -> HttpResponse:
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("kind", "engagement", "submitted_by", "accepted_by"),
        pk=pk,
    )
    files = getattr(deliverable, "report_files", None)
    rows = list(files.order_by("-id")) if files is not None else []
    return render(
        request,
        "engagement/deliverable.html",
        {
            "d": deliverable,
            "report_files": [(f, _report_url(f)) for f in rows],
            "can_work": request.user.can(EDIT),
            "can_accept": request.user.can(ACCEPT),
        },
        status=status,
    )


@requires(VIEW)
def deliverable_detail(request: Any, pk: int) -> HttpResponse:
    return _deliverable_page(request, pk)


def _report_url(report_file: Any) -> str:
    """The reports app's download page for a file, if that app offers one."""
    try:
        return reverse("reports:download", args=[report_file.pk])
    except NoReverseMatch:
        return ""


def _event_time(request: Any) -> datetime | None:
    """The optional ``on`` date of an action recorded after the fact, as noon that day.

    Today (or nothing) means now; a later day is passed on for the service to refuse.
    """
    day = parse.day({"on": request.POST.get("on")}, "on", required=False)
    if day is None or day == timezone.localdate():
        return None
    return timezone.make_aware(datetime.combine(day, time(12)))


def _transition(request: Any, pk: int, allowed: tuple[str, ...]) -> HttpResponse:
    """Apply an action; a refusal shows the deliverable again with the reason and a 4xx."""
    deliverable = get_object_or_404(Deliverable, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action not in allowed:
            raise errors.ValidationError(_("Unknown action."))
        services.transition(
            deliverable,
            action,
            actor=request.user,
            request=request,
            note=request.POST.get("note", "")[:2000],
            at=_event_time(request),
        )
    except errors.Error as exc:
        messages.error(request, exc.message)
        return _deliverable_page(request, pk, status=exc.http_status)
    messages.success(request, _("%(name)s: done.") % {"name": str(deliverable)})
    return redirect("engagement:deliverable", pk=pk)


@requires(EDIT)
@require_POST
def deliverable_work(request: Any, pk: int) -> HttpResponse:
    """The provider's actions: start, submit."""
    return _transition(request, pk, ("start", "submit"))


@requires(ACCEPT)
@require_POST
def deliverable_review(request: Any, pk: int) -> HttpResponse:
    """The client officer's actions: accept, reject (back to work), reopen."""
    return _transition(request, pk, ("accept", "reject", "reopen"))


@requires(EDIT)
def milestone_edit(request: Any, pk: int) -> HttpResponse:
    milestone = get_object_or_404(PaymentMilestone, pk=pk)
    initial = {f: getattr(milestone, f) for f in MilestoneForm.base_fields}
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_milestone(
                milestone, form.cleaned_data, actor=request.user, request=request
            )
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect("engagement:detail", pk=milestone.engagement_id)
    return _form_page(request, form, str(milestone), milestone.engagement_id)


@requires(EDIT)
def guarantee_edit(request: Any, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=pk)
    existing = Guarantee.objects.filter(engagement=engagement).first()
    initial = {f: getattr(existing, f) for f in GuaranteeForm.base_fields} if existing else {}
    form = GuaranteeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_guarantee(
                engagement, form.cleaned_data, actor=request.user, request=request
            )
        except errors.Error as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The guarantee was saved."))
            return redirect("engagement:detail", pk=engagement.pk)
    return _form_page(request, form, _("Performance guarantee"), engagement.pk)
