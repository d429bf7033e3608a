"""Jobs REST API: list, detail (with progress and log), cancel."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.jobs import services

JobSchema = inline_serializer(
    "Job",
    {
        "id": serializers.UUIDField(),
        "kind": serializers.CharField(),
        "name": serializers.CharField(),
        "params": serializers.JSONField(),
        "state": serializers.ChoiceField(["queued", "running", "succeeded", "failed", "cancelled"]),
        "state_label": serializers.CharField(),
        "progress": serializers.IntegerField(),
        "message": serializers.CharField(),
        "result": serializers.JSONField(allow_null=True),
        "error": serializers.CharField(),
        "backend": serializers.CharField(),
        "schedule": serializers.CharField(),
        "created_by": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "started_at": serializers.DateTimeField(allow_null=True),
        "finished_at": serializers.DateTimeField(allow_null=True),
        "cancel_requested": serializers.BooleanField(),
        "finished": serializers.BooleanField(),
        "log": serializers.CharField(required=False),
    },
)


class JobList(APIView):
    permission_classes = [HasCapability]
    read_capability = Capability.JOBS_VIEW

    @extend_schema(
        operation_id="jobs_list",
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=JobSchema,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        jobs = services.list_jobs(state=params.get("state", ""), kind=params.get("kind", ""))
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response([services.as_dict(j) for j in page or []])


class JobDetail(APIView):
    permission_classes = [HasCapability]
    read_capability = Capability.JOBS_VIEW

    @extend_schema(operation_id="jobs_retrieve", responses=JobSchema)
    def get(self, request: Request, job_id: str) -> Response:
        return Response(services.as_dict(services.get(job_id), with_log=True))


class JobCancel(APIView):
    permission_classes = [HasCapability]
    read_capability = Capability.JOBS_VIEW
    write_capability = Capability.JOBS_CANCEL

    @extend_schema(request=None, responses=JobSchema)
    def post(self, request: Request, job_id: str) -> Response:
        job = services.cancel(job_id, request.user, request=request)
        return Response(services.as_dict(job))
