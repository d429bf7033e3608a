from django.urls import path

from anbao.accounts import api

urlpatterns = [
    path("users/", api.UserListCreate.as_view(), name="api-user-list"),
    path("users/<int:pk>/", api.UserDetail.as_view(), name="api-user-detail"),
    path("me/", api.Me.as_view(), name="api-me"),
]
