from django.urls import path

from anbao.enrolment import views

app_name = "enrolment"
urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:code>/", views.enrol, name="enrol"),
]
