from django.urls import path, re_path

from anbao.pki import admin_actions, admin_views, views

app_name = "pki"
urlpatterns = [
    path("crl/issuing.crl", views.crl, name="crl"),
    path("ca/<str:role>.cer", views.ca_certificate, name="ca_certificate"),
    path("ocsp", views.ocsp, name="ocsp"),
    re_path(r"^ocsp/(?P<encoded>[A-Za-z0-9+/=%]{1,4000})$", views.ocsp, name="ocsp_get"),
    # Management pages of the security administrator.
    path("admin/", admin_views.overview, name="admin_ca"),
    path("admin/ca/chain.pem", admin_views.ca_chain, name="admin_chain"),
    path("admin/ca/crl/", admin_actions.issue_crl, name="admin_crl"),
    path("admin/holders/", admin_views.holder_list, name="admin_holders"),
    path("admin/holders/<int:pk>/", admin_views.holder_detail, name="admin_holder"),
    path("admin/certificates/", admin_views.certificate_list, name="admin_certificates"),
    path("admin/certificates/issue/", admin_actions.issue_certificate, name="admin_issue"),
    path(
        "admin/certificates/<str:serial>/",
        admin_views.certificate_detail,
        name="admin_certificate",
    ),
    path(
        "admin/certificates/<str:serial>/download/<str:kind>/",
        admin_views.certificate_download,
        name="admin_download",
    ),
    path("admin/certificates/<str:serial>/revoke/", admin_actions.revoke, name="admin_revoke"),
    path("admin/certificates/<str:serial>/renew/", admin_actions.renew, name="admin_renew"),
    path("admin/keys/<str:token>/", admin_actions.key_download, name="admin_key"),
    path("admin/batches/", admin_actions.batch_list, name="admin_batches"),
    path("admin/batches/<str:batch_id>/", admin_actions.batch_detail, name="admin_batch"),
    path(
        "admin/batches/<str:batch_id>/download/",
        admin_actions.batch_download,
        name="admin_batch_download",
    ),
]
