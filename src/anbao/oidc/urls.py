from django.urls import path

from anbao.oidc import views

app_name = "oidc"
urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<str:client_id>/", views.client_edit, name="client_edit"),
    path(
        "clients/<str:client_id>/rotate-secret/",
        views.client_rotate_secret,
        name="client_rotate_secret",
    ),
    path("clients/<str:client_id>/disable/", views.client_disable, name="client_disable"),
    path("clients/<str:client_id>/enable/", views.client_enable, name="client_enable"),
    path("clients/<str:client_id>/remove/", views.client_remove, name="client_remove"),
]
