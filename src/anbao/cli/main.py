"""The ``anbao`` console script: one parser, subcommands contributed by each domain.

Exit codes: 0 success, 1 a negative answer (e.g. the audit chain is broken), 2 bad usage or
bad input, with one line on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_NO, EXIT_USAGE = 0, 1, 2

# Each module has ``register(subparsers)`` adding its commands with ``func`` defaults.
COMMAND_MODULES = (
    "anbao.cli.system",
    "anbao.cli.client",
    "anbao.accounts.cli",
    "anbao.audit.cli",
    "anbao.jobs.cli",
    "anbao.engagement.cli",
    "anbao.reports.cli",
    "anbao.sm.cli",
    "anbao.pki.cli",
    "anbao.enrolment.cli",
    "anbao.oidc.cli",
)


class UsageError(Exception):
    """Bad usage detected by the parser: one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"anbao: {message}", file=sys.stderr)
    return code


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anbao.settings")
    import django
    from django.conf import settings
    from django.utils import translation

    django.setup()
    lang = os.environ.get("ANBAO_CLI_LANGUAGE") or settings.LANGUAGE_CODE
    translation.activate(lang)


def build_parser() -> Parser:
    from django.utils.translation import gettext as _

    parser = Parser(
        prog="anbao",
        description=_("anbao: security operations and MLPS level-3 compliance."),
        epilog=_("Set ANBAO_LANGUAGE=en (or ANBAO_CLI_LANGUAGE=en) for English messages."),
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _version() -> str:
    from anbao import __version__

    return f"anbao {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    from anbao.errors import ConfigurationError, Error, IntegrityError

    try:
        _setup_django()
    except ConfigurationError as exc:
        return fail(exc.message)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except UsageError as exc:
        return fail(str(exc).removeprefix("anbao: "))
    except IntegrityError as exc:
        return fail(exc.message, EXIT_NO)
    except Error as exc:
        return fail(exc.message)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
