"""The sign-in API: challenge, then certificate signature + password (docs/cert-login.md).

No session or CSRF check applies to these two routes (a browser cannot send this JSON
cross-site without a CORS preflight, which anbao never grants); the session cookie they set
is SameSite=Strict.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts import login as login_service
from anbao.accounts.access import ACCESS_ATTR, PUBLIC
from anbao.accounts.login_core import MAX_ID_LENGTH


class ChallengeRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class LoginRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    challenge_id = serializers.CharField(required=False, max_length=MAX_ID_LENGTH)
    signature = serializers.CharField(
        required=False, max_length=400, help_text="base64 DER SM2 signature of the challenge"
    )
    certificate = serializers.CharField(
        required=False, max_length=20_000, help_text="the signing certificate, PEM (optional)"
    )
    token = serializers.BooleanField(
        required=False, default=False, help_text="return a bearer token instead of a session"
    )


class _Public(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


setattr(_Public, ACCESS_ATTR, PUBLIC)


class AuthChallenge(_Public):
    @extend_schema(
        request=ChallengeRequest,
        responses=inline_serializer(
            "LoginChallenge",
            {
                "challenge_id": serializers.CharField(),
                "nonce": serializers.CharField(),
                "expires_at": serializers.CharField(),
                "server": serializers.CharField(),
                "message": serializers.CharField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        ser = ChallengeRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(login_service.issue_challenge(ser.validated_data["username"]))


class AuthLogin(_Public):
    @extend_schema(
        request=LoginRequest,
        responses=inline_serializer(
            "LoginDone",
            {
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "amr": serializers.ListField(child=serializers.CharField()),
                "acr": serializers.CharField(),
                "token": serializers.CharField(required=False),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        ser = LoginRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        done = login_service.login(
            request._request,
            username=data["username"],
            password=data["password"],
            challenge_id=data.get("challenge_id"),
            signature=data.get("signature"),
            certificate_pem=data.get("certificate"),
        )
        body: dict[str, Any] = {
            "username": done.user.username,
            "role": done.user.role,
            "amr": list(done.amr),
            "acr": done.acr,
        }
        if data["token"]:
            body["token"] = login_service.session_token(done.user)
            request._request.session.flush()
        return Response(body)
