"""``anbao enrol invite`` and ``anbao enrol list``: invitations from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from anbao.cli.output import print_json, print_table
from anbao.enrolment import core


def register(subparsers: Any) -> None:
    enrol = subparsers.add_parser("enrol", help=_("certificate enrolment invitations"))
    sub = enrol.add_subparsers(dest="enrol_command", metavar=_("COMMAND"), required=True)
    invite = sub.add_parser(
        "invite",
        help=_("invite a holder to enrol: prints the one-time link once"),
        description=_(
            "Creates a one-time enrolment code for the holder and prints the link "
            "(and, on a terminal, its QR code). The code is stored only as a hash and "
            "cannot be shown again."
        ),
    )
    invite.add_argument("--name", required=True, metavar="N", help=_("holder's name"))
    invite.add_argument("--email", required=True, metavar="E", help=_("holder's e-mail"))
    invite.add_argument("--unit", default="", metavar="U", help=_("organisation unit"))
    invite.add_argument(
        "--user",
        default="",
        metavar="USERNAME",
        help=_("bind to this account (created as a certificate holder if new)"),
    )
    invite.add_argument(
        "--profile", choices=["pc", "mobile"], default="pc", help=_("pc or mobile (default pc)")
    )
    invite.add_argument(
        "--dual",
        action="store_true",
        help=_("also issue an encryption certificate (key escrowed by the CA)"),
    )
    invite.add_argument(
        "--hours",
        type=int,
        default=core.DEFAULT_HOURS,
        metavar="H",
        help=_("validity of the code in hours (default 72)"),
    )
    invite.add_argument("--json", action="store_true", help=_("print JSON"))
    invite.add_argument("--qr", action="store_true", help=_("also print the QR code as text"))
    invite.set_defaults(func=cmd_invite)
    withdraw = sub.add_parser(
        "withdraw", help=_("make an open invitation unusable (e.g. the code went astray)")
    )
    withdraw.add_argument("id", type=int, metavar="ID", help=_("invitation ID (enrol list)"))
    withdraw.set_defaults(func=cmd_withdraw)
    lst = sub.add_parser("list", help=_("list invitations (codes are never shown again)"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(func=cmd_list)


def cmd_invite(args: argparse.Namespace) -> int:
    from anbao.enrolment import services

    invitation, code = services.create_invitation(
        name=args.name,
        email=args.email,
        unit=args.unit,
        username=args.user,
        profile=args.profile,
        dual=args.dual,
        hours=args.hours,
        actor="cli",
    )
    url = services.enrolment_url(code)
    if args.json:
        print_json(
            {
                "id": invitation.pk,
                "code": code,
                "url": url,
                "expires_at": invitation.expires_at.isoformat(),
            }
        )
        return 0
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    print(
        _("Enrolment link for %(n)s (valid until %(t)s, once):")
        % {"n": invitation.name, "t": expires}
    )
    print(url)
    print(_("Code: %(c)s (shown only now)") % {"c": code})
    if args.qr:
        import segno

        segno.make(url, error="m").terminal(compact=True)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from anbao.enrolment import services

    invitation = services.withdraw(args.id, actor="cli")
    print(_("The invitation for %(n)s was withdrawn.") % {"n": invitation.name})
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from anbao.enrolment import services
    from anbao.enrolment.models import Invitation

    rows = [(i, str(services.state_of(i))) for i in Invitation.objects.all()]
    if args.json:
        print_json(
            [
                {
                    "id": i.pk,
                    "name": i.name,
                    "email": i.email,
                    "unit": i.unit,
                    "username": i.username,
                    "profile": i.profile,
                    "dual": i.dual,
                    "created_by": i.created_by,
                    "expires_at": i.expires_at.isoformat(),
                    "used_at": i.used_at.isoformat() if i.used_at else None,
                    "state": state,
                    "serial": i.certificate_serial or None,
                }
                for i, state in rows
            ]
        )
        return 0
    print_table(
        [_("ID"), _("Name"), _("E-mail"), _("Profile"), _("Expires"), _("State"), _("Serial")],
        [
            (
                i.pk,
                i.name,
                i.email,
                i.profile,
                timezone.localtime(i.expires_at).strftime("%Y-%m-%d %H:%M"),
                services.state_label(core.State(state)),
                i.certificate_serial,
            )
            for i, state in rows
        ],
    )
    return 0
