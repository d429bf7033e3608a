"""Money of the contract: instalments (第四条), the guarantee, and the penalties of 第十条.

Every amount is a ``Decimal`` rounded half-up to the fen (0.01 CNY). Days late are calendar
days ("每延期一日"), counted from the day after the due date.

第十条 as functions:

- 1(2) late payment by the client: 0.1 % a day of the part due and unpaid → ``late_payment``.
- 1(3) late return of the guarantee: 0.1 % a day of the guarantee, owed only while the
  provider is itself on schedule → ``late_guarantee_return``.
- 2(1) late deliverable: 0.1 % a day of the contract fee → ``late_deliverable``; more than
  5 days late and still not submitted, the client may terminate, claim back what it paid,
  and a 10 % penalty → ``termination_right``, ``termination_penalty``.
- 2(3) breach of confidentiality: a fixed 100,000 CNY plus damages →
  ``confidentiality_penalty``. (The contract refers to "第十一条" there; the confidentiality
  clause is 第八条.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value: Decimal | int | str) -> Decimal:
    """``value`` rounded half-up to the fen."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Terms:
    """The figures 第十条 computes from; defaults are the seed contract's."""

    amount: Decimal
    late_payment_rate: Decimal = Decimal("0.001")
    late_guarantee_rate: Decimal = Decimal("0.001")
    late_deliverable_rate: Decimal = Decimal("0.001")
    termination_grace_days: int = 5
    termination_penalty_rate: Decimal = Decimal("0.10")
    confidentiality_penalty: Decimal = Decimal("100000")


def share(amount: Decimal, percentage: Decimal) -> Decimal:
    """``percentage`` % of ``amount``: 50 % of 879000 → 439500.00."""
    return money(amount * percentage / HUNDRED)


def check_shares(percentages: list[Decimal]) -> None:
    """Raise ``ValueError`` unless the instalments' percentages add up to 100."""
    total = sum(percentages, Decimal(0))
    if total != HUNDRED:
        raise ValueError(f"instalments add up to {total} %, not 100 %")


def milestone_due_date(
    condition_met_on: date | None, days_after: int | None, deadline: date | None
) -> date | None:
    """When an instalment falls due; ``None`` while its condition is not met.

    The due date is the latest of: the fixed ``deadline`` (the 20 % by 10 December 2022),
    the condition date plus ``days_after`` (15 days after the invoice; 30 days after final
    acceptance and funds), and the condition date itself (nothing is due before its
    condition is met).
    """
    if condition_met_on is None:
        return None
    candidates = [condition_met_on]
    if days_after is not None:
        candidates.append(condition_met_on + timedelta(days=days_after))
    if deadline is not None:
        candidates.append(deadline)
    return max(candidates)


def late_payment(unpaid: Decimal, days: int, terms: Terms) -> Decimal:
    """第十条 1(2): 175800 unpaid for 10 days → 1758.00."""
    return money(unpaid * terms.late_payment_rate * max(0, days))


def late_guarantee_return(
    guarantee: Decimal, days: int, terms: Terms, *, provider_on_schedule: bool = True
) -> Decimal:
    """第十条 1(3): 131850 returned 3 days late → 395.55; nothing if the provider is late."""
    if not provider_on_schedule:
        return money(0)
    return money(guarantee * terms.late_guarantee_rate * max(0, days))


def late_deliverable(days: int, terms: Terms) -> Decimal:
    """第十条 2(1): 7 days late on a fee of 879000 → 6153.00."""
    return money(terms.amount * terms.late_deliverable_rate * max(0, days))


def termination_right(days_late_unsubmitted: int, terms: Terms) -> bool:
    """第十条 2(1): more than 5 days late and still not submitted → the client may terminate."""
    return days_late_unsubmitted > terms.termination_grace_days


def termination_penalty(terms: Terms) -> Decimal:
    """第十条 2(1): 10 % of the fee on termination (879000 → 87900.00), besides the refund."""
    return money(terms.amount * terms.termination_penalty_rate)


def confidentiality_penalty(terms: Terms) -> Decimal:
    """第十条 2(3): the fixed penalty per breach of confidentiality (100000.00)."""
    return money(terms.confidentiality_penalty)
