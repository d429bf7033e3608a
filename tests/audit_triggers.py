"""Dropping and restoring the audit table's append-only triggers in tests.

Transactional tests end with a flush (DELETE of every table), which the triggers refuse for
young audit records, exactly as they should in production. Tests drop them just for the flush.
"""

from __future__ import annotations

from importlib import import_module

from django.db import connection

TABLE = "audit_auditrecord"


def drop_triggers() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cur.execute("DROP TRIGGER IF EXISTS audit_no_early_delete")
        elif connection.vendor == "postgresql":
            cur.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}")


def restore_triggers() -> None:
    drop_triggers()
    mig = import_module("anbao.audit.migrations.0002_append_only_triggers")
    statements = {"sqlite": mig.SQLITE_FORWARD, "postgresql": mig.POSTGRES_FORWARD}
    with connection.cursor() as cur:
        for sql in statements.get(connection.vendor, []):
            cur.execute(sql)
