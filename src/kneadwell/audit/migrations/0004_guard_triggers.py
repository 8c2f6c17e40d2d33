"""Database triggers that refuse to rewrite the audit log (issue 10): on PostgreSQL UPDATE, DELETE and now
TRUNCATE (which row triggers do not see: `TRUNCATE audit_auditevent` used to wipe the log); on SQLite
UPDATE and DELETE. DELETE and TRUNCATE are let through only inside kneadwell.audit.guards.maintenance()
(restore --force, the test suite's flush); UPDATE never. Note for later migrations: on SQLite, a change
Django makes by rebuilding the audit table drops these triggers; such a migration must recreate them."""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION kneadwell_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'UPDATE' AND current_setting('kneadwell.audit_maintenance', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION kneadwell_audit_append_only();
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION kneadwell_audit_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;
CREATE OR REPLACE FUNCTION kneadwell_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditevent
       WHEN kneadwell_audit_maintenance() = 0
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
    elif vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]
    operations = [migrations.RunPython(create, drop)]
