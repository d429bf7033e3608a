from django.urls import path

from anbao.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("verify/", views.chain_status, name="verify"),
    path("export.csv", views.export_csv, name="export"),
    path("<int:seq>/", views.record_detail, name="detail"),
]
