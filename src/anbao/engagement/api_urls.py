"""Routes of the engagement API under /api/."""

from django.urls import path

from anbao.engagement import api

urlpatterns = [
    path("engagements/", api.EngagementListCreate.as_view(), name="api-engagement-list"),
    path("engagements/<int:pk>/", api.EngagementDetail.as_view(), name="api-engagement"),
    path(
        "engagements/<int:pk>/summary/",
        api.EngagementSummary.as_view(),
        name="api-engagement-summary",
    ),
    path(
        "engagements/<int:pk>/deliverables/",
        api.DeliverableList.as_view(),
        name="api-engagement-deliverables",
    ),
    path(
        "engagements/<int:pk>/deliverable-kinds/",
        api.KindListCreate.as_view(),
        name="api-engagement-kinds",
    ),
    path(
        "engagements/<int:pk>/service-items/",
        api.ServiceItemListCreate.as_view(),
        name="api-engagement-items",
    ),
    path(
        "engagements/<int:pk>/payments/",
        api.MilestoneList.as_view(),
        name="api-engagement-payments",
    ),
    path(
        "engagements/<int:pk>/guarantee/",
        api.GuaranteeDetail.as_view(),
        name="api-engagement-guarantee",
    ),
    path(
        "engagements/<int:pk>/work-log/",
        api.WorkLogListCreate.as_view(),
        name="api-engagement-work-log",
    ),
    path(
        "engagements/<int:pk>/maintenance/",
        api.MaintenanceListCreate.as_view(),
        name="api-engagement-maintenance",
    ),
    path("deliverables/<int:pk>/", api.DeliverableDetail.as_view(), name="api-deliverable"),
    *[
        path(f"deliverables/<int:pk>/{action}/", view.as_view(), name=f"api-deliverable-{action}")
        for action, view in api.DELIVERABLE_ACTIONS.items()
    ],
    path("payments/<int:pk>/", api.MilestoneDetail.as_view(), name="api-payment"),
    path("deliverable-kinds/<int:pk>/", api.KindDetail.as_view(), name="api-deliverable-kind"),
    path("service-items/<int:pk>/", api.ServiceItemDetail.as_view(), name="api-service-item"),
]
