"""Where a contract stands on a given day: the figures of the dashboard and the status report.

``summarize(contract, today)`` takes plain inputs (no Django) and returns a frozen
``StatusSummary``. The web dashboard, the API (``/api/engagements/<id>/summary/``) and the
项目进度报告 all read this one object; its fields are a stable interface (add, don't rename).

Rules:

- *delivered* means submitted or accepted; a deliverable is *overdue* when it is not
  delivered and its due date is before ``today``;
- a deliverable's days late run to its submission day, or to ``today`` while it is not
  submitted (to the final acceptance day at the latest, when there is one);
- the provider's late-deliverable exposure counts each calendar day on which at least one
  deliverable was late once: the rate of 第十条 2(1) applies to the whole contract fee, so
  two reports late on the same day are one day of delay, not two;
- the client's late-payment exposure is per instalment (0.1 % a day of the unpaid part);
- the guarantee exposure applies only while the provider was on schedule on the return
  deadline (no deliverable due by then was late);
- the summary is *as of* ``today``: whatever is dated after it (a submission, an acceptance,
  a payment, the guarantee's receipt or return, final acceptance) has not happened yet, so a
  past day can be looked at after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from anbao.engagement.core import liabilities as L
from anbao.engagement.core.calendar import Period, days_late, month_containing, union_days

DELIVERED = frozenset({"submitted", "accepted"})


# ---- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindIn:
    code: str
    name: str
    required_count: int


@dataclass(frozen=True)
class DeliverableIn:
    id: int
    kind_code: str
    sequence: int
    due_date: date
    status: str
    submitted_on: date | None = None
    accepted_on: date | None = None


@dataclass(frozen=True)
class MilestoneIn:
    id: int
    sequence: int
    name: str
    percentage: Decimal
    amount: Decimal
    condition: str
    due_date: date | None
    paid_on: date | None = None
    condition_met_on: date | None = None


@dataclass(frozen=True)
class GuaranteeIn:
    amount: Decimal
    provide_by: date | None
    received_on: date | None
    return_by: date | None
    returned_on: date | None


@dataclass(frozen=True)
class ContractIn:
    id: int
    code: str
    name: str
    start_date: date
    end_date: date
    terms: L.Terms
    acceptance_window_opens: date
    kinds: tuple[KindIn, ...]
    deliverables: tuple[DeliverableIn, ...]
    milestones: tuple[MilestoneIn, ...]
    guarantee: GuaranteeIn | None = None
    final_accepted_on: date | None = None
    currency: str = "CNY"


# ---- outputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliverableLine:
    """One deliverable as the dashboard lists it."""

    id: int
    kind_code: str
    kind_name: str
    sequence: int
    due_date: date
    status: str
    days_late: int
    penalty: Decimal  # 第十条 2(1) for this deliverable alone


@dataclass(frozen=True)
class KindProgress:
    """Delivered (submitted or accepted) against required, for one kind."""

    code: str
    name: str
    required: int
    delivered: int
    accepted: int
    overdue: int


@dataclass(frozen=True)
class PaymentLine:
    """One instalment. ``state``: paid, overdue, due (condition met, not yet late),
    pending (condition not met)."""

    id: int
    sequence: int
    name: str
    percentage: Decimal
    amount: Decimal
    condition: str
    due_date: date | None
    paid_on: date | None
    state: str
    days_late: int
    penalty: Decimal


@dataclass(frozen=True)
class GuaranteeLine:
    """The guarantee. ``state``: awaited, overdue (not provided by ``provide_by``), held,
    returned."""

    amount: Decimal
    provide_by: date | None
    received_on: date | None
    return_by: date | None
    returned_on: date | None
    state: str
    days_late: int
    penalty: Decimal


@dataclass(frozen=True)
class Exposure:
    """Penalties accrued as of ``today`` under 第十条, by who owes them."""

    provider_late_deliverables: Decimal
    late_days: int
    termination_right: bool
    termination_penalty: Decimal
    client_late_payments: Decimal
    client_late_guarantee: Decimal
    confidentiality_penalty: Decimal

    @property
    def provider_total(self) -> Decimal:
        return self.provider_late_deliverables

    @property
    def client_total(self) -> Decimal:
        return self.client_late_payments + self.client_late_guarantee


@dataclass(frozen=True)
class StatusSummary:
    """The contract on ``today``.

    Fields: identity (``engagement_id``, ``code``, ``name``, ``currency``, ``amount``,
    ``start_date``, ``end_date``, ``today``, ``month``); time (``days_total``,
    ``days_elapsed``, ``acceptance_window_opens``, ``final_accepted_on``); deliverables
    (``due_this_month``: every deliverable due in ``today``'s calendar month, delivered or
    not; ``overdue``; ``kinds``; ``required_total``, ``delivered_total``,
    ``accepted_total``); money (``payments``, ``paid_total``, ``due_total``: condition met
    and unpaid, ``overdue_total``, ``outstanding_total``: everything unpaid); ``guarantee``;
    ``exposure``.
    """

    engagement_id: int
    code: str
    name: str
    currency: str
    amount: Decimal
    start_date: date
    end_date: date
    today: date
    month: Period
    days_total: int
    days_elapsed: int
    acceptance_window_opens: date
    final_accepted_on: date | None
    due_this_month: tuple[DeliverableLine, ...]
    overdue: tuple[DeliverableLine, ...]
    kinds: tuple[KindProgress, ...]
    required_total: int
    delivered_total: int
    accepted_total: int
    payments: tuple[PaymentLine, ...]
    paid_total: Decimal
    due_total: Decimal
    overdue_total: Decimal
    outstanding_total: Decimal
    guarantee: GuaranteeLine | None
    exposure: Exposure


# ---- computation -------------------------------------------------------------------------


def _after(day: date | None, today: date) -> bool:
    return day is not None and day > today


def _deliverable_as_of(d: DeliverableIn, today: date) -> DeliverableIn:
    if _after(d.submitted_on, today):
        return replace(d, status="in_progress", submitted_on=None, accepted_on=None)
    if d.status == "accepted" and _after(d.accepted_on, today):
        return replace(d, status="submitted", accepted_on=None)
    return d


def _milestone_as_of(m: MilestoneIn, today: date) -> MilestoneIn:
    if _after(m.condition_met_on, today):
        return replace(m, due_date=None, paid_on=None)
    return replace(m, paid_on=None) if _after(m.paid_on, today) else m


def as_of(c: ContractIn, today: date) -> ContractIn:
    """``c`` as it stood on ``today``: events dated later are undone."""
    g = c.guarantee
    if g is not None:
        received = None if _after(g.received_on, today) else g.received_on
        returned = None if received is None or _after(g.returned_on, today) else g.returned_on
        g = replace(g, received_on=received, returned_on=returned)
    return replace(
        c,
        deliverables=tuple(_deliverable_as_of(d, today) for d in c.deliverables),
        milestones=tuple(_milestone_as_of(m, today) for m in c.milestones),
        guarantee=g,
        final_accepted_on=None if _after(c.final_accepted_on, today) else c.final_accepted_on,
    )


def _late_until(d: DeliverableIn, today: date, final: date | None) -> date:
    if d.status in DELIVERED and d.submitted_on is not None:
        return d.submitted_on
    return min(today, final) if final is not None else today


def _deliverable_lines(c: ContractIn, today: date) -> list[DeliverableLine]:
    names = {k.code: k.name for k in c.kinds}
    lines = []
    for d in c.deliverables:
        late = days_late(d.due_date, _late_until(d, today, c.final_accepted_on))
        lines.append(
            DeliverableLine(
                d.id,
                d.kind_code,
                names.get(d.kind_code, d.kind_code),
                d.sequence,
                d.due_date,
                d.status,
                late,
                L.late_deliverable(late, c.terms),
            )
        )
    return lines


def _kinds(c: ContractIn, today: date) -> list[KindProgress]:
    out = []
    for k in c.kinds:
        mine = [d for d in c.deliverables if d.kind_code == k.code]
        out.append(
            KindProgress(
                k.code,
                k.name,
                k.required_count,
                sum(d.status in DELIVERED for d in mine),
                sum(d.status == "accepted" for d in mine),
                sum(d.status not in DELIVERED and d.due_date < today for d in mine),
            )
        )
    return out


def _payment_line(m: MilestoneIn, terms: L.Terms, today: date) -> PaymentLine:
    late = 0
    if m.paid_on is not None:
        state = "paid"
        late = days_late(m.due_date, m.paid_on) if m.due_date else 0
    elif m.due_date is None:
        state = "pending"
    elif today > m.due_date:
        state, late = "overdue", days_late(m.due_date, today)
    else:
        state = "due"
    return PaymentLine(
        m.id,
        m.sequence,
        m.name,
        m.percentage,
        m.amount,
        m.condition,
        m.due_date,
        m.paid_on,
        state,
        late,
        L.late_payment(m.amount, late, terms),
    )


def _provider_on_schedule(c: ContractIn, on: date) -> bool:
    """No deliverable due by ``on`` was late on that day."""
    for d in c.deliverables:
        if d.due_date >= on:
            continue
        delivered_by = d.submitted_on if d.status in DELIVERED else None
        if delivered_by is None or delivered_by > d.due_date:
            return False
    return True


def _guarantee_line(c: ContractIn, today: date) -> GuaranteeLine | None:
    g = c.guarantee
    if g is None:
        return None
    late = 0
    if g.returned_on is not None:
        state = "returned"
    elif g.received_on is not None:
        state = "held"
    elif g.provide_by is not None and today > g.provide_by:
        state = "overdue"
    else:
        state = "awaited"
    if g.received_on is not None and g.return_by is not None:
        late = days_late(g.return_by, g.returned_on or today)
    on_schedule = g.return_by is None or _provider_on_schedule(c, g.return_by)
    penalty = L.late_guarantee_return(g.amount, late, c.terms, provider_on_schedule=on_schedule)
    return GuaranteeLine(
        g.amount, g.provide_by, g.received_on, g.return_by, g.returned_on, state, late, penalty
    )


def summarize(c: ContractIn, today: date) -> StatusSummary:
    """The status of contract ``c`` on ``today``."""
    c = as_of(c, today)
    month = month_containing(today)
    lines = _deliverable_lines(c, today)
    by_id = {d.id: d for d in c.deliverables}
    overdue = tuple(x for x in lines if x.status not in DELIVERED and x.due_date < today)
    late_spans = [
        (x.due_date, _late_until(by_id[x.id], today, c.final_accepted_on))
        for x in lines
        if x.days_late
    ]
    late_days = union_days((due, until) for due, until in late_spans)
    kinds = _kinds(c, today)
    payments = tuple(_payment_line(m, c.terms, today) for m in c.milestones)
    guarantee = _guarantee_line(c, today)
    days_total = (c.end_date - c.start_date).days + 1

    def total(states: set[str]) -> Decimal:
        return L.money(sum((p.amount for p in payments if p.state in states), Decimal(0)))

    exposure = Exposure(
        provider_late_deliverables=L.late_deliverable(late_days, c.terms),
        late_days=late_days,
        termination_right=any(L.termination_right(x.days_late, c.terms) for x in overdue),
        termination_penalty=L.termination_penalty(c.terms),
        client_late_payments=L.money(sum((p.penalty for p in payments), Decimal(0))),
        client_late_guarantee=guarantee.penalty if guarantee else L.money(0),
        confidentiality_penalty=L.confidentiality_penalty(c.terms),
    )
    return StatusSummary(
        engagement_id=c.id,
        code=c.code,
        name=c.name,
        currency=c.currency,
        amount=L.money(c.terms.amount),
        start_date=c.start_date,
        end_date=c.end_date,
        today=today,
        month=month,
        days_total=days_total,
        days_elapsed=min(max(0, (today - c.start_date).days + 1), days_total),
        acceptance_window_opens=c.acceptance_window_opens,
        final_accepted_on=c.final_accepted_on,
        due_this_month=tuple(x for x in lines if x.due_date in month),
        overdue=overdue,
        kinds=tuple(kinds),
        required_total=sum(k.required for k in kinds),
        delivered_total=sum(k.delivered for k in kinds),
        accepted_total=sum(k.accepted for k in kinds),
        payments=payments,
        paid_total=total({"paid"}),
        due_total=total({"due", "overdue"}),
        overdue_total=total({"overdue"}),
        outstanding_total=total({"due", "overdue", "pending"}),
        guarantee=guarantee,
        exposure=exposure,
    )
