"""Web forms: they parse the page's fields; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anbao.engagement.core.schedule import Cadence
from anbao.engagement.models import Engagement, Party, ServiceItem

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
CADENCE_CHOICES = [
    (Cadence.QUARTERLY.value, _("Quarterly")),
    (Cadence.MONTHLY.value, _("Monthly")),
    (Cadence.AT_ACCEPTANCE.value, _("With the acceptance application")),
    (Cadence.AT_END.value, _("At the end of the period")),
]
PARTY_FIELDS = ("name", "legal_representative", "address", "phone", "fax", "bank", "bank_account")
PARTY_LABELS = {
    "name": _("name"),
    "legal_representative": _("legal representative"),
    "address": _("registered address"),
    "phone": _("phone"),
    "fax": _("fax"),
    "bank": _("bank"),
    "bank_account": _("bank account"),
}
MILESTONE_ROWS = 3


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class EngagementForm(forms.Form):
    """The contract's header, both parties and the liability terms (create and edit)."""

    code = forms.CharField(label=_("registration number"), max_length=64)
    name = forms.CharField(label=_("project name"), max_length=255)
    title = forms.CharField(label=_("contract title"), max_length=128, required=False)
    status = forms.ChoiceField(
        label=_("status"), choices=Engagement.Status.choices, initial=Engagement.Status.ACTIVE
    )
    amount = forms.DecimalField(
        label=_("contract amount"), max_digits=14, decimal_places=2, min_value=0
    )
    start_date = forms.DateField(label=_("start date"), **DATE)
    end_date = forms.DateField(label=_("end date"), **DATE)
    signed_on = forms.DateField(label=_("signed on"), required=False, **DATE)
    signing_place = forms.CharField(label=_("signing place"), max_length=64, required=False)
    final_accepted_on = forms.DateField(label=_("final acceptance date"), required=False, **DATE)
    late_payment_rate = forms.DecimalField(
        label=_("late payment rate per day"), max_digits=7, decimal_places=5, initial="0.001"
    )
    late_guarantee_rate = forms.DecimalField(
        label=_("late guarantee return rate per day"),
        max_digits=7,
        decimal_places=5,
        initial="0.001",
    )
    late_deliverable_rate = forms.DecimalField(
        label=_("late deliverable rate per day"), max_digits=7, decimal_places=5, initial="0.001"
    )
    termination_grace_days = forms.IntegerField(
        label=_("termination grace days"), min_value=0, initial=5
    )
    termination_penalty_rate = forms.DecimalField(
        label=_("termination penalty rate"), max_digits=7, decimal_places=5, initial="0.10"
    )
    confidentiality_penalty = forms.DecimalField(
        label=_("confidentiality penalty"), max_digits=14, decimal_places=2, initial="100000"
    )
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role, role_label in Party.Role.choices:
            for field in PARTY_FIELDS:
                self.fields[f"{role}_{field}"] = forms.CharField(
                    label=f"{role_label} · {PARTY_LABELS[field]}",
                    max_length=255,
                    required=field == "name",
                )
        if editing:
            self.fields["code"].disabled = True
            return
        del self.fields["final_accepted_on"]
        self.fields["guarantee_percentage"] = forms.DecimalField(
            label=_("guarantee percentage"), max_digits=5, decimal_places=2, required=False
        )
        self.fields["guarantee_provide_by"] = forms.DateField(
            label=_("guarantee: provide by"), required=False, **DATE
        )
        self.fields["guarantee_return_by"] = forms.DateField(
            label=_("guarantee: return by"), required=False, **DATE
        )
        for n in range(1, MILESTONE_ROWS + 1):
            self.fields[f"m{n}_name"] = forms.CharField(
                label=_("instalment %(n)d: name") % {"n": n}, max_length=128, required=n == 1
            )
            self.fields[f"m{n}_percentage"] = forms.DecimalField(
                label=_("instalment %(n)d: percentage") % {"n": n},
                max_digits=5,
                decimal_places=2,
                required=n == 1,
            )
            self.fields[f"m{n}_condition"] = forms.CharField(
                label=_("instalment %(n)d: condition") % {"n": n}, max_length=2000, required=n == 1
            )
            self.fields[f"m{n}_days_after_condition"] = forms.IntegerField(
                label=_("instalment %(n)d: days after the condition") % {"n": n},
                min_value=0,
                required=False,
            )
            self.fields[f"m{n}_deadline"] = forms.DateField(
                label=_("instalment %(n)d: deadline") % {"n": n}, required=False, **DATE
            )
        self.fields["standard_deliverables"] = forms.BooleanField(
            label=_("Schedule the 11 deliverable kinds of the standard contract (第七条)"),
            required=False,
            initial=True,
        )

    def parties(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"role": role, **{f: data.get(f"{role}_{f}", "") for f in PARTY_FIELDS}}
            for role in Party.Role.values
        ]

    def milestones(self) -> list[dict[str, Any]]:
        data, rows = self.cleaned_data, []
        for n in range(1, MILESTONE_ROWS + 1):
            if data.get(f"m{n}_percentage") is None and not data.get(f"m{n}_name"):
                continue
            rows.append(
                {
                    "sequence": n,
                    **{
                        f: data.get(f"m{n}_{f}")
                        for f in (
                            "name",
                            "percentage",
                            "condition",
                            "days_after_condition",
                            "deadline",
                        )
                    },
                }
            )
        return rows

    def liabilities(self) -> dict[str, Any]:
        return {
            f: self.cleaned_data.get(f)
            for f in (
                "late_payment_rate",
                "late_guarantee_rate",
                "late_deliverable_rate",
                "termination_grace_days",
                "termination_penalty_rate",
                "confidentiality_penalty",
            )
        }


