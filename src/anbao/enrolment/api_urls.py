from django.urls import path

from anbao.enrolment import api

urlpatterns = [
    path("enrol/<str:code>/", api.Enrol.as_view(), name="api-enrol"),
]
