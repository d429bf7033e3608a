"""Pages of the engagement domain (namespace ``engagement``)."""

from django.urls import path

from anbao.engagement import record_views, views

app_name = "engagement"
urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/items/new/", views.service_item_form, name="item_create"),
    path("<int:pk>/items/<int:item_pk>/", views.service_item_form, name="item_edit"),
    path("<int:pk>/kinds/new/", views.kind_create, name="kind_create"),
    path("kinds/<int:pk>/delete/", views.kind_delete, name="kind_delete"),
    path("<int:pk>/guarantee/", views.guarantee_edit, name="guarantee"),
    path("payments/<int:pk>/", views.milestone_edit, name="milestone"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path("deliverables/<int:pk>/work/", views.deliverable_work, name="deliverable_work"),
    path("deliverables/<int:pk>/review/", views.deliverable_review, name="deliverable_review"),
    path("<int:pk>/work-log/", record_views.work_log, name="work_log"),
    path("<int:pk>/work-log/new/", record_views.work_log_add, name="work_log_add"),
    path("<int:pk>/maintenance/", record_views.maintenance, name="maintenance"),
    path("<int:pk>/maintenance/new/", record_views.maintenance_add, name="maintenance_add"),
    path("<str:kind>/<int:pk>/attach/", record_views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", record_views.attachment_download, name="attachment"),
]
