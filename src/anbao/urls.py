"""The root URL configuration: one include per domain, pages and API side by side."""

from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from anbao.accounts.access import public
from anbao.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    # The API first: other systems call it many times a second, and Django tries the
    # patterns in order.
    path("api/schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        public(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("api/", include("anbao.api.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("anbao.web.urls")),
    path("accounts/", include("anbao.accounts.urls")),
    path("audit/", include("anbao.audit.urls")),
    path("jobs/", include("anbao.jobs.urls")),
    path("engagements/", include("anbao.engagement.urls")),
    path("reports/", include("anbao.reports.urls")),
    path("pki/", include("anbao.pki.urls")),
    path("enrol/", include("anbao.enrolment.urls")),
    path("notifications/", include("anbao.notifications.urls")),
    path("oidc/", include("anbao.oidc.urls")),
    path("", include("anbao.oidc.protocol_urls")),
]

handler400 = "anbao.web.errors.bad_request"
handler403 = "anbao.web.errors.permission_denied"
handler404 = "anbao.web.errors.not_found"
handler500 = "anbao.web.errors.server_error"
