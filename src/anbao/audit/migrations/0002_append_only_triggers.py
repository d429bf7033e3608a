"""Database triggers that refuse UPDATE of audit records and DELETE within 180 days.

The application never changes or deletes a record; these triggers hold even against a
database user that bypasses the ORM. Retention (``anbao.audit.services.purge_expired``)
removes only records older than the 180-day floor, which the DELETE trigger allows.
"""

from django.db import migrations

TABLE = "audit_auditrecord"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    f"""CREATE TRIGGER audit_no_early_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.timestamp > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-180 days')
        BEGIN SELECT RAISE(ABORT, 'audit records are kept at least 180 days'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_no_update;",
    "DROP TRIGGER IF EXISTS audit_no_early_delete;",
]

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit records are append-only';
      END IF;
      IF OLD.timestamp > to_char((now() AT TIME ZONE 'UTC') - interval '180 days',
                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') THEN
        RAISE EXCEPTION 'audit records are kept at least 180 days';
      END IF;
      RETURN OLD;
    END; $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_append_only();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
