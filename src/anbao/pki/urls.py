from django.urls import path, re_path

from anbao.pki import views

app_name = "pki"
urlpatterns = [
    path("crl/issuing.crl", views.crl, name="crl"),
    path("ca/<str:role>.cer", views.ca_certificate, name="ca_certificate"),
    path("ocsp", views.ocsp, name="ocsp"),
    re_path(r"^ocsp/(?P<encoded>[A-Za-z0-9+/=%]{1,4000})$", views.ocsp, name="ocsp_get"),
]
