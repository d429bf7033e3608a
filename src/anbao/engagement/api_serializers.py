"""Serializers of the engagement API: typed input shapes and read-only output shapes.

Input serializers check types and ranges; the services then check the contract's rules
(percentages add up to 100, counts match the cadence ...). Both failures are a 400.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anbao.engagement.core.schedule import Cadence
from anbao.engagement.models import (
    Attachment,
    Deliverable,
    DeliverableKind,
    Engagement,
    Guarantee,
    MaintenanceRecord,
    Party,
    PaymentMilestone,
    ServiceItem,
    WorkLogEntry,
)

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
RATE = {"max_digits": 7, "decimal_places": 5, "min_value": 0, "max_value": 1}


# ---- input -------------------------------------------------------------------------------


class PartyIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Party.Role.choices)
    name = serializers.CharField(max_length=255)
    legal_representative = serializers.CharField(max_length=64, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    fax = serializers.CharField(max_length=32, required=False, allow_blank=True)
    bank = serializers.CharField(max_length=128, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ServiceItemIn(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=999, required=False)
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=255)
    category = serializers.ChoiceField(choices=ServiceItem.Category.choices)
    quantity = serializers.IntegerField(min_value=1)
    unit = serializers.CharField(max_length=16)
    quantity_text = serializers.CharField(max_length=32, required=False, allow_blank=True)
    cadence = serializers.CharField(max_length=16, required=False, allow_blank=True)
    requirement = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class DeliverableKindIn(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=128)
    count = serializers.IntegerField(min_value=1, max_value=366)
    cadence = serializers.ChoiceField(choices=[c.value for c in Cadence])
    offset_working_days = serializers.IntegerField(min_value=-250, max_value=250, required=False)
    service_item = serializers.SlugField(max_length=64, required=False, allow_null=True)


class MilestoneIn(serializers.Serializer):
    sequence = serializers.IntegerField(min_value=1, max_value=99, required=False)
    name = serializers.CharField(max_length=128)
    percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    amount = serializers.DecimalField(**MONEY, required=False)
    condition = serializers.CharField(max_length=2000)
    days_after_condition = serializers.IntegerField(
        min_value=0, max_value=3650, required=False, allow_null=True
    )
    deadline = serializers.DateField(required=False, allow_null=True)


class GuaranteeIn(serializers.Serializer):
    percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    amount = serializers.DecimalField(**MONEY, required=False)
    provide_by = serializers.DateField(required=False, allow_null=True)
    received_on = serializers.DateField(required=False, allow_null=True)
    return_by = serializers.DateField(required=False, allow_null=True)
    returned_on = serializers.DateField(required=False, allow_null=True)
    issuer = serializers.CharField(max_length=128, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)


class LiabilitiesIn(serializers.Serializer):
    late_payment_rate = serializers.DecimalField(**RATE, required=False)
    late_guarantee_rate = serializers.DecimalField(**RATE, required=False)
    late_deliverable_rate = serializers.DecimalField(**RATE, required=False)
    termination_grace_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    termination_penalty_rate = serializers.DecimalField(**RATE, required=False)
    confidentiality_penalty = serializers.DecimalField(**MONEY, required=False)
    confidentiality_years = serializers.IntegerField(min_value=0, max_value=100, required=False)
    acceptance_window_working_days = serializers.IntegerField(
        min_value=0, max_value=250, required=False
    )
    acceptance_review_working_days = serializers.IntegerField(
        min_value=0, max_value=250, required=False
    )


class EngagementUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    title = serializers.CharField(max_length=128, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Engagement.Status.choices, required=False)
    amount = serializers.DecimalField(**MONEY, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    signed_on = serializers.DateField(required=False, allow_null=True)
    signing_place = serializers.CharField(max_length=64, required=False, allow_blank=True)
    final_accepted_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    liabilities = LiabilitiesIn(required=False)
    parties = PartyIn(many=True, required=False)


class EngagementIn(EngagementUpdateIn):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=255)
    amount = serializers.DecimalField(**MONEY)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    currency = serializers.ChoiceField(choices=["CNY"], required=False)
    service_items = ServiceItemIn(many=True, required=False)
    deliverable_kinds = DeliverableKindIn(many=True, required=False)
    standard_deliverables = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Schedule the 11 deliverable kinds of the sample contract (第七条) when "
        "deliverable_kinds is not given.",
    )
    payment_milestones = MilestoneIn(many=True, required=False)
    guarantee = GuaranteeIn(required=False, allow_null=True)


class MilestoneUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=128, required=False)
    condition = serializers.CharField(max_length=2000, required=False)
    days_after_condition = serializers.IntegerField(
        min_value=0, max_value=3650, required=False, allow_null=True
    )
    deadline = serializers.DateField(required=False, allow_null=True)
    condition_met_on = serializers.DateField(required=False, allow_null=True)
    invoice_date = serializers.DateField(required=False, allow_null=True)
    paid_on = serializers.DateField(required=False, allow_null=True)
    paid_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)


class TransitionIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When it happened, to record it after the fact (default: now).",
    )


class WorkLogIn(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField(max_length=255)
    content = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    service_item = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


class MaintenanceIn(serializers.Serializer):
    date = serializers.DateField()
    target = serializers.CharField(max_length=255)
    work_type = serializers.CharField(max_length=64)
    description = serializers.CharField(max_length=20000)
    result = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


# ---- output ------------------------------------------------------------------------------


class PartyOut(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = [
            "role",
            "name",
            "legal_representative",
            "address",
            "phone",
            "fax",
            "bank",
            "bank_account",
        ]


class ServiceItemOut(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "number",
            "code",
            "name",
            "category",
            "quantity",
            "unit",
            "quantity_text",
            "cadence",
            "requirement",
        ]


class DeliverableKindOut(serializers.ModelSerializer):
    class Meta:
        model = DeliverableKind
        fields = ["id", "code", "name", "required_count", "cadence", "offset_working_days", "order"]


class DeliverableOut(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    submitted_by = serializers.StringRelatedField()
    accepted_by = serializers.StringRelatedField()
    report_file = serializers.SerializerMethodField(
        help_text="The newest generated file of this deliverable (reports.ReportFile id)."
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "engagement",
            "kind",
            "kind_name",
            "sequence",
            "period_start",
            "period_end",
            "due_date",
            "status",
            "submitted_at",
            "submitted_by",
            "accepted_at",
            "accepted_by",
            "note",
            "report_file",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_report_file(self, obj: Deliverable) -> int | None:
        files = getattr(obj, "report_files", None)
        newest = files.order_by("-id").first() if files is not None else None
        return newest.pk if newest is not None else None


class MilestoneOut(serializers.ModelSerializer):
    class Meta:
        model = PaymentMilestone
        fields = [
            "id",
            "sequence",
            "name",
            "percentage",
            "amount",
            "condition",
            "days_after_condition",
            "deadline",
            "condition_met_on",
            "invoice_date",
            "paid_on",
            "paid_amount",
        ]


class GuaranteeOut(serializers.ModelSerializer):
    class Meta:
        model = Guarantee
        fields = [
            "percentage",
            "amount",
            "provide_by",
            "received_on",
            "return_by",
            "returned_on",
            "issuer",
            "reference",
        ]


class EngagementOut(serializers.ModelSerializer):
    parties = PartyOut(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "id",
            "code",
            "name",
            "title",
            "status",
            "amount",
            "currency",
            "start_date",
            "end_date",
            "signed_on",
            "signing_place",
            "final_accepted_on",
            "late_payment_rate",
            "late_guarantee_rate",
            "late_deliverable_rate",
            "termination_grace_days",
            "termination_penalty_rate",
            "confidentiality_penalty",
            "confidentiality_years",
            "acceptance_window_working_days",
            "acceptance_review_working_days",
            "source",
            "notes",
            "parties",
            "created_at",
            "updated_at",
        ]


class EngagementDetailOut(EngagementOut):
    service_items = ServiceItemOut(many=True, read_only=True)
    deliverable_kinds = DeliverableKindOut(many=True, read_only=True)
    payment_milestones = MilestoneOut(many=True, read_only=True)
    guarantee = serializers.SerializerMethodField()

    class Meta(EngagementOut.Meta):
        fields = [
            *EngagementOut.Meta.fields,
            "service_items",
            "deliverable_kinds",
            "payment_milestones",
            "guarantee",
        ]

    @extend_schema_field(GuaranteeOut(allow_null=True))
    def get_guarantee(self, obj: Engagement) -> dict | None:  # type: ignore[type-arg]
        g = Guarantee.objects.filter(engagement=obj).first()
        return GuaranteeOut(g).data if g else None


class AttachmentOut(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "size", "sha256", "uploaded_at"]


class WorkLogOut(serializers.ModelSerializer):
    attachments = AttachmentOut(many=True, read_only=True)
    author = serializers.StringRelatedField()

    class Meta:
        model = WorkLogEntry
        fields = [
            "id",
            "date",
            "title",
            "content",
            "service_item",
            "author",
            "created_at",
            "attachments",
        ]


class MaintenanceOut(serializers.ModelSerializer):
    attachments = AttachmentOut(many=True, read_only=True)
    performed_by = serializers.StringRelatedField()

    class Meta:
        model = MaintenanceRecord
        fields = [
            "id",
            "date",
            "target",
            "work_type",
            "description",
            "result",
            "performed_by",
            "created_at",
            "attachments",
        ]


# ---- the status summary ------------------------------------------------------------------


class PeriodOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class DeliverableLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind_code = serializers.CharField()
    kind_name = serializers.CharField()
    sequence = serializers.IntegerField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    days_late = serializers.IntegerField()
    penalty = serializers.DecimalField(max_digits=14, decimal_places=2)


class KindProgressOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    required = serializers.IntegerField()
    delivered = serializers.IntegerField()
    accepted = serializers.IntegerField()
    overdue = serializers.IntegerField()


class PaymentLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    name = serializers.CharField()
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    condition = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["paid", "overdue", "due", "pending"])
    days_late = serializers.IntegerField()
    penalty = serializers.DecimalField(max_digits=14, decimal_places=2)


class GuaranteeLineOut(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    provide_by = serializers.DateField(allow_null=True)
    received_on = serializers.DateField(allow_null=True)
    return_by = serializers.DateField(allow_null=True)
    returned_on = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["awaited", "overdue", "held", "returned"])
    days_late = serializers.IntegerField()
    penalty = serializers.DecimalField(max_digits=14, decimal_places=2)


class ExposureOut(serializers.Serializer):
    provider_late_deliverables = serializers.DecimalField(max_digits=14, decimal_places=2)
    late_days = serializers.IntegerField()
    termination_right = serializers.BooleanField()
    termination_penalty = serializers.DecimalField(max_digits=14, decimal_places=2)
    client_late_payments = serializers.DecimalField(max_digits=14, decimal_places=2)
    client_late_guarantee = serializers.DecimalField(max_digits=14, decimal_places=2)
    confidentiality_penalty = serializers.DecimalField(max_digits=14, decimal_places=2)


class SummaryOut(serializers.Serializer):
    """``anbao.engagement.core.summary.StatusSummary`` as JSON."""

    engagement_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    today = serializers.DateField()
    month = PeriodOut()
    days_total = serializers.IntegerField()
    days_elapsed = serializers.IntegerField()
    acceptance_window_opens = serializers.DateField()
    final_accepted_on = serializers.DateField(allow_null=True)
    due_this_month = DeliverableLineOut(many=True)
    overdue = DeliverableLineOut(many=True)
    kinds = KindProgressOut(many=True)
    required_total = serializers.IntegerField()
    delivered_total = serializers.IntegerField()
    accepted_total = serializers.IntegerField()
    payments = PaymentLineOut(many=True)
    paid_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdue_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    outstanding_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    guarantee = GuaranteeLineOut(allow_null=True)
    exposure = ExposureOut()
