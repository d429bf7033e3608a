from django.urls import path

from anbao.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", admin_views.user_list, name="user_list"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<int:pk>/", admin_views.user_edit, name="user_edit"),
    path(
        "users/<int:pk>/reset-password/",
        admin_views.user_reset_password,
        name="user_reset_password",
    ),
    path("lockouts/", admin_views.lockouts, name="lockouts"),
    path("lockouts/unlock/", admin_views.unlock, name="unlock"),
]
