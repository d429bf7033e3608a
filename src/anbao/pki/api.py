"""PKI API: the signature-verification service for other systems (see
docs/signature-service.md), and management of the CA for the security administrator."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import APIView

from anbao import errors
from anbao.accounts.access import HasCapability
from anbao.accounts.core import Capability
from anbao.pki.core.crl import Reason
from anbao.pki.core.profiles import Usage
from anbao.pki.models import Certificate, Holder
from anbao.pki.services import search, signatures, status
from anbao.pki.services.issuance import HolderInput, certificate_pem, issue

_CHARACTER_CHECKS = (ProhibitSurrogateCharactersValidator, ProhibitNullCharactersValidator)


class Base64Field(serializers.CharField):
    """Standard base64 (RFC 4648 §4), decoded to bytes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The decoder refuses anything outside the base64 alphabet; DRF's check of every
        # character for surrogates and NUL costs more than the signature verification.
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v, ProhibitSurrogateCharactersValidator | ProhibitNullCharactersValidator
            )
        ]

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


def verdict_body(verdict: signatures.Verdict) -> dict[str, Any]:
    """The JSON answer of every verification route."""
    return {
        "valid": verdict.valid,
        "reason": verdict.reason,
        "message": signatures.reason_message(verdict.reason),
        "certificate": {
            "serial": verdict.serial,
            "subject": verdict.subject,
            "not_after": verdict.not_after,
        },
    }


def _text(data: dict[str, Any], name: str, limit: int, default: str | None = None) -> str | None:
    value = data.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str):
        raise errors.ValidationError(_("%(f)s: must be a string") % {"f": name}, code="invalid")
    if len(value) > limit:
        raise errors.ValidationError(
            _("%(f)s: at most %(n)d characters") % {"f": name, "n": limit}, code="invalid"
        )
    return value


