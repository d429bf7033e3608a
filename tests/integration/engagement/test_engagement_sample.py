"""The seed contract loaded as the sample engagement, and its status on worked dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from anbao.audit.models import AuditRecord
from anbao.engagement import services
from anbao.engagement.models import Deliverable, Engagement, PaymentMilestone, ServiceItem

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_load_sample_is_idempotent(sample):
    again = services.load_sample()
    assert again.pk == sample.pk
    assert Engagement.objects.count() == 1
    assert Deliverable.objects.count() == 43
    assert AuditRecord.objects.filter(action="engagement.create").count() == 1


def test_sample_holds_the_contract(sample):
    assert sample.code == "JBS202232"
    assert sample.amount == Decimal("879000.00")
    assert (sample.start_date, sample.end_date) == (date(2022, 6, 1), date(2023, 5, 31))
    client, provider = sample.parties.order_by("role")
    assert (client.name, client.legal_representative) == ("北京市精神卫生保健所", "王刚")
    assert provider.legal_representative == "杜金霞"
    assert provider.phone == "010-64197892"
    items = {i.code: i for i in sample.service_items.all()}
    assert len(items) == 13
    assert items["certificates"].quantity == 800
    assert items["dm-licences"].quantity == 3
    assert items["other-services"].quantity == 2
    assert items["inspection"].quantity_text == "每月 1 次"
    assert ServiceItem.objects.filter(engagement=sample, quantity=4).count() == 7
    counts = [k.required_count for k in sample.deliverable_kinds.order_by("order")]
    assert counts == [4, 4, 4, 4, 4, 4, 1, 1, 12, 4, 1]
    amounts = list(sample.payment_milestones.values_list("amount", flat=True))
    assert amounts == [Decimal("439500.00"), Decimal("175800.00"), Decimal("263700.00")]
    assert sample.guarantee.amount == Decimal("131850.00")
    assert sample.guarantee.return_by == date(2023, 2, 28)


def test_sample_due_dates(sample):
    final = Deliverable.objects.get(kind__code="final-acceptance-report")
    assert final.due_date == date(2023, 5, 31)
    pentest = Deliverable.objects.filter(kind__code="pentest-report").order_by("sequence")
    assert [d.due_date for d in pentest] == [
        date(2022, 9, 14),
        date(2022, 12, 14),
        date(2023, 3, 14),
        date(2023, 4, 19),
    ]


def test_summary_on_a_quiet_day(sample):
    s = services.status_summary(sample, date(2022, 6, 15))
    assert s.required_total == 43 and s.delivered_total == 0
    assert s.overdue == ()
    assert s.acceptance_window_opens == date(2023, 4, 19)
    assert s.exposure.provider_late_deliverables == Decimal("0.00")
    assert not s.exposure.termination_right
    assert s.exposure.termination_penalty == Decimal("87900.00")
    assert s.exposure.confidentiality_penalty == Decimal("100000.00")
    assert [p.state for p in s.payments] == ["pending", "pending", "pending"]
    assert s.outstanding_total == Decimal("879000.00")


def test_first_inspection_report_seven_days_late(sample, engineer):
    first = Deliverable.objects.get(kind__code="inspection-report", sequence=1)
    assert first.due_date == date(2022, 7, 7)
    s = services.status_summary(sample, date(2022, 7, 14))
    assert [d.id for d in s.overdue] == [first.pk]
    assert s.overdue[0].days_late == 7
    assert s.exposure.provider_late_deliverables == Decimal("6153.00")
    assert s.exposure.termination_right
    # Submitted on the 7th day late: the penalty stays, the right to terminate does not.
    services.transition(
        first, "submit", actor=engineer, at=datetime(2022, 7, 14, 10, tzinfo=SHANGHAI)
    )
    s = services.status_summary(sample, date(2022, 7, 20))
    assert s.overdue == ()
    assert s.exposure.provider_late_deliverables == Decimal("6153.00")
    assert not s.exposure.termination_right


def test_payment_ten_days_late(sample, engineer):
    second = PaymentMilestone.objects.get(engagement=sample, sequence=2)
    services.update_milestone(
        second,
        {"condition_met_on": date(2022, 12, 5), "invoice_date": date(2022, 12, 5)},
        actor=engineer,
    )
    s = services.status_summary(sample, date(2022, 12, 20))
    line = s.payments[1]
    assert (line.state, line.due_date, line.days_late) == ("overdue", date(2022, 12, 10), 10)
    assert line.penalty == Decimal("1758.00")
    assert s.overdue_total == Decimal("175800.00")
    services.update_milestone(second, {"paid_on": date(2022, 12, 20)}, actor=engineer)
    s = services.status_summary(sample, date(2023, 1, 5))
    assert s.payments[1].state == "paid"
    assert s.exposure.client_late_payments == Decimal("1758.00")
    assert s.paid_total == Decimal("175800.00")


def test_guarantee_returned_three_days_late_while_the_provider_is_on_schedule(
    sample, engineer, officer
):
    for d in Deliverable.objects.filter(due_date__lt=date(2023, 2, 28)):
        services.transition(
            d,
            "submit",
            actor=engineer,
            at=datetime.combine(d.due_date, datetime.min.time(), SHANGHAI),
        )
    services.update_guarantee(
        sample, {"received_on": date(2022, 12, 7), "returned_on": date(2023, 3, 3)}, actor=engineer
    )
    s = services.status_summary(sample, date(2023, 3, 5))
    assert s.guarantee.days_late == 3
    assert s.exposure.client_late_guarantee == Decimal("395.55")


def test_no_guarantee_penalty_when_the_provider_was_late(sample, engineer):
    services.update_guarantee(
        sample, {"received_on": date(2022, 12, 7), "returned_on": date(2023, 3, 3)}, actor=engineer
    )
    s = services.status_summary(sample, date(2023, 3, 5))
    assert s.guarantee.days_late == 3
    assert s.exposure.client_late_guarantee == Decimal("0.00")
