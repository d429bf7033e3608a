"""第四条 instalments and the penalties of 第十条, on worked figures of the seed contract."""

from datetime import date
from decimal import Decimal

import pytest

from anbao.engagement.core import liabilities as L

FEE = Decimal("879000")
TERMS = L.Terms(amount=FEE)


def test_instalments_50_20_30():
    assert L.share(FEE, Decimal(50)) == Decimal("439500.00")
    assert L.share(FEE, Decimal(20)) == Decimal("175800.00")
    assert L.share(FEE, Decimal(30)) == Decimal("263700.00")
    L.check_shares([Decimal(50), Decimal(20), Decimal(30)])
    with pytest.raises(ValueError):
        L.check_shares([Decimal(50), Decimal(20)])


def test_guarantee_is_15_percent():
    assert L.share(FEE, Decimal(15)) == Decimal("131850.00")


def test_money_rounds_half_up_to_the_fen():
    assert L.money(Decimal("0.005")) == Decimal("0.01")
    assert L.money(Decimal("1.234")) == Decimal("1.23")


def test_payment_ten_days_late():
    assert L.late_payment(Decimal("175800"), 10, TERMS) == Decimal("1758.00")
    assert L.late_payment(Decimal("175800"), 0, TERMS) == Decimal("0.00")
    assert L.late_payment(Decimal("175800"), -3, TERMS) == Decimal("0.00")


def test_deliverable_seven_days_late_gives_the_client_the_right_to_terminate():
    assert L.late_deliverable(7, TERMS) == Decimal("6153.00")
    assert L.termination_right(7, TERMS)
    assert L.termination_penalty(TERMS) == Decimal("87900.00")


def test_five_days_late_is_not_yet_grounds_for_termination():
    assert L.late_deliverable(5, TERMS) == Decimal("4395.00")
    assert not L.termination_right(5, TERMS)
    assert L.termination_right(6, TERMS)


def test_guarantee_returned_three_days_late():
    # 131850 × 0.1 % × 3 = 395.55
    assert L.late_guarantee_return(Decimal("131850"), 3, TERMS) == Decimal("395.55")


def test_no_guarantee_penalty_when_the_provider_is_behind_schedule():
    assert L.late_guarantee_return(
        Decimal("131850"), 3, TERMS, provider_on_schedule=False
    ) == Decimal("0.00")


def test_confidentiality_penalty_is_fixed():
    assert L.confidentiality_penalty(TERMS) == Decimal("100000.00")


def test_other_rates_come_from_the_terms():
    terms = L.Terms(
        amount=Decimal("500000"),
        late_deliverable_rate=Decimal("0.002"),
        termination_grace_days=10,
        termination_penalty_rate=Decimal("0.05"),
    )
    assert L.late_deliverable(3, terms) == Decimal("3000.00")
    assert not L.termination_right(10, terms)
    assert L.termination_penalty(terms) == Decimal("25000.00")


def test_milestone_due_dates():
    # 50 %: 15 days after the invoice.
    assert L.milestone_due_date(date(2022, 6, 10), 15, None) == date(2022, 6, 25)
    # 20 %: by 10 December once guarantee and invoice are in.
    assert L.milestone_due_date(date(2022, 12, 5), None, date(2022, 12, 10)) == date(2022, 12, 10)
    # ... but never before its condition is met.
    assert L.milestone_due_date(date(2022, 12, 15), None, date(2022, 12, 10)) == date(2022, 12, 15)
    # 30 %: 30 days after final acceptance and funds.
    assert L.milestone_due_date(date(2023, 6, 5), 30, None) == date(2023, 7, 5)
    assert L.milestone_due_date(None, 30, date(2022, 12, 10)) is None
