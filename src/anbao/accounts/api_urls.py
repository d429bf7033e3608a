from django.urls import path

from anbao.accounts import api, api_login

urlpatterns = [
    path("auth/challenge", api_login.AuthChallenge.as_view(), name="api-auth-challenge"),
    path("auth/login", api_login.AuthLogin.as_view(), name="api-auth-login"),
    path("users/", api.UserListCreate.as_view(), name="api-user-list"),
    path("users/<int:pk>/", api.UserDetail.as_view(), name="api-user-detail"),
    path("me/", api.Me.as_view(), name="api-me"),
]
