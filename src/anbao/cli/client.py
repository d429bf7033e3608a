"""``anbao client login``: sign in to an anbao server with certificate + password."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from django.utils.translation import gettext as _

from anbao.cli.files import read_input
from anbao.cli.output import read_secret_file
from anbao.errors import ValidationError


def register(subparsers: Any) -> None:
    client = subparsers.add_parser("client", help=_("act as a client of an anbao server"))
    sub = client.add_subparsers(dest="client_command", metavar=_("COMMAND"), required=True)
    login = sub.add_parser(
        "login",
        help=_("sign in with the certificate key and the password"),
        description=_(
            "Exit 0 when signed in, 1 with the server's message when refused, 2 on bad input."
        ),
    )
    login.add_argument("--server", required=True, metavar="URL", help=_("the server's URL"))
    login.add_argument("--user", required=True, metavar="NAME", help=_("user name"))
    login.add_argument("--key", metavar="KEY.pem", help=_("the signing key file"))
    login.add_argument("--passphrase-file", metavar="F", help=_("file holding the key's PIN"))
    login.add_argument(
        "--cert",
        metavar="CERT.pem",
        help=_("the signing certificate (default: the server's record)"),
    )
    login.add_argument(
        "--password-file",
        metavar="F",
        help=_("file holding the password (default: asked on the terminal)"),
    )
    login.set_defaults(func=cmd_login)


def cmd_login(args: argparse.Namespace) -> int:
    from anbao.client import AnbaoClient, ClientError, LoginRefused
    from anbao.sm import load_private_key
    from anbao.sm.errors import SMError

    try:
        client = AnbaoClient(args.server)
    except ValueError:
        raise ValidationError(_("not an http(s) URL: %(u)s") % {"u": args.server}) from None
    key = None
    if args.key:
        pin = read_secret_file(args.passphrase_file).encode() if args.passphrase_file else None
        try:
            key = load_private_key(read_input(args.key), pin)
        except SMError as exc:
            raise ValidationError(_("%(f)s: %(m)s") % {"f": args.key, "m": exc.message}) from None
    cert = read_input(args.cert).decode("utf-8", "replace") if args.cert else None
    if args.password_file:
        password = read_secret_file(args.password_file)
    elif sys.stdin.isatty():
        password = getpass.getpass(_("Password: "))
    else:
        raise ValidationError(_("give --password-file (no terminal to ask on)"))
    try:
        done = client.login(args.user, password, key=key, certificate_pem=cert)
    except LoginRefused as refused:
        print(_("refused: %(m)s") % {"m": refused.message}, file=sys.stderr)
        return 1
    except ClientError as exc:
        raise ValidationError(str(exc)) from None
    how = _("certificate + password") if "x509" in done.get("amr", []) else _("password")
    print(
        _("signed in to %(s)s as %(u)s (%(how)s)") % {"s": args.server, "u": args.user, "how": how}
    )
    return 0
