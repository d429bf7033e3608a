from django.urls import path

from anbao.pki import api

urlpatterns = [
    path("signatures/verify/", api.SignatureVerify.as_view(), name="api-signature-verify"),
    path("signatures/sign/", api.SignatureSign.as_view(), name="api-signature-sign"),
    path("pki/holders/", api.HolderList.as_view(), name="api-pki-holders"),
    path("pki/certificates/", api.CertificateList.as_view(), name="api-pki-certificates"),
    path(
        "pki/certificates/<str:serial>/",
        api.CertificateDetail.as_view(),
        name="api-pki-certificate",
    ),
    path(
        "pki/certificates/<str:serial>/revoke/",
        api.CertificateRevoke.as_view(),
        name="api-pki-revoke",
    ),
    path(
        "pki/certificates/<str:serial>/renew/",
        api.CertificateRenew.as_view(),
        name="api-pki-renew",
    ),
]
