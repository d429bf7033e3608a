"""``anbao job``: list jobs, show one with its progress, run one, cancel one."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from typing import Any

from django.utils.translation import gettext as _

from anbao.cli.output import print_json, print_table
from anbao.errors import Conflict, ValidationError

BAR_WIDTH = 30
EXIT_OK, EXIT_NO = 0, 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "job",
        help=_("background jobs: list, show, run, cancel"),
        description=_("Background jobs and their progress."),
    )
    commands = parser.add_subparsers(dest="job_command", metavar=_("COMMAND"))
    commands.required = True

    p = commands.add_parser("list", help=_("list jobs, newest first"))
    p.add_argument(
        "--state",
        default="",
        metavar=_("STATE"),
        help=_("only jobs in this state (queued, running, succeeded, failed, cancelled)"),
    )
    p.add_argument("--kind", default="", metavar=_("KIND"), help=_("only jobs of this kind"))
    p.add_argument(
        "--limit", type=int, default=50, metavar="N", help=_("at most N jobs (default 50)")
    )
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = commands.add_parser("show", help=_("show one job with its progress and log"))
    p.add_argument("id", metavar="ID", help=_("the job identifier"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = commands.add_parser(
        "run",
        help=_("submit a job; with --wait follow its progress"),
        description=_(
            "Without a broker the job runs inside this command, which then exits "
            "only when the job has finished, with or without --wait."
        ),
    )
    p.add_argument("kind", metavar=_("KIND"), help=_("the job kind, e.g. jobs.selftest"))
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar=_("NAME=VALUE"),
        help=_("a job parameter; the value is read as JSON when it parses"),
    )
    p.add_argument(
        "--wait", action="store_true", help=_("wait for the job to finish, showing its progress")
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=3600,
        metavar=_("SECONDS"),
        help=_("with --wait, give up after this many seconds"),
    )
    p.add_argument("--json", action="store_true", help=_("print the job as JSON"))
    p.set_defaults(func=cmd_run)

    p = commands.add_parser("cancel", help=_("cancel a queued or running job"))
    p.add_argument("id", metavar="ID", help=_("the job identifier"))
    p.set_defaults(func=cmd_cancel)

    p = commands.add_parser("kinds", help=_("list the job kinds this installation knows"))
    p.set_defaults(func=cmd_kinds)


def bar(progress: int) -> str:
    filled = round(BAR_WIDTH * progress / 100)
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + f"] {progress:3d}%"


def _when(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def cmd_list(args: argparse.Namespace) -> int:
    from anbao.jobs import services

    if args.limit < 1:
        raise ValidationError(_("--limit must be at least 1."))
    jobs = list(services.list_jobs(state=args.state, kind=args.kind)[: args.limit])
    if args.json:
        print_json([services.as_dict(job) for job in jobs])
        return EXIT_OK
    if not jobs:
        print(_("No jobs."))
        return EXIT_OK
    print_table(
        [_("ID"), _("Kind"), _("State"), _("Progress"), _("Message"), _("Started"), _("Finished")],
        [
            [
                job.id,
                job.kind,
                job.state_label,
                f"{job.progress}%",
                job.message[:60],
                _when(job.started_at),
                _when(job.finished_at),
            ]
            for job in jobs
        ],
    )
    return EXIT_OK


def _print_job(job: Any, *, with_log: bool) -> None:
    rows = [
        (_("ID"), str(job.id)),
        (_("Kind"), job.kind),
        (_("Name"), job.name),
        (_("State"), job.state_label),
        (_("Progress"), bar(job.progress)),
        (_("Message"), job.message),
        (_("Parameters"), json.dumps(job.params, ensure_ascii=False)),
        (_("Created by"), job.actor_name),
        (_("Created"), _when(job.created_at)),
        (_("Started"), _when(job.started_at)),
        (_("Finished"), _when(job.finished_at)),
        (_("Backend"), job.backend),
    ]
    if job.cancel_requested and not job.is_finished:
        rows.append((_("Cancel requested"), _("yes")))
    if job.error:
        rows.append((_("Error"), job.error))
    if job.result is not None:
        rows.append((_("Result"), json.dumps(job.result, ensure_ascii=False)))
    for label, value in rows:
        print(f"{label}: {value}")
    if with_log and job.log:
        print(_("Log:"))
        print(job.log.rstrip("\n"))


def cmd_show(args: argparse.Namespace) -> int:
    from anbao.jobs import services

    job = services.get(args.id)
    if args.json:
        print_json(services.as_dict(job, with_log=True))
    else:
        _print_job(job, with_log=True)
    return EXIT_OK


def parse_params(items: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError(_("A parameter is NAME=VALUE, got %(item)r.") % {"item": item})
        try:
            params[name.strip()] = json.loads(raw)
        except ValueError:
            params[name.strip()] = raw
    return params


def cmd_run(args: argparse.Namespace) -> int:
    from anbao.jobs import services

    job = services.submit(args.kind, parse_params(args.param), actor="cli")
    if not args.wait:
        if args.json:
            print_json(services.as_dict(job))
        else:
            print(job.id)
        return EXIT_OK
    try:
        job = follow(job.id, timeout=args.timeout)
    except KeyboardInterrupt:
        if job.backend == "inprocess":
            # The job runs in this process and would die with it: stop it cleanly instead.
            with contextlib.suppress(Conflict):
                services.cancel(job.id, actor="cli")
        raise
    if args.json:
        print_json(services.as_dict(job, with_log=True))
    else:
        _print_job(job, with_log=False)
    if job.state == "succeeded":
        return EXIT_OK
    if not job.is_finished:
        print(
            _("anbao: the job is still %(state)s after %(seconds)s seconds")
            % {"state": job.state_label, "seconds": args.timeout},
            file=sys.stderr,
        )
    else:
        print(
            _("anbao: the job ended %(state)s: %(error)s")
            % {"state": job.state_label, "error": job.error or job.message},
            file=sys.stderr,
        )
    return EXIT_NO


def follow(job_id: Any, *, timeout: float, poll: float = 0.25) -> Any:
    """Poll the job's row until it finishes, showing its progress on stderr."""
    from anbao.jobs import services

    deadline = time.monotonic() + timeout
    shown: tuple[int, str] | None = None
    tty = sys.stderr.isatty()
    while True:
        job = services.get(job_id)
        current = (job.progress, job.message)
        if current != shown:
            line = f"{bar(job.progress)} {job.message}"
            print(
                ("\r" + line.ljust(100)) if tty else line,
                end="" if tty else "\n",
                file=sys.stderr,
                flush=True,
            )
            shown = current
        if job.is_finished or time.monotonic() >= deadline:
            if tty:
                print(file=sys.stderr)
            return job
        time.sleep(poll)


def cmd_cancel(args: argparse.Namespace) -> int:
    from anbao.jobs import services

    job = services.cancel(args.id, actor="cli")
    if job.is_finished:
        print(_("Job %(id)s cancelled.") % {"id": job.id})
    else:
        print(_("Cancel requested for job %(id)s: it stops at its next check.") % {"id": job.id})
    return EXIT_OK


def cmd_kinds(args: argparse.Namespace) -> int:
    from anbao.jobs.registry import kinds

    print_table([_("Kind"), _("Name")], [[k.name, str(k.label)] for k in kinds()])
    return EXIT_OK
