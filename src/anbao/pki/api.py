"""Signature-verification service API for other systems (see docs/signature-service.md)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.pki.services import signatures


class Base64Field(serializers.CharField):
    """Standard base64 (RFC 4648 §4), decoded to bytes."""

    def to_internal_value(self, data: Any) -> bytes:
        text = super().to_internal_value(data)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("not valid base64") from None


class VerifyRequest(serializers.Serializer):
    message = Base64Field(max_length=14_000_000, help_text="the signed bytes, base64")
    signature = Base64Field(max_length=1000, help_text="DER SM2 signature, base64")
    certificate = serializers.CharField(
        required=False, max_length=20_000, help_text="the signer's certificate, PEM"
    )
    serial = serializers.CharField(
        required=False, max_length=64, help_text="or the serial of a certificate issued here (hex)"
    )
    id = serializers.CharField(
        required=False,
        max_length=1024,
        default="1234567812345678",
        help_text="SM2 distinguishing ID (UTF-8)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("certificate" in attrs) == ("serial" in attrs):
            raise serializers.ValidationError("give either certificate or serial")
        return attrs


VERDICT = inline_serializer(
    "SignatureVerdict",
    {
        "valid": serializers.BooleanField(),
        "reason": serializers.ChoiceField(
            choices=[
                "signature_invalid",
                "certificate_revoked",
                "certificate_expired",
                "untrusted_issuer",
                "wrong_key_usage",
            ],
            allow_null=True,
        ),
        "message": serializers.CharField(),
        "certificate": inline_serializer(
            "VerdictCertificate",
            {
                "serial": serializers.CharField(),
                "subject": serializers.CharField(),
                "not_after": serializers.DateTimeField(),
            },
        ),
    },
)


class SignatureVerify(APIView):
    permission_classes = [HasCapability]
    capability = Capability.SIGNATURE_VERIFY

    @extend_schema(request=VerifyRequest, responses=VERDICT)
    def post(self, request: Request) -> Response:
        ser = VerifyRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        verdict = signatures.verify(
            data["message"],
            data["signature"],
            certificate=data["certificate"].encode() if "certificate" in data else None,
            serial=data.get("serial"),
            distinguishing_id=data["id"].encode(),
            actor=request.user,
        )
        return Response(
            {
                "valid": verdict.valid,
                "reason": verdict.reason,
                "message": signatures.reason_message(verdict.reason),
                "certificate": {
                    "serial": verdict.serial,
                    "subject": verdict.subject,
                    "not_after": verdict.not_after,
                },
            }
        )


class SignRequest(serializers.Serializer):
    message = Base64Field(max_length=14_000_000, help_text="the bytes to sign, base64")
    id = serializers.CharField(required=False, max_length=1024, default="1234567812345678")


class SignatureSign(APIView):
    permission_classes = [HasCapability]
    capability = Capability.SIGNATURE_SIGN

    @extend_schema(
        request=SignRequest,
        responses=inline_serializer(
            "SignatureMade",
            {"signature": serializers.CharField(), "certificate": serializers.CharField()},
        ),
    )
    def post(self, request: Request) -> Response:
        ser = SignRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        signature, cert_pem = signatures.sign(
            ser.validated_data["message"],
            actor=request.user,
            distinguishing_id=ser.validated_data["id"].encode(),
        )
        return Response(
            {"signature": base64.b64encode(signature).decode(), "certificate": cert_pem.decode()}
        )
