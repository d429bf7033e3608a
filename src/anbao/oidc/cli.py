"""``anbao oidc client add|list|remove``: register the systems that sign in with anbao."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anbao.cli.output import print_json, print_table


def register(subparsers: Any) -> None:
    oidc = subparsers.add_parser("oidc", help=_("OpenID Connect provider: sign-in clients"))
    top = oidc.add_subparsers(dest="oidc_command", metavar=_("COMMAND"), required=True)
    client = top.add_parser("client", help=_("register, list and remove clients"))
    sub = client.add_subparsers(dest="client_command", metavar=_("COMMAND"), required=True)

    add = sub.add_parser(
        "add",
        help=_("register a client: prints its ID and (confidential) secret once"),
        description=_(
            "Registers a client of the authorization code flow with PKCE. The secret of a "
            "confidential client is printed once; anbao keeps only its hash."
        ),
    )
    add.add_argument("name", metavar="NAME", help=_("the application's name"))
    add.add_argument(
        "--redirect-uri",
        action="append",
        required=True,
        metavar="URI",
        help=_("redirect URI (https; http only for 127.0.0.1/localhost); repeatable"),
    )
    add.add_argument(
        "--post-logout-redirect-uri",
        action="append",
        default=[],
        metavar="URI",
        help=_("where to return after sign-out; repeatable"),
    )
    add.add_argument("--public", action="store_true", help=_("public client: no secret"))
    add.add_argument(
        "--require-certificate",
        action="store_true",
        help=_("refuse sessions signed in without a certificate"),
    )
    add.add_argument("--trusted", action="store_true", help=_("skip the consent page"))
    add.add_argument("--json", action="store_true", help=_("print JSON"))
    add.set_defaults(func=cmd_add)

    lst = sub.add_parser("list", help=_("list clients (secrets are never shown again)"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(func=cmd_list)

    remove = sub.add_parser("remove", help=_("remove a client with its tokens"))
    remove.add_argument("client_id", metavar="CLIENT_ID")
    remove.set_defaults(func=cmd_remove)


def cmd_add(args: argparse.Namespace) -> int:
    from anbao.oidc import services

    client, secret = services.register_client(
        args.name,
        args.redirect_uri,
        public=args.public,
        require_certificate=args.require_certificate,
        trusted=args.trusted,
        post_logout_redirect_uris=args.post_logout_redirect_uri,
        actor="cli",
    )
    if args.json:
        print_json({**services.describe(client), "client_secret": secret})
        return 0
    print(_("Client %(name)s registered.") % {"name": client.name})
    print(f"client_id: {client.client_id}")
    if secret:
        print(f"client_secret: {secret}")
        print(_("The secret is shown only now: anbao keeps only its hash."))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from anbao.oidc import services

    rows = [services.describe(c) for c in services.list_clients()]
    if args.json:
        print_json(rows)
        return 0
    print_table(
        [
            _("Client ID"),
            pgettext("oidc client", "Name"),
            _("Type"),
            _("Redirect URIs"),
            _("Certificate"),
            _("Status"),
        ],
        [
            (
                r["client_id"],
                r["name"],
                _("public") if r["type"] == "public" else _("confidential"),
                " ".join(r["redirect_uris"]),
                pgettext("oidc client", "required") if r["require_certificate"] else "-",
                pgettext("oidc client", "disabled")
                if r["disabled"]
                else pgettext("oidc client", "active"),
            )
            for r in rows
        ],
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from anbao.oidc import services

    services.remove_client(args.client_id, actor="cli")
    print(_("Client %(id)s removed.") % {"id": args.client_id})
    return 0