def _base64(data: dict[str, Any], name: str, limit: int) -> bytes:
    """A required base64 field of at most ``limit`` bytes once decoded (as Base64Field)."""
    text = _text(data, name, limit * 4 // 3 + 4)
    if not text:
        raise errors.ValidationError(
            _("%(f)s: this field is required and may not be blank") % {"f": name}, code="invalid"
        )
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise errors.ValidationError(
            _("%(f)s: not valid base64") % {"f": name}, code="invalid"
        ) from None
    if len(value) > limit:
        raise errors.ValidationError(
            _("%(f)s: at most %(n)d bytes") % {"f": name, "n": limit}, code="invalid"
        )
    return value


def parse_verify_request(data: Any) -> dict[str, Any]:
    """The arguments of ``signatures.verify`` from a request body, or a ValidationError.

    ``VerifyRequest`` documents the request; this reads it with the same rules without DRF's
    per-request field copies, which cost half an SM2 verification (a test holds them alike).
    """
    if not isinstance(data, dict):
        raise errors.ValidationError(_("the request body must be a JSON object"), code="invalid")
    message = _base64(data, "message", 14_000_000)
    signature = _base64(data, "signature", 1000)
    certificate = _text(data, "certificate", 20_000)
    serial = _text(data, "serial", 64)
    ident = _text(data, "id", 1024, default="1234567812345678")
    if (certificate is None) == (serial is None):
        raise errors.ValidationError(_("give either certificate or serial"), code="invalid")
    return {
        "message": message,
        "signature": signature,
        "certificate": certificate.encode() if certificate is not None else None,
        "serial": serial,
        "distinguishing_id": (ident or "").encode(),
    }


def verify_answer(data: Any, user: Any) -> dict[str, Any]:
    """Answer a verification request (this view and ``pki.fast_verify``)."""
    return verdict_body(signatures.verify(**parse_verify_request(data), actor=user))


class SignatureVerify(APIView):
    """Browsers and session clients come here; bearer-token clients are answered by
    ``pki.fast_verify`` before Django's middleware (the same checks, the same answers)."""

    permission_classes = [HasCapability]
    capability = Capability.SIGNATURE_VERIFY

    @extend_schema(request=VerifyRequest, responses=VERDICT)
    def post(self, request: Request) -> Response:
        return Response(verify_answer(request.data, request.user))


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


# --- Management of the CA (security administrator) -------------------------------------


class HolderSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", allow_null=True, default=None)

    class Meta:
        model = Holder
        fields = ["id", "name", "email", "unit", "phone", "username", "created_at"]


@extend_schema_field({"type": "string", "enum": ["pc", "mobile", ""]})
class CertificateProfileField(serializers.CharField):
    """pc or mobile; empty for certificates of no holder (service keys)."""


class CertificateSerializer(serializers.ModelSerializer):
    profile = CertificateProfileField(read_only=True)
    holder = serializers.EmailField(source="holder.email", allow_null=True, default=None)
    pair = serializers.CharField(source="pair.serial", allow_null=True, default=None)
    renewal_of = serializers.CharField(source="renewal_of.serial", allow_null=True, default=None)

    class Meta:
        model = Certificate
        fields = [
            "serial",
            "subject",
            "holder",
            "usage",
            "profile",
            "status",
            "not_before",
            "not_after",
            "revoked_at",
            "revocation_reason",
            "fingerprint",
            "pair",
            "renewal_of",
            "created_at",
        ]


class CertificateDetailSerializer(CertificateSerializer):
    pem = serializers.SerializerMethodField(help_text="the certificate, PEM")

    class Meta(CertificateSerializer.Meta):
        fields = [*CertificateSerializer.Meta.fields, "pem"]

    def get_pem(self, obj: Certificate) -> str:
        return certificate_pem(obj).decode()


class IssueRequest(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    email = serializers.EmailField(max_length=254)
    unit = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    username = serializers.RegexField(
        r"^[A-Za-z0-9._@-]{1,150}$", max_length=150, required=False, default=""
    )
    profile = serializers.ChoiceField(choices=["pc", "mobile"], default="pc")
    csr = serializers.CharField(max_length=20_000, help_text="the holder's PKCS#10 request, PEM")
    dual = serializers.BooleanField(
        default=False, help_text="also issue an encryption certificate (key escrowed)"
    )


ISSUED = inline_serializer(
    "IssuedCertificates",
    {
        "signing": CertificateDetailSerializer(),
        "encryption": CertificateDetailSerializer(allow_null=True),
        "envelope": serializers.CharField(
            allow_null=True, help_text="GM/T 0009 envelope of the encryption key, base64"
        ),
    },
)


def _issued(result: Any) -> dict[str, Any]:
    return {
        "signing": CertificateDetailSerializer(result.signing).data,
        "encryption": (
            CertificateDetailSerializer(result.encryption).data if result.encryption else None
        ),
        "envelope": base64.b64encode(result.envelope).decode() if result.envelope else None,
    }


class HolderList(generics.ListAPIView):
    """Holders; ``?q=`` searches name, e-mail, unit, phone and account."""

    serializer_class = HolderSerializer
    permission_classes = [HasCapability]
    capability = Capability.PKI_MANAGE

    @extend_schema(parameters=[OpenApiParameter("q", str, description="search text")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return search.holders(self.request.query_params.get("q", "")[:100])


class CertificateList(generics.ListAPIView):
    """Certificates with filters; POST issues one from a CSR."""

    serializer_class = CertificateSerializer
    permission_classes = [HasCapability]
    capability = Capability.PKI_MANAGE

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="serial, subject, holder or fingerprint"),
            OpenApiParameter("status", str, enum=["valid", "revoked"]),
            OpenApiParameter("usage", str, enum=[u.value for u in Usage]),
            OpenApiParameter("profile", str, enum=["pc", "mobile"]),
            OpenApiParameter("expiring_within", int, description="valid, expiring within N days"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return search.certificates(
            text=params.get("q", "")[:100],
            status=params.get("status", ""),
            usage=params.get("usage", ""),
            profile=params.get("profile", ""),
            expiring_within=params.get("expiring_within"),
        )

    @extend_schema(request=IssueRequest, responses={201: ISSUED})
    def post(self, request: Request) -> Response:
        ser = IssueRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        holder = HolderInput(
            name=data["name"],
            email=data["email"],
            unit=data["unit"],
            phone=data["phone"],
            username=data["username"],
            profile=data["profile"],
        )
        result = issue(holder, csr=data["csr"].encode(), dual=data["dual"], actor=request.user)
        return Response(_issued(result), status=201)


class CertificateDetail(APIView):
    """One certificate by serial (hex), with its PEM."""

    permission_classes = [HasCapability]
    capability = Capability.PKI_MANAGE

    @extend_schema(responses=CertificateDetailSerializer)
    def get(self, request: Request, serial: str) -> Response:
        return Response(CertificateDetailSerializer(status.get(serial)).data)


class RevokeRequest(serializers.Serializer):
    reason = serializers.ChoiceField(choices=[r.value for r in Reason])


class CertificateRevoke(APIView):
    """Revoke a certificate and its pair; 409 when it is revoked already."""

    permission_classes = [HasCapability]
    capability = Capability.PKI_MANAGE

    @extend_schema(request=RevokeRequest, responses=CertificateDetailSerializer)
    def post(self, request: Request, serial: str) -> Response:
        ser = RevokeRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        cert = status.revoke(serial, ser.validated_data["reason"], actor=request.user)
        cert.refresh_from_db()
        return Response(CertificateDetailSerializer(cert).data)


class CertificateRenew(APIView):
    """A new certificate for the same holder and key; 409 when the old one is revoked."""

    permission_classes = [HasCapability]
    capability = Capability.PKI_MANAGE

    @extend_schema(request=None, responses={201: ISSUED})
    def post(self, request: Request, serial: str) -> Response:
        return Response(_issued(status.renew(serial, actor=request.user)), status=201)
