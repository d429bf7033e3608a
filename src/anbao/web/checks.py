"""What ``anbao check`` verifies: configuration, data dir, database, broker, tools."""

from __future__ import annotations

import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def check_data_dir() -> list[CheckResult]:
    data_dir = Path(settings.DATA_DIR)
    out = []
    if not data_dir.is_dir():
        return [
            CheckResult(
                _("data dir"),
                False,
                _("%(dir)s does not exist: run `anbao init`") % {"dir": data_dir},
            )
        ]
    mode = _mode(data_dir)
    out.append(
        CheckResult(
            _("data dir"),
            mode & 0o077 == 0,
            _("%(dir)s mode %(mode)s (must not be readable by others)")
            % {"dir": data_dir, "mode": oct(mode)},
        )
    )
    key = data_dir / "secret_key"
    if key.exists():
        kmode = _mode(key)
        out.append(
            CheckResult(
                _("secret key"),
                kmode == 0o600,
                _("%(path)s mode %(mode)s (must be 0600)") % {"path": key, "mode": oct(kmode)},
            )
        )
    else:
        out.append(CheckResult(_("secret key"), False, _("missing: run `anbao init`")))
    return out


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.settings_dict['NAME']}"
    s = connection.settings_dict
    return f"{connection.vendor} {s.get('HOST') or 'localhost'}:{s.get('PORT') or ''}/{s['NAME']}"


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def check_database() -> CheckResult:
    from django.db import connection

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        pending = pending_migrations()
    except Exception as exc:  # noqa: BLE001 - any driver error means the check fails
        return CheckResult(_("database"), False, f"{type(exc).__name__}: {exc}".strip())
    if pending:
        return CheckResult(
            _("database"),
            False,
            _("%(n)d migrations not applied: run `anbao init`") % {"n": len(pending)},
        )
    return CheckResult(_("database"), True, describe_database())


def check_broker() -> CheckResult:
    url = settings.CELERY_BROKER_URL
    if not url:
        return CheckResult(_("job broker"), True, _("none configured: jobs run in-process"))
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any transport error means unreachable
        return CheckResult(_("job broker"), False, f"{_redact(url)}: {exc}")
    return CheckResult(_("job broker"), True, _redact(url))


def _redact(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_tools() -> list[CheckResult]:
    out = []
    for program, purpose in (
        ("soffice", _("PDF reports")),
        ("openssl", _("interoperability checks")),
    ):
        path = shutil.which(program)
        # Missing tools limit features but do not stop the service: reported, not failed.
        out.append(
            CheckResult(
                f"{program}", True, path or _("not installed: %(p)s unavailable") % {"p": purpose}
            )
        )
    return out


def check_crypto() -> CheckResult:
    from anbao.audit.core import sm3_hex

    ok = sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    return CheckResult(_("SM3"), ok, _("tongsuopy SM3 matches GB/T 32905 example 1"))


def run_checks() -> list[CheckResult]:
    results = [
        CheckResult(
            _("configuration"),
            True,
            _("language %(lang)s, data dir %(dir)s")
            % {"lang": settings.LANGUAGE_CODE, "dir": settings.DATA_DIR},
        )
    ]
    results += check_data_dir()
    results.append(check_database())
    results.append(check_broker())
    results.append(check_crypto())
    results += check_tools()
    return results
