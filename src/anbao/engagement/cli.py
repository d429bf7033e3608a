"""``anbao engagement``: list contracts, load the sample, print a contract's status."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from django.utils.translation import gettext as _

from anbao.cli.output import print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("engagement", help=_("service contracts and deliverables"))
    sub = parser.add_subparsers(dest="engagement_command", metavar=_("COMMAND"), required=True)
    listing = sub.add_parser("list", help=_("list the engagements"))
    listing.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    listing.set_defaults(func=cmd_list)
    sample = sub.add_parser("load-sample", help=_("load the sample contract (idempotent)"))
    sample.set_defaults(func=cmd_load_sample)
    status = sub.add_parser("status", help=_("where an engagement stands on a day"))
    status.add_argument(
        "code", nargs="?", help=_("registration number (default: the newest active engagement)")
    )
    status.add_argument("--today", help=_("the day to compute for, YYYY-MM-DD"))
    status.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    status.set_defaults(func=cmd_status)


def cmd_list(args: argparse.Namespace) -> int:
    from anbao.engagement.models import Engagement

    rows = Engagement.objects.order_by("-start_date", "-id")
    if args.json:
        print_json(
            [
                {
                    "id": e.pk,
                    "code": e.code,
                    "name": e.name,
                    "status": e.status,
                    "amount": str(e.amount),
                    "start_date": e.start_date,
                    "end_date": e.end_date,
                }
                for e in rows
            ]
        )
        return 0
    print_table(
        [
            _("registration number"),
            _("status"),
            _("period"),
            _("contract amount"),
            _("project name"),
        ],
        [
            (e.code, e.get_status_display(), f"{e.start_date} – {e.end_date}", e.amount, e.name)
            for e in rows
        ],
    )
    return 0


def cmd_load_sample(args: argparse.Namespace) -> int:
    from anbao.engagement import services

    engagement = services.load_sample(actor="cli")
    print(
        _("sample engagement %(code)s (id %(id)d)") % {"code": engagement.code, "id": engagement.pk}
    )
    return 0


def _find(code: str | None) -> Any:
    from anbao.engagement import services
    from anbao.engagement.models import Engagement
    from anbao.errors import NotFound

    engagement = (
        Engagement.objects.filter(code=code).first() if code else services.current_engagement()
    )
    if engagement is None:
        raise NotFound(_("no such engagement: %(code)s") % {"code": code or "-"})
    return engagement


def cmd_status(args: argparse.Namespace) -> int:
    from anbao.engagement import services
    from anbao.engagement.services import parse

    today = parse.day({"today": args.today}, "today", required=False)
    s = services.status_summary(_find(args.code), today)
    if args.json:
        print_json(dataclasses.asdict(s))
        return 0
    print(f"{s.code} {s.name}")
    print(
        _(
            "as of %(day)s: delivered %(done)d of %(total)d, accepted %(accepted)d, "
            "overdue %(overdue)d"
        )
        % {
            "day": s.today,
            "done": s.delivered_total,
            "total": s.required_total,
            "accepted": s.accepted_total,
            "overdue": len(s.overdue),
        }
    )
    print_table(
        [_("deliverable kind"), _("required"), _("delivered"), _("accepted"), _("overdue")],
        [(k.name, k.required, k.delivered, k.accepted, k.overdue) for k in s.kinds],
    )
    print(
        _("paid %(paid)s, due %(due)s, overdue %(overdue)s, outstanding %(out)s")
        % {
            "paid": s.paid_total,
            "due": s.due_total,
            "overdue": s.overdue_total,
            "out": s.outstanding_total,
        }
    )
    e = s.exposure
    print(
        _(
            "penalty exposure: provider %(provider)s (%(days)d days late), client "
            "%(client)s; client may terminate: %(right)s"
        )
        % {
            "provider": e.provider_late_deliverables,
            "days": e.late_days,
            "client": e.client_total,
            "right": _("yes") if e.termination_right else _("no"),
        }
    )
    return 0
