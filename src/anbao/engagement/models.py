"""The contract as data: storage only. Rules live in ``core``; use cases in ``services``.

One ``Engagement`` is one signed contract (技术服务合同). Its parties, service items (第一条),
deliverable kinds and their dated instances (第七条), payment milestones (第四条), performance
guarantee, and the liability rates of 第十条 hang off it. Work log entries (工作日志) and
maintenance records (维护记录单) carry file attachments stored under ``MEDIA_ROOT``.

The ``reports`` app links its generated files here: ``ReportFile.engagement`` and
``ReportFile.deliverable`` (related_name ``report_files``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 5}


class Engagement(models.Model):
    """One service contract between a client (甲方) and a provider (乙方)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    code = models.CharField(_("registration number"), max_length=64, unique=True)
    name = models.CharField(_("project name"), max_length=255)
    title = models.CharField(_("contract title"), max_length=128, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    amount = models.DecimalField(_("contract amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signing_place = models.CharField(_("signing place"), max_length=64, blank=True)
    # 第十条 liabilities, as rates of the contract terms.
    late_payment_rate = models.DecimalField(
        _("late payment rate per day"), **RATE, default=Decimal("0.001")
    )
    late_guarantee_rate = models.DecimalField(
        _("late guarantee return rate per day"), **RATE, default=Decimal("0.001")
    )
    late_deliverable_rate = models.DecimalField(
        _("late deliverable rate per day"), **RATE, default=Decimal("0.001")
    )
    termination_grace_days = models.PositiveIntegerField(_("termination grace days"), default=5)
    termination_penalty_rate = models.DecimalField(
        _("termination penalty rate"), **RATE, default=Decimal("0.10")
    )
    confidentiality_penalty = models.DecimalField(
        _("confidentiality penalty"), **MONEY, default=Decimal("100000")
    )
    confidentiality_years = models.PositiveIntegerField(
        _("confidentiality years after end"), default=5
    )
    acceptance_window_working_days = models.PositiveIntegerField(
        _("acceptance window (working days before end)"), default=30
    )
    acceptance_review_working_days = models.PositiveIntegerField(
        _("acceptance review (working days)"), default=5
    )
    final_accepted_on = models.DateField(_("final acceptance date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Party(models.Model):
    """A contracting party: the client (甲方/采购人) or the provider (乙方/供应商)."""

    class Role(models.TextChoices):
        CLIENT = "client", _("Client")
        PROVIDER = "provider", _("Provider")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    name = models.CharField(_("name"), max_length=255)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    address = models.CharField(_("registered address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    fax = models.CharField(_("fax"), max_length=32, blank=True)
    bank = models.CharField(_("bank"), max_length=128, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["engagement", "role"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "role"], name="engagement_party_role"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """One line of 第一条: a purchase (授权采购) or a service (服务采购) with its quantity."""

    class Category(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        SERVICE = "service", _("Service")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="service_items"
    )
    number = models.PositiveIntegerField(_("number"))
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=16)
    quantity_text = models.CharField(_("quantity as written"), max_length=32, blank=True)
    cadence = models.CharField(_("cadence"), max_length=16, blank=True)
    requirement = models.TextField(_("requirement"), blank=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["engagement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "code"], name="engagement_item_code"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliverableKind(models.Model):
    """A kind of report 第七条 requires, how many, and the rule for their due dates."""

    class Cadence(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        MONTHLY = "monthly", _("Monthly")
        AT_ACCEPTANCE = "at_acceptance", _("With the acceptance application")
        AT_END = "at_end", _("At the end of the period")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="deliverable_kinds"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    required_count = models.PositiveIntegerField(_("required count"))
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices)
    offset_working_days = models.IntegerField(_("offset in working days"), default=0)
    order = models.PositiveIntegerField(_("order"), default=0)
    service_item = models.ForeignKey(
        ServiceItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliverable_kinds",
    )

    class Meta:
        verbose_name = _("deliverable kind")
        verbose_name_plural = _("deliverable kinds")
        ordering = ["engagement", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "code"], name="engagement_kind_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Deliverable(models.Model):
    """One required report: the n-th of its kind, its period, due date and state.

    Its file is the newest ``reports.ReportFile`` pointing here (``report_files``).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="deliverables"
    )
    kind = models.ForeignKey(DeliverableKind, on_delete=models.CASCADE, related_name="deliverables")
    sequence = models.PositiveIntegerField(_("sequence"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["due_date", "kind__order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "sequence"], name="deliverable_kind_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.kind.name} #{self.sequence}"


class PaymentMilestone(models.Model):
    """One instalment of 第四条: share, amount, condition, and when it fell due and was paid.

    The due date follows from the date the condition was met (``condition_met_on``), the
    days the client then has (``days_after_condition``) and a fixed ``deadline``; see
    ``core.milestone_due_date``.
    """

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="payment_milestones"
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=128)
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount"), **MONEY)
    condition = models.TextField(_("condition"))
    days_after_condition = models.PositiveIntegerField(
        _("days after condition"), null=True, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    condition_met_on = models.DateField(_("condition met on"), null=True, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(_("paid amount"), **MONEY, null=True, blank=True)

    class Meta:
        verbose_name = _("payment milestone")
        verbose_name_plural = _("payment milestones")
        ordering = ["engagement", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "sequence"], name="engagement_milestone_seq"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Guarantee(models.Model):
    """The performance guarantee (履约保函): by when it is provided and returned."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="guarantee"
    )
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount"), **MONEY)
    provide_by = models.DateField(_("provide by"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    return_by = models.DateField(_("return by"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    issuer = models.CharField(_("issuing bank"), max_length=128, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("performance guarantee")
        verbose_name_plural = _("performance guarantees")

    def __str__(self) -> str:
        return f"{self.engagement.code} {self.amount}"


class WorkLogEntry(models.Model):
    """A day's work (工作日志) by a provider engineer."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="work_log")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"), blank=True)
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("work log entry")
        verbose_name_plural = _("work log entries")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class MaintenanceRecord(models.Model):
    """A maintenance record (维护记录单): what was done to which device, and the result."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="maintenance_records"
    )
    date = models.DateField(_("date"))
    target = models.CharField(_("device or system"), max_length=255)
    work_type = models.CharField(_("work type"), max_length=64)
    description = models.TextField(_("description"))
    result = models.TextField(_("result"), blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.target}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A stored name nobody chose: the uploader's file name is kept only as a label."""
    return f"engagement/{instance.engagement_id}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    """A file attached to a work log entry, a maintenance record or a deliverable."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="attachments")
    work_log_entry = models.ForeignKey(
        WorkLogEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    maintenance_record = models.ForeignKey(
        MaintenanceRecord,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    extension = models.CharField(_("extension"), max_length=16)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
