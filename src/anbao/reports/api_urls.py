from django.urls import path

from anbao.reports import api

urlpatterns = [
    path("reports/", api.ReportFileList.as_view(), name="api-reports-list"),
    path("reports/<int:pk>/", api.ReportFileDetail.as_view(), name="api-reports-detail"),
    path(
        "reports/<int:pk>/download/", api.ReportFileDownload.as_view(), name="api-reports-download"
    ),
]
