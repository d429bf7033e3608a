"""Job pages: the list with live progress, a job's detail with its log, and cancel."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anbao import errors
from anbao.accounts.access import requires
from anbao.accounts.core import Capability
from anbao.jobs import services
from anbao.jobs.models import STATE_CHOICES

PAGE_SIZE = 50


@requires(Capability.JOBS_VIEW)
def job_list(request: Any) -> HttpResponse:
    state = request.GET.get("state", "")
    try:
        jobs = services.list_jobs(state=state)
    except errors.ValidationError as exc:
        messages.error(request, exc.message)
        state, jobs = "", services.list_jobs()
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "state": state,
            "states": STATE_CHOICES,
            "can_cancel": request.user.can(Capability.JOBS_CANCEL),
        },
    )


@requires(Capability.JOBS_VIEW)
def job_detail(request: Any, job_id: str) -> HttpResponse:
    try:
        job = services.get(job_id)
    except errors.NotFound as exc:
        return _not_found(request, exc)
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "can_cancel": request.user.can(Capability.JOBS_CANCEL),
            "params_json": json.dumps(job.params, ensure_ascii=False, sort_keys=True),
            "result_json": json.dumps(job.result, ensure_ascii=False, indent=2, sort_keys=True),
        },
    )


@requires(Capability.JOBS_CANCEL)
@require_POST
def job_cancel(request: Any, job_id: str) -> HttpResponse:
    try:
        job = services.cancel(job_id, request.user, request=request)
    except errors.NotFound as exc:
        return _not_found(request, exc)
    except errors.Conflict as exc:
        messages.warning(request, exc.message)
        return redirect("jobs:detail", job_id=job_id)
    if job.is_finished:
        messages.success(request, _("The job was cancelled."))
    else:
        messages.success(request, _("Cancel requested: the job stops at its next check."))
    return redirect("jobs:detail", job_id=job.id)


def _not_found(request: Any, exc: errors.NotFound) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404, "message": exc.message}, status=404)
