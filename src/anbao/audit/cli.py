"""``anbao audit verify``: check the SM3 hash chain of the audit trail."""

from __future__ import annotations

import argparse

from django.utils.translation import gettext as _

from anbao.cli.output import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help=_("audit trail"))
    sub = audit.add_subparsers(dest="audit_command", metavar=_("COMMAND"), required=True)
    verify = sub.add_parser(
        "verify",
        help=_("verify the audit trail's SM3 hash chain"),
        description=_(
            "Exit 0 when the chain is intact, 1 naming the first broken record otherwise."
        ),
    )
    verify.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    verify.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from anbao.audit import services

    checked, broken = services.verify()
    services.record(
        "audit.verify",
        actor="cli",
        outcome=services.SUCCESS if broken is None else services.FAILURE,
        details={"checked": checked},
    )
    if args.json:
        print_json(
            {
                "intact": broken is None,
                "checked": checked,
                "broken_at": broken.seq if broken else None,
                "reason": broken.reason if broken else None,
            }
        )
    elif broken is None:
        print(_("audit chain intact: %(n)d records verified") % {"n": checked})
    else:
        print(
            _("audit chain broken at record %(seq)d (%(reason)s)")
            % {"seq": broken.seq, "reason": _reason(broken.reason)}
        )
    return 0 if broken is None else 1


def _reason(code: str) -> str:
    return {
        "modified": _("modified"),
        "missing": _("missing"),
        "out_of_order": _("inserted or out of order"),
    }.get(code, code)
