from django.urls import path

from anbao.pki import api

urlpatterns = [
    path("signatures/verify/", api.SignatureVerify.as_view(), name="api-signature-verify"),
    path("signatures/sign/", api.SignatureSign.as_view(), name="api-signature-sign"),
]
