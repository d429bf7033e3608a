"""``POST /api/enrol/<code>/``: a holder's PKCS#10 request in, certificates out.

Public: the one-time code in the URL is the credential. Used by the PC enrolment page (the
request is made in the browser) and by mobile devices (made on the device).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anbao.accounts.access import ACCESS_ATTR, PUBLIC
from anbao.enrolment import services


class EnrolRequest(serializers.Serializer):
    csr = serializers.CharField(
        max_length=20_000, help_text="PKCS#10 request for an SM2 key, PEM", trim_whitespace=False
    )


ERROR = inline_serializer(
    "EnrolmentError",
    {
        "error": inline_serializer(
            "EnrolmentErrorBody",
            {"code": serializers.CharField(), "message": serializers.CharField()},
        )
    },
)

ENROLLED = inline_serializer(
    "Enrolled",
    {
        "serial": serializers.CharField(help_text="signing certificate serial, hex"),
        "certificate": serializers.CharField(help_text="signing certificate, PEM"),
        "chain": serializers.CharField(help_text="issuing CA then root CA, PEM"),
        "not_after": serializers.DateTimeField(),
        "profile": serializers.CharField(help_text="pc or mobile"),
        "encryption_serial": serializers.CharField(allow_null=True),
        "encryption_certificate": serializers.CharField(
            allow_null=True, help_text="encryption certificate, PEM (dual only)"
        ),
        "envelope": serializers.CharField(
            allow_null=True,
            help_text="GM/T 0009 SM2EnvelopedKey with the encryption key, DER base64 (dual only)",
        ),
    },
)


class Enrol(APIView):
    # No session: the code is the credential, so there is no ambient authority to forge
    # (and no CSRF token to ask a device for).
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=EnrolRequest,
        responses={
            201: ENROLLED,
            400: OpenApiResponse(ERROR, description="bad request"),
            404: OpenApiResponse(ERROR, description="unknown code"),
            410: OpenApiResponse(ERROR, description="code used or expired"),
            429: OpenApiResponse(ERROR, description="too many failures"),
        },
        auth=[],
    )
    def post(self, request: Request, code: str) -> Response:
        ser = EnrolRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        done = services.enrol(code, ser.validated_data["csr"].encode(), request=request)
        return Response(
            {
                "serial": done.serial,
                "certificate": done.certificate_pem,
                "chain": done.chain_pem,
                "not_after": done.not_after,
                "profile": done.invitation.profile,
                "encryption_serial": done.encryption_serial,
                "encryption_certificate": done.encryption_certificate_pem,
                "envelope": done.envelope_b64,
            },
            status=201,
        )


setattr(Enrol, ACCESS_ATTR, PUBLIC)
