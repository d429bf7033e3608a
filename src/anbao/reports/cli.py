"""``anbao report``: render a report kind to a file, list the kinds.

``anbao report render KIND --engagement ID --out FILE.docx|FILE.pdf`` renders, stores the new
version under the reports directory (audited, SM3 recorded) and copies it to FILE through a
temporary file and a rename, so FILE is either complete or untouched.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from django.utils.translation import gettext as _

from anbao.cli.output import print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help=_("report engine"))
    sub = report.add_subparsers(dest="report_command", metavar=_("COMMAND"), required=True)

    render = sub.add_parser(
        "render",
        help=_("render a report for an engagement to .docx or .pdf"),
        description=_(
            "Render a report kind for an engagement. The format follows the output "
            "file's extension (.docx or .pdf). The file is also stored as a new "
            "version with its SM3 digest."
        ),
    )
    render.add_argument("kind", metavar=_("KIND"), help=_("report kind (see: anbao report kinds)"))
    render.add_argument("--engagement", required=True, metavar="ID", help=_("engagement ID"))
    render.add_argument(
        "--out", required=True, metavar=_("FILE"), help=_("output file ending in .docx or .pdf")
    )
    render.add_argument("--deliverable", metavar="ID", help=_("deliverable ID this file is for"))
    render.set_defaults(func=cmd_render)

    kinds = sub.add_parser("kinds", help=_("list the report kinds"))
    kinds.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    kinds.set_defaults(func=cmd_kinds)


def cmd_render(args: argparse.Namespace) -> int:
    from anbao.reports import registry, services

    out = Path(args.out)
    # Every check that can fail cheaply runs before the slow render.
    fmt = services.format_for_output(out.name)
    services.check_writable(out)
    registry.get(args.kind)
    engagement, deliverable = services.find_subject(args.engagement, args.deliverable)
    actor = f"cli:{_os_user()}"
    report = services.render(args.kind, engagement, fmt, None, deliverable, actor=actor)
    services.export_to(report, out, actor=actor)
    print(
        _("%(path)s: %(number)s version %(version)d, SM3 %(sm3)s")
        % {
            "path": out,
            "number": report.document_number,
            "version": report.version,
            "sm3": report.sm3,
        }
    )
    return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def cmd_kinds(args: argparse.Namespace) -> int:
    from anbao.reports import registry

    kinds = registry.kinds()
    if args.json:
        print_json([{"key": k.key, "title": k.title, "description": k.description} for k in kinds])
    else:
        print_table(
            [_("key"), _("title"), _("description")],
            [(k.key, k.title, k.description) for k in kinds],
        )
    return 0
