"""The engagement status report (项目进度报告).

Built from ``anbao.engagement.services.status_summary(engagement, today)``: where the contract
stands in time, deliverables delivered against required per kind (a table and a chart), what
is due this month, what is overdue, the payment milestones and the penalty exposure.

Deliverables are Chinese documents whatever the interface language, so the wording is Chinese.
``build_document`` is pure (a summary and the parties in, a document out) so it can be tested
without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from anbao.reports.core import (
    BulletList,
    Chart,
    ChartType,
    Cover,
    Paragraph,
    RenderContext,
    ReportDocument,
    ReportKind,
    Section,
    Series,
    Table,
)

KEY = "status"
TITLE = "项目进度报告"

DELIVERABLE_STATES = {
    "planned": "计划中",
    "in_progress": "进行中",
    "submitted": "已提交",
    "accepted": "已验收",
}
PAYMENT_STATES = {"paid": "已支付", "overdue": "逾期未付", "due": "待支付", "pending": "条件未满足"}
GUARANTEE_STATES = {
    "awaited": "待提供",
    "overdue": "逾期未提供",
    "held": "甲方持有",
    "returned": "已退还",
}


@dataclass(frozen=True)
class Parties:
    client: str
    provider: str


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def money(amount: Decimal | int) -> str:
    return f"{Decimal(amount):,.2f}"


def build_document(summary: Any, parties: Parties, context: RenderContext) -> ReportDocument:
    """The status report of ``summary`` (an engagement ``StatusSummary``)."""
    cover = Cover(
        title=TITLE,
        system=summary.name,
        client=parties.client,
        provider=parties.provider,
        date=context.today,
        document_number=context.document_number,
        version=context.version,
        subtitle=f"（截至{cn_date(summary.today)}）",
    )
    sections = [
        _overview(summary, parties),
        *_deliverables(summary),
        _payments(summary),
        _exposure(summary),
        Section(
            "说明",
            1,
            (
                BulletList(
                    (
                        "本报告由 anbao 根据系统中登记的合同、交付成果与付款记录自动生成。",
                        "“已交”指已提交或已验收的交付成果；“逾期”指已过到期日而尚未提交。",
                        f"金额单位：元（{summary.currency}）；违约金按合同第十条计算，截至报告日期。",
                    )
                ),
            ),
        ),
    ]
    return ReportDocument(cover, tuple(sections))


def _overview(s: Any, parties: Parties) -> Section:
    percent = round(100 * s.days_elapsed / s.days_total) if s.days_total else 0
    text = (
        f"本报告依据《技术服务合同》（合同登记编号 {s.code}），说明“{s.name}”截至"
        f"{cn_date(s.today)}的执行情况。服务期自{cn_date(s.start_date)}至{cn_date(s.end_date)}，"
        f"共 {s.days_total} 天，已过 {s.days_elapsed} 天（{percent}%）。合同约定的交付成果共 "
        f"{s.required_total} 份，已交 {s.delivered_total} 份，其中已验收 {s.accepted_total} 份；"
        f"逾期未交 {len(s.overdue)} 份。"
    )
    rows = (
        ("项目名称", s.name),
        ("合同登记编号", s.code),
        ("委托单位（甲方）", parties.client),
        ("服务单位（乙方）", parties.provider),
        ("合同金额", f"{money(s.amount)} 元"),
        ("服务期限", f"{cn_date(s.start_date)} 至 {cn_date(s.end_date)}"),
        ("终验窗口开启", cn_date(s.acceptance_window_opens)),
        ("终验日期", cn_date(s.final_accepted_on) if s.final_accepted_on else "尚未终验"),
    )
    return Section(
        "项目概况",
        1,
        (
            Paragraph(text),
            Table(("项目", "内容"), rows, "项目基本信息"),
        ),
    )


def _deliverables(s: Any) -> list[Section]:
    rows = [
        (k.name, str(k.required), str(k.delivered), str(k.accepted), str(k.overdue))
        for k in s.kinds
    ]
    rows.append(
        (
            "合计",
            str(s.required_total),
            str(s.delivered_total),
            str(s.accepted_total),
            str(len(s.overdue)),
        )
    )
    chart = (
        Chart(
            ChartType.BAR,
            "各类交付成果：已交与应交",
            tuple(k.name for k in s.kinds),
            (
                Series("应交", tuple(float(k.required) for k in s.kinds)),
                Series("已交", tuple(float(k.delivered) for k in s.kinds)),
            ),
            caption="各类交付成果已交与应交对比",
            y_label="份数",
            horizontal=True,
        )
        if s.kinds
        else None
    )
    progress_blocks: tuple[Any, ...] = (
        Paragraph("合同第七条约定的各类交付成果完成情况如下表和下图。"),
        Table(("交付成果", "应交", "已交", "已验收", "逾期"), tuple(rows), "交付成果完成情况"),
        *((chart,) if chart else ()),
    )
    month = s.month
    due_rows = tuple(
        (
            d.kind_name,
            f"第 {d.sequence} 份",
            cn_date(d.due_date),
            DELIVERABLE_STATES.get(d.status, d.status),
        )
        for d in s.due_this_month
    )
    month_name = f"{month.start.year}年{month.start.month}月"
    due_blocks: tuple[Any, ...] = (
        (Table(("交付成果", "序号", "到期日", "状态"), due_rows, f"{month_name}到期的交付成果"),)
        if due_rows
        else (Paragraph(f"{month_name}没有到期的交付成果。"),)
    )
    overdue_rows = tuple(
        (
            d.kind_name,
            f"第 {d.sequence} 份",
            cn_date(d.due_date),
            str(d.days_late),
            money(d.penalty),
        )
        for d in s.overdue
    )
    overdue_blocks: tuple[Any, ...] = (
        (
            Table(
                ("交付成果", "序号", "到期日", "逾期天数", "违约金（元）"),
                overdue_rows,
                "逾期未交的交付成果",
            ),
        )
        if overdue_rows
        else (Paragraph("截至报告日期，没有逾期未交的交付成果。"),)
    )
    return [
        Section(
            "交付成果",
            1,
            (
                Paragraph(
                    f"应交 {s.required_total} 份，已交 {s.delivered_total} 份，"
                    f"已验收 {s.accepted_total} 份，逾期 {len(s.overdue)} 份。"
                ),
            ),
        ),
        Section("完成情况", 2, progress_blocks),
        Section("本月到期", 2, due_blocks),
        Section("逾期情况", 2, overdue_blocks),
    ]


def _payments(s: Any) -> Section:
    rows = tuple(
        (
            str(p.sequence),
            p.name,
            f"{Decimal(p.percentage):g}%",
            money(p.amount),
            cn_date(p.due_date),
            cn_date(p.paid_on),
            PAYMENT_STATES.get(p.state, p.state),
        )
        for p in s.payments
    )
    blocks: list[Any] = [
        Paragraph(
            f"合同金额 {money(s.amount)} 元，已支付 {money(s.paid_total)} 元，"
            f"应付未付 {money(s.due_total)} 元（其中逾期 {money(s.overdue_total)} 元），"
            f"尚未支付合计 {money(s.outstanding_total)} 元。"
        ),
    ]
    if rows:
        blocks.append(
            Table(
                ("节点", "名称", "比例", "金额（元）", "应付日期", "支付日期", "状态"),
                rows,
                "付款节点",
            )
        )
    g = s.guarantee
    if g is not None:
        blocks.append(
            Paragraph(
                f"履约保函金额 {money(g.amount)} 元，"
                f"状态：{GUARANTEE_STATES.get(g.state, g.state)}；"
                f"应提供日期 {cn_date(g.provide_by)}，应退还日期 {cn_date(g.return_by)}。"
            )
        )
    return Section("付款与履约保函", 1, tuple(blocks))


def _exposure(s: Any) -> Section:
    e = s.exposure
    rows = (
        ("乙方逾期交付违约金", f"逾期 {e.late_days} 天", money(e.provider_late_deliverables)),
        ("甲方逾期付款违约金", "—", money(e.client_late_payments)),
        ("甲方逾期退还保函违约金", "—", money(e.client_late_guarantee)),
    )
    right = (
        f"已有交付成果逾期达到合同约定的解约条件，甲方有权解除合同，乙方另需支付违约金 "
        f"{money(e.termination_penalty)} 元。"
        if e.termination_right
        else "目前没有交付成果逾期达到合同约定的解约条件。"
    )
    return Section(
        "违约金风险",
        1,
        (
            Table(("项目", "依据", "金额（元）"), rows, "截至报告日期的违约金"),
            Paragraph(right),
        ),
    )


def build(context: RenderContext) -> ReportDocument:
    """The ``ReportKind.build`` of this kind: ``context.subject`` is an Engagement."""
    from anbao.engagement import services as engagement_services

    engagement = context.subject
    summary = engagement_services.status_summary(engagement, context.today)
    names = {p.role: p.name for p in engagement.parties.all()}
    parties = Parties(client=names.get("client", "—"), provider=names.get("provider", "—"))
    return build_document(summary, parties, context)


KIND = ReportKind(KEY, TITLE, build, description="合同执行进度：交付成果、付款与违约金风险")
