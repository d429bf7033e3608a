"""The engagement REST API: thin views over the services (see ``api_serializers``).

Reading needs ``ENGAGEMENT_VIEW``; writing ``ENGAGEMENT_EDIT``; accepting, sending back and
reopening a deliverable ``DELIVERABLE_ACCEPT``. Errors use the ``{"error": ...}`` shape.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.engagement import api_serializers as S
from anbao.engagement import services
from anbao.engagement.models import (
    Deliverable,
    DeliverableKind,
    Engagement,
    Guarantee,
    PaymentMilestone,
    ServiceItem,
)
from anbao.engagement.services import parse as P


class Base:
    permission_classes = [HasCapability]
    read_capability = Capability.ENGAGEMENT_VIEW
    write_capability = Capability.ENGAGEMENT_EDIT


def _engagement(pk: int) -> Engagement:
    return get_object_or_404(Engagement, pk=pk)


def _valid(serializer_class: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class EngagementListCreate(Base, generics.ListAPIView):
    serializer_class = S.EngagementOut
    queryset = Engagement.objects.prefetch_related("parties").order_by("-start_date", "-id")

    @extend_schema(request=S.EngagementIn, responses={201: S.EngagementDetailOut})
    def post(self, request: Request) -> Response:
        data = _valid(S.EngagementIn, request.data)
        if data.pop("standard_deliverables", False) and not data.get("deliverable_kinds"):
            data["deliverable_kinds"] = services.standard_deliverable_kinds()
        engagement = services.create_engagement(data, actor=request.user, request=request)
        return Response(S.EngagementDetailOut(engagement).data, status=status.HTTP_201_CREATED)


class EngagementDetail(Base, APIView):
    @extend_schema(responses=S.EngagementDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(S.EngagementDetailOut(_engagement(pk)).data)

    @extend_schema(request=S.EngagementUpdateIn, responses=S.EngagementDetailOut)
    def patch(self, request: Request, pk: int) -> Response:
        engagement = _engagement(pk)
        data = _valid(S.EngagementUpdateIn, request.data, partial=True)
        parties = data.pop("parties", [])
        with transaction.atomic():
            services.update_engagement(engagement, data, actor=request.user, request=request)
            for party in parties:
                services.save_party(engagement, party, actor=request.user, request=request)
        engagement.refresh_from_db()
        return Response(S.EngagementDetailOut(engagement).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_engagement(_engagement(pk), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EngagementSummary(Base, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "today",
                OpenApiTypes.DATE,
                description=("The day to compute the status for (default: today)."),
            )
        ],
        responses=S.SummaryOut,
    )
    def get(self, request: Request, pk: int) -> Response:
        engagement = _engagement(pk)
        today: date | None = P.day(dict(request.query_params.items()), "today", required=False)
        return Response(S.SummaryOut(services.status_summary(engagement, today)).data)


class DeliverableList(Base, generics.ListAPIView):
    serializer_class = S.DeliverableOut

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Deliverable.Status.values),
            OpenApiParameter("kind", OpenApiTypes.STR, description="deliverable kind code"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        engagement = _engagement(self.kwargs["pk"])
        rows = engagement.deliverables.select_related("kind", "submitted_by", "accepted_by")
        wanted = self.request.query_params.get("status")
        if wanted:
            P.choice({"status": wanted}, "status", Deliverable.Status.values)
            rows = rows.filter(status=wanted)
        if self.request.query_params.get("kind"):
            rows = rows.filter(kind__code=self.request.query_params["kind"])
        return rows.order_by("due_date", "kind__order", "sequence")


class DeliverableDetail(Base, generics.RetrieveAPIView):
    serializer_class = S.DeliverableOut
    queryset = Deliverable.objects.select_related("kind", "submitted_by", "accepted_by")


def _action_view(action: str, capability: Capability) -> type[APIView]:
    class Action(Base, APIView):
        write_capability = capability

        @extend_schema(
            request=S.TransitionIn, responses=S.DeliverableOut, operation_id=f"deliverable_{action}"
        )
        def post(self, request: Request, pk: int) -> Response:
            deliverable = get_object_or_404(Deliverable, pk=pk)
            data = _valid(S.TransitionIn, request.data)
            row = services.transition(
                deliverable,
                action,
                actor=request.user,
                request=request,
                note=data.get("note", ""),
                at=data.get("at"),
            )
            return Response(S.DeliverableOut(row).data)

    Action.__name__ = Action.__qualname__ = f"Deliverable{action.title()}"
    return Action


DELIVERABLE_ACTIONS = {
    "start": _action_view("start", Capability.ENGAGEMENT_EDIT),
    "submit": _action_view("submit", Capability.ENGAGEMENT_EDIT),
    "accept": _action_view("accept", Capability.DELIVERABLE_ACCEPT),
    "reject": _action_view("reject", Capability.DELIVERABLE_ACCEPT),
    "reopen": _action_view("reopen", Capability.DELIVERABLE_ACCEPT),
}


class KindListCreate(Base, generics.ListAPIView):
    serializer_class = S.DeliverableKindOut

    def get_queryset(self) -> Any:
        return _engagement(self.kwargs["pk"]).deliverable_kinds.all()

    @extend_schema(request=S.DeliverableKindIn, responses={201: S.DeliverableKindOut})
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(S.DeliverableKindIn, request.data)
        kind = services.create_kind(_engagement(pk), data, actor=request.user, request=request)
        return Response(S.DeliverableKindOut(kind).data, status=status.HTTP_201_CREATED)


class ServiceItemListCreate(Base, generics.ListAPIView):
    serializer_class = S.ServiceItemOut

    def get_queryset(self) -> Any:
        return _engagement(self.kwargs["pk"]).service_items.all()

    @extend_schema(request=S.ServiceItemIn, responses={201: S.ServiceItemOut})
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(S.ServiceItemIn, request.data)
        item = services.save_service_item(
            _engagement(pk), data, actor=request.user, request=request
        )
        return Response(S.ServiceItemOut(item).data, status=status.HTTP_201_CREATED)


class KindDetail(Base, APIView):
    @extend_schema(responses=S.DeliverableKindOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(S.DeliverableKindOut(get_object_or_404(DeliverableKind, pk=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        kind = get_object_or_404(DeliverableKind, pk=pk)
        services.delete_kind(kind, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceItemDetail(Base, APIView):
    @extend_schema(responses=S.ServiceItemOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(S.ServiceItemOut(get_object_or_404(ServiceItem, pk=pk)).data)

    @extend_schema(request=S.ServiceItemIn, responses=S.ServiceItemOut)
    def patch(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(ServiceItem, pk=pk)
        current = S.ServiceItemOut(item).data
        data = _valid(S.ServiceItemIn, {**current, **request.data})
        item = services.save_service_item(
            item.engagement, data, item=item, actor=request.user, request=request
        )
        return Response(S.ServiceItemOut(item).data)


class MilestoneList(Base, generics.ListAPIView):
    serializer_class = S.MilestoneOut

    def get_queryset(self) -> Any:
        return _engagement(self.kwargs["pk"]).payment_milestones.all()


class MilestoneDetail(Base, APIView):
    @extend_schema(responses=S.MilestoneOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(S.MilestoneOut(get_object_or_404(PaymentMilestone, pk=pk)).data)

    @extend_schema(request=S.MilestoneUpdateIn, responses=S.MilestoneOut)
    def patch(self, request: Request, pk: int) -> Response:
        milestone = get_object_or_404(PaymentMilestone, pk=pk)
        data = _valid(S.MilestoneUpdateIn, request.data, partial=True)
        milestone = services.update_milestone(milestone, data, actor=request.user, request=request)
        return Response(S.MilestoneOut(milestone).data)


class GuaranteeDetail(Base, APIView):
    @extend_schema(responses=S.GuaranteeOut)
    def get(self, request: Request, pk: int) -> Response:
        guarantee = get_object_or_404(Guarantee, engagement=_engagement(pk))
        return Response(S.GuaranteeOut(guarantee).data)

    @extend_schema(request=S.GuaranteeIn, responses=S.GuaranteeOut)
    def put(self, request: Request, pk: int) -> Response:
        engagement = _engagement(pk)
        data = _valid(S.GuaranteeIn, request.data)
        guarantee = services.update_guarantee(engagement, data, actor=request.user, request=request)
        return Response(S.GuaranteeOut(guarantee).data)


class _RecordListCreate(Base, generics.ListAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    input_class: Any = None
    output_class: Any = None
    related = ""
    add: Any = None

    def get_queryset(self) -> Any:
        return getattr(_engagement(self.kwargs["pk"]), self.related).prefetch_related("attachments")

    def create(self, request: Request, pk: int) -> Response:
        engagement = _engagement(pk)
        payload = request.data
        if hasattr(payload, "getlist"):
            payload = {k: payload.get(k) for k in payload if k != "files"}
            payload["files"] = request.FILES.getlist("files")
        data = _valid(self.input_class, payload)
        files = data.pop("files", [])
        entry = type(self).add(engagement, data, files=files, actor=request.user, request=request)
        return Response(self.output_class(entry).data, status=status.HTTP_201_CREATED)


class WorkLogListCreate(_RecordListCreate):
    serializer_class = S.WorkLogOut
    input_class, output_class, related = S.WorkLogIn, S.WorkLogOut, "work_log"
    add = staticmethod(services.add_work_log_entry)

    @extend_schema(
        request={"application/json": S.WorkLogIn, "multipart/form-data": S.WorkLogIn},
        responses={201: S.WorkLogOut},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.create(request, pk)


class MaintenanceListCreate(_RecordListCreate):
    serializer_class = S.MaintenanceOut
    input_class, output_class, related = S.MaintenanceIn, S.MaintenanceOut, "maintenance_records"
    add = staticmethod(services.add_maintenance_record)

    @extend_schema(
        request={"application/json": S.MaintenanceIn, "multipart/form-data": S.MaintenanceIn},
        responses={201: S.MaintenanceOut},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.create(request, pk)
