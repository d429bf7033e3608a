"""The status of an engagement on a day, read from the database into the pure core."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from anbao.engagement.core import liabilities as L
from anbao.engagement.core import summary as S
from anbao.engagement.core.schedule import acceptance_window_opens
from anbao.engagement.models import Engagement, Guarantee
from anbao.engagement.services.workflow import as_date


def terms_of(engagement: Engagement) -> L.Terms:
    return L.Terms(
        amount=engagement.amount,
        late_payment_rate=engagement.late_payment_rate,
        late_guarantee_rate=engagement.late_guarantee_rate,
        late_deliverable_rate=engagement.late_deliverable_rate,
        termination_grace_days=engagement.termination_grace_days,
        termination_penalty_rate=engagement.termination_penalty_rate,
        confidentiality_penalty=engagement.confidentiality_penalty,
    )


def contract_input(engagement: Engagement) -> S.ContractIn:
    """The engagement as the plain values ``core.summary.summarize`` reads."""
    kinds = list(engagement.deliverable_kinds.all())
    deliverables = engagement.deliverables.select_related("kind").all()
    guarantee = Guarantee.objects.filter(engagement=engagement).first()
    return S.ContractIn(
        id=engagement.pk,
        code=engagement.code,
        name=engagement.name,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
        terms=terms_of(engagement),
        currency=engagement.currency,
        acceptance_window_opens=acceptance_window_opens(
            engagement.end_date, engagement.acceptance_window_working_days
        ),
        kinds=tuple(S.KindIn(k.code, k.name, k.required_count) for k in kinds),
        deliverables=tuple(
            S.DeliverableIn(
                d.pk,
                d.kind.code,
                d.sequence,
                d.due_date,
                d.status,
                as_date(d.submitted_at),
                as_date(d.accepted_at),
            )
            for d in deliverables
        ),
        milestones=tuple(
            S.MilestoneIn(
                m.pk,
                m.sequence,
                m.name,
                m.percentage,
                m.amount,
                m.condition,
                L.milestone_due_date(m.condition_met_on, m.days_after_condition, m.deadline),
                m.paid_on,
                m.condition_met_on,
            )
            for m in engagement.payment_milestones.all()
        ),
        guarantee=S.GuaranteeIn(
            guarantee.amount,
            guarantee.provide_by,
            guarantee.received_on,
            guarantee.return_by,
            guarantee.returned_on,
        )
        if guarantee
        else None,
        final_accepted_on=engagement.final_accepted_on,
    )


def status_summary(engagement: Engagement, today: date | None = None) -> S.StatusSummary:
    """Where ``engagement`` stands on ``today`` (default: today in ``TIME_ZONE``).

    Returns ``anbao.engagement.core.summary.StatusSummary`` (see its docstring for every
    field): ``due_this_month``, ``overdue``, ``kinds`` (delivered vs required per kind),
    ``payments`` with ``paid_total``/``due_total``/``overdue_total``/``outstanding_total``,
    ``guarantee`` and ``exposure`` (penalties accrued as of ``today``). The dashboard, the
    API summary route and the 项目进度报告 all use it.
    """
    return S.summarize(contract_input(engagement), today or timezone.localdate())


def current_engagement() -> Engagement | None:
    """The newest active engagement (else the newest of any state), for the dashboard."""
    return (
        Engagement.objects.filter(status=Engagement.Status.ACTIVE)
        .order_by("-start_date", "-id")
        .first()
        or Engagement.objects.order_by("-start_date", "-id").first()
    )
