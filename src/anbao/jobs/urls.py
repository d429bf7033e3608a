from django.urls import path

from anbao.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<str:job_id>/", views.job_detail, name="detail"),
    path("<str:job_id>/cancel/", views.job_cancel, name="cancel"),
]
