"""Audit trail API: read and verify, for the audit administrator only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.audit import services
from anbao.audit.models import AuditRecord


class AuditRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditRecord
        fields = services.CSV_COLUMNS


class AuditRecordList(generics.ListAPIView):
    serializer_class = AuditRecordSerializer
    permission_classes = [HasCapability]
    read_capability = Capability.AUDIT_VIEW

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return services.search(
            actor=params.get("actor", ""),
            action=params.get("action", ""),
            outcome=params.get("outcome", ""),
            since=params.get("since", ""),
            until=params.get("until", ""),
            text=params.get("text", ""),
        )


class AuditChainVerify(APIView):
    permission_classes = [HasCapability]
    read_capability = Capability.AUDIT_VIEW

    @extend_schema(
        responses=inline_serializer(
            "AuditVerify",
            {
                "intact": serializers.BooleanField(),
                "checked": serializers.IntegerField(),
                "broken_at": serializers.IntegerField(allow_null=True),
                "reason": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        checked, broken = services.verify()
        services.record(
            "audit.verify",
            request=request,
            outcome=services.SUCCESS if broken is None else services.FAILURE,
            details={"checked": checked},
        )
        return Response(
            {
                "intact": broken is None,
                "checked": checked,
                "broken_at": broken.seq if broken else None,
                "reason": broken.reason if broken else None,
            }
        )
