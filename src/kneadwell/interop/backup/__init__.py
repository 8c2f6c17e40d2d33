"""Whole-database backup and restore: portable between SQLite and PostgreSQL, exact on the round trip.

File format (UTF-8 JSON Lines; gzip-compressed when the file name ends in `.gz`):

    line 1   manifest: {"format": "kneadwell-backup", "format_version": 1, "app_version", "created_at",
             "database", "migrations": {app: [applied migration names]}, "tables": {label: rows},
             "sha256": <hex digest of every byte after line 1>}
    then     for each table, sorted by label: {"table": "app_label.ModelName", "columns": [...]}
             followed by one JSON array per row, in primary-key order.

Every table of every installed app is included — people, organisations, clients, records, the audit log,
login-throttling records, and the hidden many-to-many tables — except three that are not data: content
types and permissions (recreated by `migrate`; references to them are written as natural keys, e.g.
["change_client", "clients", "client"], and resolved on restore) and sessions (restoring them would log
people back in). Values are written at full precision: date-times with microseconds and offset, floats
as their shortest exact repr, JSON fields as JSON with sorted keys. So backup → restore into a fresh
database → backup gives the same bytes after line 1 (and the same checksum).

Restore reads the file twice: first to check the format, the checksum and the row counts, then to load.
It brings the database's schema to the backup's migration state (refusing a backup from a newer version
that has migrations this code does not know), refuses a database that already holds data unless
`force` (which first empties the backed-up tables, audit log included, with TRUNCATE on PostgreSQL — row
triggers such as the audit log's append-only guard do not fire on TRUNCATE — or DELETE on SQLite),
inserts every row (INSERT only, never UPDATE, so the audit trigger is never asked to allow a change),
checks foreign keys, resets PostgreSQL sequences, and finally migrates forward to the current code. All
loading happens in one transaction: a restore that fails leaves the database as it was.

fileformat.py: the format, the manifest and `verify`; writing.py: `backup`; restoring.py: `restore`.
"""

from kneadwell.interop.backup.fileformat import (
    FORMAT,
    FORMAT_VERSION,
    BackupError,
    Manifest,
    backup_models,
    body_bytes,
    key_id,
    read_manifest,
    read_rows,
    verify,
)
from kneadwell.interop.backup.restoring import RestoreReport, restore
from kneadwell.interop.backup.writing import BackupReport, backup

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "BackupError",
    "BackupReport",
    "Manifest",
    "RestoreReport",
    "backup",
    "backup_models",
    "body_bytes",
    "key_id",
    "read_manifest",
    "read_rows",
    "restore",
    "verify",
]
