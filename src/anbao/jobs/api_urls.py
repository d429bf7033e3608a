from django.urls import path

from anbao.jobs import api

urlpatterns = [
    path("jobs/", api.JobList.as_view(), name="jobs-api-list"),
    path("jobs/<str:job_id>/", api.JobDetail.as_view(), name="jobs-api-detail"),
    path("jobs/<str:job_id>/cancel/", api.JobCancel.as_view(), name="jobs-api-cancel"),
]
