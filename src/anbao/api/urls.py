"""The REST API: each domain contributes its routes from its own ``api_urls`` module."""

from django.urls import include, path

urlpatterns = [
    path("", include("anbao.pki.api_urls")),  # first: the signature service is the busiest
    path("", include("anbao.accounts.api_urls")),
    path("", include("anbao.audit.api_urls")),
    path("", include("anbao.jobs.api_urls")),
    path("", include("anbao.engagement.api_urls")),
    path("", include("anbao.reports.api_urls")),
    path("", include("anbao.enrolment.api_urls")),
]
