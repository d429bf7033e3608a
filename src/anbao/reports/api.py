"""Reports API: list, render, show and download rendered report files."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao import errors
from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.reports import services
from anbao.reports.models import ReportFile
from anbao.reports.views import file_response


class ReportFileSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReportFile
        fields = [
            "id",
            "kind",
            "engagement",
            "deliverable",
            "version",
            "format",
            "document_number",
            "title",
            "size",
            "sm3",
            "created_by",
            "created_at",
        ]


class RenderRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=32)
    engagement = serializers.IntegerField(min_value=1)
    format = serializers.ChoiceField(choices=["docx", "pdf"], default="pdf")
    deliverable = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ReportFileList(generics.ListAPIView):
    """GET: rendered files, newest first (filters: kind, engagement). POST: render one."""

    serializer_class = ReportFileSerializer
    permission_classes = [HasCapability]
    read_capability = Capability.REPORT_VIEW
    write_capability = Capability.REPORT_RENDER

    def get_queryset(self) -> Any:
        qs = ReportFile.objects.select_related("created_by")
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("engagement"):
            try:
                qs = qs.filter(engagement_id=int(params["engagement"]))
            except ValueError:
                raise errors.ValidationError(_("engagement: a number is required.")) from None
        return qs

    @extend_schema(request=RenderRequestSerializer, responses={201: ReportFileSerializer})
    def post(self, request: Request) -> Response:
        data = RenderRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        engagement, deliverable = services.find_subject(
            data.validated_data["engagement"], data.validated_data.get("deliverable")
        )
        report = services.render(
            data.validated_data["kind"],
            engagement,
            data.validated_data["format"],
            request.user,
            deliverable,
            request=request,
        )
        return Response(ReportFileSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportFileDetail(generics.RetrieveAPIView):
    serializer_class = ReportFileSerializer
    permission_classes = [HasCapability]
    read_capability = Capability.REPORT_VIEW
    queryset = ReportFile.objects.select_related("created_by")


class ReportFileDownload(APIView):
    """The file itself, after its SM3 digest is checked (409 if it was altered)."""

    permission_classes = [HasCapability]
    read_capability = Capability.REPORT_VIEW

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        report = get_object_or_404(ReportFile, pk=pk)
        data = services.open_file(report, actor=request.user, request=request)
        return file_response(report, data)
