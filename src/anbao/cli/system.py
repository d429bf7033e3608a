"""``anbao init``, ``anbao serve`` and ``anbao check``: set up, run and check an instance."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from django.utils.translation import gettext as _

from anbao.cli.output import read_secret_file
from anbao.errors import ConfigurationError


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser(
        "init",
        help=_("create the data dir, migrate, load the sample, create the first administrator"),
        description=_("Safe to run again: existing data is kept and nothing is duplicated."),
    )
    init.add_argument(
        "--admin-user",
        metavar="NAME",
        default="admin",
        help=_("user name of the first system administrator (default: admin)"),
    )
    init.add_argument(
        "--admin-password-file",
        metavar="FILE",
        help=_("read the administrator's initial password from FILE"),
    )
    init.add_argument(
        "--no-sample", action="store_true", help=_("do not load the sample engagement")
    )
    init.set_defaults(func=cmd_init)

    serve = subparsers.add_parser("serve", help=_("serve the web UI and API with gunicorn"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to bind (default 127.0.0.1)"))
    serve.add_argument("--port", type=_port, default=8000, help=_("port (default 8000)"))
    serve.add_argument(
        "--workers", type=_positive, default=2, help=_("worker processes (default 2)")
    )
    serve.add_argument(
        "--threads",
        type=_positive,
        default=4,
        help=_("threads per worker process (default 4)"),
    )
    serve.add_argument(
        "--access-log",
        metavar="FILE",
        help=_(
            "write an access log line per request to FILE (- for standard output); off by "
            "default: it costs more than a signature check, and a reverse proxy in front "
            "usually keeps one"
        ),
    )
    serve.set_defaults(func=cmd_serve)

    check = subparsers.add_parser(
        "check",
        help=_("check configuration, database, broker and data dir permissions"),
        description=_("Exit 0 when everything is in order, 1 otherwise."),
    )
    check.add_argument("--json", action="store_true", help=_("print JSON"))
    check.set_defaults(func=cmd_check)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a port number: %(v)s") % {"v": text}) from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(_("port out of range: %(v)s") % {"v": text})
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1 or value > 64:
        raise argparse.ArgumentTypeError(_("expected a number from 1 to 64: %(v)s") % {"v": text})
    return value


def cmd_init(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from anbao import conf
    from anbao.accounts import services as accounts
    from anbao.accounts.core import Role
    from anbao.accounts.models import User
    from anbao.audit.services import record
    from anbao.web.checks import describe_database

    password = read_secret_file(args.admin_password_file) if args.admin_password_file else None
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(data_dir, 0o700)
    created_key = not (data_dir / conf.SECRET_KEY_FILE).exists()
    conf.create_secret_key(data_dir)
    for sub in ("files", "reports", "ca", "backups", "mail", "static"):
        (data_dir / sub).mkdir(exist_ok=True, mode=0o700)
    call_command("migrate", interactive=False, verbosity=0)
    print(_("database ready: %(db)s") % {"db": describe_database()})
    if created_key:
        print(
            _("secret key created: %(path)s (mode 0600)")
            % {"path": data_dir / conf.SECRET_KEY_FILE}
        )

    if not args.no_sample:
        from anbao.engagement.services import load_sample

        engagement = load_sample()
        print(_("sample engagement: %(name)s") % {"name": engagement})

    if User.objects.filter(role=Role.SYSTEM_ADMIN.value).exists():
        print(_("a system administrator exists already; no account created"))
    else:
        user, pw = accounts.create_user(
            args.admin_user, Role.SYSTEM_ADMIN.value, password=password, actor="init"
        )
        print(_("created the first system administrator: %(name)s") % {"name": user.username})
        if password is None:
            print(
                _("one-time password (shown once, change it at first sign-in): %(pw)s") % {"pw": pw}
            )
    record("system.init", actor="init", details={"sample": not args.no_sample})
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    from anbao.web.checks import pending_migrations

    if not settings.SECRET_KEY_IS_STORED:
        raise ConfigurationError(
            _("no secret key in %(dir)s: run `anbao init` first") % {"dir": settings.DATA_DIR}
        )
    if pending_migrations():
        raise ConfigurationError(_("the database is not migrated: run `anbao init` first"))
    from anbao.web.server import serve

    print(
        _("anbao serving on http://%(host)s:%(port)d/ (Ctrl-C stops)")
        % {"host": args.host, "port": args.port},
        flush=True,
    )
    serve(args.host, args.port, args.workers, threads=args.threads, access_log=args.access_log)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from anbao.cli.output import print_json
    from anbao.web.checks import run_checks

    results = run_checks()
    if args.json:
        print_json([{"check": r.name, "ok": r.ok, "detail": r.detail} for r in results])
    else:
        for r in results:
            mark = "OK " if r.ok else "ERR"
            print(f"[{mark}] {r.name}: {r.detail}")
    return 0 if all(r.ok for r in results) else 1
