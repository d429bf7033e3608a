from django.urls import path

from anbao.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("render/", views.report_render, name="render"),
    path("<int:pk>/download/", views.report_download, name="download"),
]