class ServiceItemForm(forms.Form):
    number = forms.IntegerField(label=_("number"), min_value=1, required=False)
    code = forms.SlugField(label=_("code"), max_length=64)
    name = forms.CharField(label=_("name"), max_length=255)
    category = forms.ChoiceField(label=_("category"), choices=ServiceItem.Category.choices)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1)
    unit = forms.CharField(label=_("unit"), max_length=16)
    quantity_text = forms.CharField(label=_("quantity as written"), max_length=32, required=False)
    requirement = forms.CharField(label=_("requirement"), widget=forms.Textarea, required=False)


class DeliverableKindForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=64)
    name = forms.CharField(label=_("name"), max_length=128)
    count = forms.IntegerField(label=_("required count"), min_value=1)
    cadence = forms.ChoiceField(label=_("cadence"), choices=CADENCE_CHOICES)
    offset_working_days = forms.IntegerField(label=_("offset in working days"), required=False)


class MilestoneForm(forms.Form):
    condition_met_on = forms.DateField(label=_("condition met on"), required=False, **DATE)
    invoice_date = forms.DateField(label=_("invoice date"), required=False, **DATE)
    paid_on = forms.DateField(label=_("paid on"), required=False, **DATE)
    paid_amount = forms.DecimalField(
        label=_("paid amount"), max_digits=14, decimal_places=2, required=False
    )


class GuaranteeForm(forms.Form):
    percentage = forms.DecimalField(label=_("percentage"), max_digits=5, decimal_places=2)
    provide_by = forms.DateField(label=_("provide by"), required=False, **DATE)
    received_on = forms.DateField(label=_("received on"), required=False, **DATE)
    return_by = forms.DateField(label=_("return by"), required=False, **DATE)
    returned_on = forms.DateField(label=_("returned on"), required=False, **DATE)
    issuer = forms.CharField(label=_("issuing bank"), max_length=128, required=False)
    reference = forms.CharField(label=_("reference"), max_length=64, required=False)


class WorkLogForm(forms.Form):
    date = forms.DateField(label=_("date"), **DATE)
    title = forms.CharField(label=_("title"), max_length=255)
    content = forms.CharField(label=_("content"), widget=forms.Textarea, required=False)
    service_item = forms.TypedChoiceField(
        label=_("service item"), required=False, coerce=int, empty_value=None
    )
    files = MultipleFileField(label=_("attachments"), required=False)

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_item"].choices = [("", "—")] + [
            (i.pk, f"{i.number}. {i.name}") for i in engagement.service_items.all()
        ]


class MaintenanceForm(forms.Form):
    date = forms.DateField(label=_("date"), **DATE)
    target = forms.CharField(label=_("device or system"), max_length=255)
    work_type = forms.CharField(label=_("work type"), max_length=64)
    description = forms.CharField(label=_("description"), widget=forms.Textarea)
    result = forms.CharField(label=_("result"), widget=forms.Textarea, required=False)
    files = MultipleFileField(label=_("attachments"), required=False)


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("attachments"))
