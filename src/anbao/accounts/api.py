"""Accounts API: users (system administrator) and the signed-in user's own profile."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts import services
from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.accounts.models import ROLE_CHOICES, User


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "email",
            "role",
            "is_active",
            "must_change_password",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    full_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)


class UserCreatedSerializer(UserSerializer):
    one_time_password = serializers.CharField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "one_time_password"]
        read_only_fields = fields


class UserUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False)
    is_active = serializers.BooleanField(required=False)


class UserListCreate(APIView):
    permission_classes = [HasCapability]
    capability = Capability.USERS_MANAGE

    @extend_schema(responses=UserSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(User.objects.order_by("username"), many=True).data)

    @extend_schema(request=UserCreateSerializer, responses={201: UserCreatedSerializer})
    def post(self, request: Request) -> Response:
        ser = UserCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        user, password = services.create_user(
            data["username"],
            data["role"],
            email=data["email"],
            full_name=data["full_name"],
            request=request,
        )
        body = {**UserSerializer(user).data, "one_time_password": password}
        return Response(body, status=status.HTTP_201_CREATED)


class UserDetail(APIView):
    permission_classes = [HasCapability]
    capability = Capability.USERS_MANAGE

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(UserSerializer(get_object_or_404(User, pk=pk)).data)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        target = get_object_or_404(User, pk=pk)
        ser = UserUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        if target.pk == request.user.pk:
            from anbao.errors import PermissionDenied

            raise PermissionDenied("You cannot change your own role or status.")
        if "role" in ser.validated_data:
            services.change_role(target, ser.validated_data["role"], request=request)
        if "is_active" in ser.validated_data:
            services.set_active(target, ser.validated_data["is_active"], request=request)
        return Response(UserSerializer(target).data)


class Me(APIView):
    permission_classes = [HasCapability]
    capability = Capability.PROFILE_OWN

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        data: dict[str, Any] = dict(UserSerializer(request.user).data)
        data["capabilities"] = sorted(c.value for c in Capability if request.user.can(c))
        return Response(data)
