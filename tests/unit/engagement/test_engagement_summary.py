"""``summarize``: the dashboard's figures from plain inputs, on worked dates."""

from datetime import date
from decimal import Decimal

from anbao.engagement.core.liabilities import Terms
from anbao.engagement.core.summary import (
    ContractIn,
    DeliverableIn,
    GuaranteeIn,
    KindIn,
    MilestoneIn,
    summarize,
)

FEE = Decimal("879000")


def contract(deliverables=(), milestones=(), guarantee=None, final=None):
    return ContractIn(
        id=1,
        code="JBS202232",
        name="sample",
        start_date=date(2022, 6, 1),
        end_date=date(2023, 5, 31),
        terms=Terms(amount=FEE),
        acceptance_window_opens=date(2023, 4, 19),
        kinds=(
            KindIn("inspection-report", "安全巡检报告", 12),
            KindIn("pentest-report", "信息系统渗透测试报告", 4),
        ),
        deliverables=tuple(deliverables),
        milestones=tuple(milestones),
        guarantee=guarantee,
        final_accepted_on=final,
    )


def d(id_, kind, due, status="planned", submitted=None, seq=1):
    return DeliverableIn(id_, kind, seq, due, status, submitted)


def test_two_reports_late_on_the_same_days_count_once():
    c = contract(
        [d(1, "inspection-report", date(2022, 7, 7)), d(2, "pentest-report", date(2022, 7, 10))]
    )
    s = summarize(c, date(2022, 7, 14))
    assert [x.days_late for x in s.overdue] == [7, 4]
    assert s.exposure.late_days == 7
    assert s.exposure.provider_late_deliverables == Decimal("6153.00")
    assert s.exposure.termination_right


def test_separate_late_spans_add_up():
    c = contract(
        [
            d(1, "inspection-report", date(2022, 7, 7), "submitted", date(2022, 7, 9)),
            d(2, "inspection-report", date(2022, 8, 5), "submitted", date(2022, 8, 8), seq=2),
        ]
    )
    s = summarize(c, date(2022, 9, 1))
    assert s.overdue == ()
    assert s.exposure.late_days == 2 + 3
    assert s.exposure.provider_late_deliverables == Decimal("4395.00")
    assert not s.exposure.termination_right


def test_lateness_stops_at_final_acceptance():
    c = contract([d(1, "pentest-report", date(2023, 4, 19))], final=date(2023, 4, 22))
    s = summarize(c, date(2023, 6, 30))
    assert s.overdue[0].days_late == 3


def test_progress_per_kind_and_this_month():
    c = contract(
        [
            d(1, "inspection-report", date(2022, 7, 7), "accepted", date(2022, 7, 6)),
            d(2, "inspection-report", date(2022, 8, 5), "in_progress", seq=2),
            d(3, "pentest-report", date(2022, 9, 14)),
        ]
    )
    s = summarize(c, date(2022, 8, 10))
    inspection, pentest = s.kinds
    assert (inspection.required, inspection.delivered, inspection.accepted, inspection.overdue) == (
        12,
        1,
        1,
        1,
    )
    assert (pentest.delivered, pentest.overdue) == (0, 0)
    assert [x.id for x in s.due_this_month] == [2]
    assert s.month.start == date(2022, 8, 1)
    assert (s.required_total, s.delivered_total, s.accepted_total) == (16, 1, 1)
    assert s.days_total == 365 and s.days_elapsed == 71


def test_payment_states_and_totals():
    ms = [
        MilestoneIn(
            1,
            1,
            "首付款",
            Decimal(50),
            Decimal("439500"),
            "c",
            date(2022, 6, 25),
            date(2022, 6, 20),
        ),
        MilestoneIn(2, 2, "保函款", Decimal(20), Decimal("175800"), "c", date(2022, 12, 10)),
        MilestoneIn(3, 3, "尾款", Decimal(30), Decimal("263700"), "c", None),
    ]
    s = summarize(contract(milestones=ms), date(2022, 12, 20))
    assert [p.state for p in s.payments] == ["paid", "overdue", "pending"]
    assert s.payments[1].penalty == Decimal("1758.00")
    assert (s.paid_total, s.due_total, s.overdue_total, s.outstanding_total) == (
        Decimal("439500.00"),
        Decimal("175800.00"),
        Decimal("175800.00"),
        Decimal("439500.00"),
    )
    early = summarize(contract(milestones=ms), date(2022, 12, 1))
    assert early.payments[1].state == "due" and early.payments[1].penalty == 0


def test_guarantee_states():
    g = GuaranteeIn(Decimal("131850"), date(2022, 12, 8), None, date(2023, 2, 28), None)
    assert summarize(contract(guarantee=g), date(2022, 12, 1)).guarantee.state == "awaited"
    assert summarize(contract(guarantee=g), date(2022, 12, 9)).guarantee.state == "overdue"
    held = GuaranteeIn(
        Decimal("131850"), date(2022, 12, 8), date(2022, 12, 7), date(2023, 2, 28), None
    )
    s = summarize(contract(guarantee=held), date(2023, 3, 3))
    assert (s.guarantee.state, s.guarantee.days_late) == ("held", 3)
    assert s.exposure.client_late_guarantee == Decimal("395.55")
    assert s.exposure.client_total == Decimal("395.55")
    behind = contract([d(1, "pentest-report", date(2022, 9, 14))], guarantee=held)
    assert summarize(behind, date(2023, 3, 3)).exposure.client_late_guarantee == 0


def test_a_past_day_ignores_what_happened_later():
    c = contract(
        [
            d(1, "inspection-report", date(2022, 7, 7), "accepted", date(2022, 7, 20)),
            d(2, "inspection-report", date(2022, 8, 5), "accepted", date(2022, 8, 1), seq=2),
        ],
        [
            MilestoneIn(
                1,
                1,
                "首付款",
                Decimal(50),
                Decimal("439500"),
                "c",
                date(2022, 6, 25),
                date(2022, 7, 30),
                date(2022, 6, 10),
            ),
            MilestoneIn(
                2,
                2,
                "保函款",
                Decimal(20),
                Decimal("175800"),
                "c",
                date(2022, 12, 10),
                None,
                date(2022, 12, 5),
            ),
        ],
        GuaranteeIn(
            Decimal("131850"),
            date(2022, 12, 8),
            date(2022, 12, 7),
            date(2023, 2, 28),
            date(2023, 3, 3),
        ),
        final=date(2023, 5, 30),
    )
    s = summarize(c, date(2022, 7, 14))
    assert [x.id for x in s.overdue] == [1]  # submitted on the 20th: not yet on the 14th
    assert s.overdue[0].days_late == 7 and s.exposure.termination_right
    assert s.delivered_total == 0 and s.accepted_total == 0
    assert [p.state for p in s.payments] == ["overdue", "pending"]
    assert s.payments[0].days_late == 19
    assert s.guarantee.state == "awaited" and s.final_accepted_on is None
    later = summarize(c, date(2023, 3, 5))
    assert later.guarantee.state == "returned" and later.delivered_total == 2
