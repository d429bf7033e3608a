"""Detached CMS SignedData (GM/T 0010) in the signature service."""

from __future__ import annotations

import base64

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.pki.api import VERDICT, Base64Field, verdict_body
from anbao.pki.services import signatures


class CMSVerifyRequest(serializers.Serializer):
    message = Base64Field(max_length=14_000_000, help_text="the signed bytes, base64")
    cms = Base64Field(max_length=100_000, help_text="detached SignedData (DER), base64")
    certificate = serializers.CharField(
        required=False,
        max_length=20_000,
        help_text="the signer's certificate, PEM (default: the one inside the SignedData)",
    )
    id = serializers.CharField(required=False, max_length=1024, default="1234567812345678")


class CMSVerify(APIView):
    permission_classes = [HasCapability]
    capability = Capability.SIGNATURE_VERIFY

    @extend_schema(request=CMSVerifyRequest, responses=VERDICT)
    def post(self, request: Request) -> Response:
        ser = CMSVerifyRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        verdict = signatures.verify_cms(
            data["cms"],
            data["message"],
            certificate=data["certificate"].encode() if "certificate" in data else None,
            distinguishing_id=data["id"].encode(),
            actor=request.user,
        )
        return Response(verdict_body(verdict))


class CMSSignRequest(serializers.Serializer):
    message = Base64Field(max_length=14_000_000, help_text="the bytes to sign, base64")


class CMSSign(APIView):
    permission_classes = [HasCapability]
    capability = Capability.SIGNATURE_SIGN

    @extend_schema(
        request=CMSSignRequest,
        responses=inline_serializer("CMSMade", {"cms": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        ser = CMSSignRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        signed = signatures.sign_cms(ser.validated_data["message"], actor=request.user)
        return Response({"cms": base64.b64encode(signed).decode()})
