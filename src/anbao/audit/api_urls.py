from django.urls import path

from anbao.audit import api

urlpatterns = [
    path("audit/", api.AuditRecordList.as_view(), name="api-audit-list"),
    path("audit/verify/", api.AuditChainVerify.as_view(), name="api-audit-verify"),
]
