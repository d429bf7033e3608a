from django.urls import path

from anbao.pki import api, api_cms

urlpatterns = [
    path("signatures/verify/", api.SignatureVerify.as_view(), name="api-signature-verify"),
    path("signatures/sign/", api.SignatureSign.as_view(), name="api-signature-sign"),
    path("signatures/cms/verify/", api_cms.CMSVerify.as_view(), name="api-cms-verify"),
    path("signatures/cms/sign/", api_cms.CMSSign.as_view(), name="api-cms-sign"),
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
