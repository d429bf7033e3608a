"""``anbao user add`` and ``anbao user list``."""

from __future__ import annotations

import argparse

from django.utils.translation import gettext as _

from anbao.accounts.core import Role
from anbao.cli.output import print_json, print_table, read_secret_file


def register(subparsers: argparse._SubParsersAction) -> None:
    user = subparsers.add_parser("user", help=_("user accounts"))
    sub = user.add_subparsers(dest="user_command", metavar=_("COMMAND"), required=True)

    add = sub.add_parser(
        "add",
        help=_("create a user account"),
        description=_(
            "Create an account. Without --password-file a random one-time password is printed once."
        ),
    )
    add.add_argument("name", metavar="NAME", help=_("user name"))
    add.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        metavar="ROLE",
        help=_("one of: %(roles)s") % {"roles": ", ".join(r.value for r in Role)},
    )
    add.add_argument(
        "--password-file",
        metavar="FILE",
        help=_("read the initial password from the first line of FILE"),
    )
    add.add_argument("--email", metavar="E", default="", help=_("e-mail address"))
    add.set_defaults(func=cmd_add)

    token = sub.add_parser(
        "token",
        help=_("issue an API token for an account (printed once)"),
        description=_(
            "Other systems call the API with 'Authorization: Bearer TOKEN'. Only the "
            "token's digest is stored."
        ),
    )
    token.add_argument("name", metavar="NAME", help=_("user name"))
    token.add_argument("--label", required=True, help=_("what the token is for"))
    token.add_argument("--days", type=int, default=365, help=_("validity in days (default 365)"))
    token.set_defaults(func=cmd_token)

    lst = sub.add_parser("list", help=_("list user accounts"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    from anbao.accounts import services

    password = read_secret_file(args.password_file) if args.password_file else None
    user, generated = services.create_user(
        args.name, args.role, password=password, email=args.email, actor="cli"
    )
    print(_("created user %(name)s (%(role)s)") % {"name": user.username, "role": user.role})
    if password is None:
        print(
            _("one-time password (shown once, must be changed at first sign-in): %(pw)s")
            % {"pw": generated}
        )
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from anbao.accounts import services

    expires = services.issue_api_token(args.name, args.label, days=args.days, actor="cli")
    print(
        _("API token for %(name)s (shown once, valid until %(until)s):")
        % {"name": args.name, "until": expires[1].date().isoformat()}
    )
    print(expires[0])
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from anbao.accounts.models import User

    users = list(User.objects.order_by("username"))
    if args.json:
        print_json(
            [
                {
                    "username": u.username,
                    "role": u.role,
                    "email": u.email,
                    "active": u.is_active,
                    "must_change_password": u.must_change_password,
                    "last_login": u.last_login.isoformat() if u.last_login else None,
                }
                for u in users
            ]
        )
        return 0
    print_table(
        [_("user name"), _("role"), _("e-mail"), _("status")],
        [
            [
                u.username,
                u.role_label,
                u.email or "-",
                _("active") if u.is_active else _("disabled"),
            ]
            for u in users
        ],
    )
    return 0
