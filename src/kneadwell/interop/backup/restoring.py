"""Restoring a backup: verify the file, bring the schema to the backup's migration state, refuse a
database that holds data (unless forced) or a shorter audit log, load every row with INSERT in one
transaction, check foreign keys and tenancy, reset sequences, migrate forward and record the restore in
the audit log."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor

from kneadwell.audit.guards import maintenance
from kneadwell.interop.backup.fileformat import (
    NATURAL_KEY_MODELS,
    BackupError,
    Manifest,
    _body_lines,
    _columns,
    _label,
    backup_models,
    verify,
)

# Tables `kneadwell migrate` / `serve` fill from the content files on start-up (one row per content
# version loaded). A freshly prepared database may hold these rows; they do not make it "not empty", and
# restore replaces them with the backup's (the history of which content versions were in force).
RELOADED_AT_START: Final = frozenset({"library.ContentVersionRecord", "evidence.EvidenceContentRecord"})
BATCH: Final = 1000


@dataclass(frozen=True)
class RestoreReport:
    tables: dict[str, int]
    migrated_from_backup_state: bool

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _targets(executor: MigrationExecutor, wanted: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    """Migration targets that give the database exactly the backup's schema."""
    graph = executor.loader.graph
    known = set(graph.nodes)
    unknown = sorted(
        f"{app}.{name}" for app, names in wanted.items() for name in names if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "The backup was made by a newer Kneadwell: its database has migrations this version does not "
            f"know ({', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}). "
            "Restore it with that version."
        )
    targets: list[tuple[str, str | None]] = []
    for app in sorted({app for app, _ in known}):
        applied = set(wanted.get(app, []))
        leaves = [n for n in graph.leaf_nodes(app)]
        if not applied:
            targets.append((app, None))
            continue
        # The backup's last migration in this app: the applied node that no other applied node follows.
        last = [
            (app, name)
            for name in applied
            if not any(
                child[0] == app and child[1] in applied for child in graph.node_map[(app, name)].children
            )
        ]
        targets.extend(last or leaves)
    return targets


def _migrate(alias: str, targets: list[tuple[str, str | None]]) -> bool:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)
    return bool(plan)


def _migrate_to_latest(alias: str) -> bool:
    executor = MigrationExecutor(connections[alias])
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)
    return bool(plan)


def _holds_data(alias: str) -> list[str]:
    busy = []
    for model in backup_models():
        if _label(model) in RELOADED_AT_START:
            continue
        if model._base_manager.using(alias).exists():
            busy.append(_label(model))
    return busy


def _empty_tables(alias: str, tables: list[type[models.Model]]) -> None:
    connection = connections[alias]
    names = [m._meta.db_table for m in tables]
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks still pending in this transaction would block TRUNCATE.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    statements = connection.ops.sql_flush(no_style(), names, reset_sequences=False, allow_cascade=False)
    # The audit log's triggers refuse DELETE and TRUNCATE except inside this block; restore records
    # itself in the log afterwards (see restore()).
    with maintenance(connection), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


Decoder = Callable[[Any], Any]


def _decoder(
    field: models.Field[Any, Any] | None, alias: str, cache: dict[tuple[str, tuple[str, ...]], Any]
) -> Decoder:
    connection = connections[alias]
    if field is None:
        return lambda v: v
    if field.is_relation and field.related_model in NATURAL_KEY_MODELS:
        target = field.related_model
        assert isinstance(target, type)

        def natural(value: Any) -> Any:
            if value is None or not isinstance(value, list):
                return value
            key = (_label(target), tuple(str(v) for v in value))
            if key not in cache:
                try:
                    cache[key] = target._default_manager.db_manager(alias).get_by_natural_key(*value).pk
                except target.DoesNotExist:
                    raise BackupError(
                        f"The backup refers to {key[0]} {list(value)}, which this database lacks."
                    ) from None
            return cache[key]

        return natural
    parse: Callable[[Any], Any] | None = None
    if isinstance(
        field,
        models.DateTimeField | models.DateField | models.TimeField | models.DecimalField | models.UUIDField,
    ):
        parse = field.to_python
    elif isinstance(field, models.DurationField):
        parse = lambda v: dt.timedelta(seconds=v)  # noqa: E731

    def decode(value: Any) -> Any:
        if value is not None and parse is not None:
            value = parse(value)
        return field.get_db_prep_save(value, connection)

    return decode


def _load(path: Path, alias: str) -> dict[str, int]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    cache: dict[tuple[str, tuple[str, ...]], Any] = {}
    model: type[models.Model] | None = None
    sql = ""
    decoders: list[Decoder] = []
    batch: list[list[Any]] = []

    def flush() -> None:
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()

    for raw in _body_lines(path):
        if raw.startswith(b"{"):
            flush()
            header = json.loads(raw)
            label, columns = header["table"], header["columns"]
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                raise BackupError(
                    f"The backup holds table {label}, which this version of Kneadwell does not have."
                ) from None
            fields = {f.attname: f for f in _columns(model)}
            decoders = [_decoder(fields.get(c), alias, cache) for c in columns]
            names = ", ".join(quote(fields[c].column) if c in fields else quote(c) for c in columns)
            placeholders = ", ".join(["%s"] * len(columns))
            # Table and column names come from our own models (quoted); every value is a parameter.
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
            counts[label] = 0
            continue
        assert model is not None
        values = json.loads(raw)
        batch.append([decode(v) for decode, v in zip(decoders, values, strict=True)])
        counts[_label(model)] += 1
        if len(batch) >= BATCH:
            flush()
    flush()
    return counts


AUDIT_TABLE: Final = "audit.AuditEvent"


def restore(
    path: Path,
    *,
    force: bool = False,
    force_shorter_audit: bool = False,
    allow_unsigned: bool = False,
    alias: str = DEFAULT_DB_ALIAS,
) -> RestoreReport:
    """Load a backup into this database (see the package docstring, `kneadwell.interop.backup`). Raises
    BackupError with the reason. The audit log is never shortened silently: a backup holding fewer audit
    entries than the database is refused unless `force_shorter_audit`, and every restore is recorded in
    the restored log."""
    manifest = verify(path, allow_unsigned=allow_unsigned)
    connection = connections[alias]
    from kneadwell.audit.models import AuditEvent

    _migrate_to_latest(alias)
    live_audit = AuditEvent.objects.using(alias).count()
    backup_audit = manifest.tables.get(AUDIT_TABLE, 0)
    targets = _targets(MigrationExecutor(connection), manifest.migrations)
    _migrate_to_latest(alias)  # a brand-new database gets its tables; a freshly migrated one: no change
    busy = _holds_data(alias)
    if busy and not force:
        raise BackupError(
            "This database already holds data ("
            + ", ".join(busy[:6])
            + (" …" if len(busy) > 6 else "")
            + "). "
            "Restore into an empty, freshly migrated database, or pass --force to replace everything in it "
            "(the audit log included) with the backup."
        )
    if live_audit > backup_audit and not force_shorter_audit:
        raise BackupError(
            f"The backup holds {backup_audit} audit log entries; this database holds {live_audit}. Restoring "
            f"it would drop {live_audit - backup_audit} entries of history. Take a backup of this database "
            "first; if dropping them is intended, pass --force-shorter-audit (the restore is recorded)."
        )
    executor = MigrationExecutor(connection)
    older = bool(executor.migration_plan(targets))
    if older:
        if busy:
            raise BackupError(
                "The backup was made at an earlier database version. Restore it into an empty database: "
                "its schema is first taken back to the backup's version, which is only safe without data."
            )
        # Schema changes run in their own transactions (SQLite cannot alter tables inside one); the
        # database is empty here, so nothing is at risk if a later step fails.
        _migrate(alias, targets)
    tables = backup_models()
    with transaction.atomic(using=alias):
        _empty_tables(alias, tables if force else [m for m in tables if _label(m) in RELOADED_AT_START])
        if force:
            from django.contrib.sessions.models import Session

            _empty_tables(alias, [Session])
        counts = _load(path, alias)
        connection.check_constraints(table_names=[m._meta.db_table for m in tables])
        if not older:  # (an older schema may lack tables the current models name)
            _check_tenancy(alias)
        statements = connection.ops.sequence_reset_sql(no_style(), tables)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    if older:
        _migrate_to_latest(alias)
    _record_restore(path, manifest, live_audit=live_audit, backup_audit=backup_audit, alias=alias)
    return RestoreReport(tables=counts, migrated_from_backup_state=older)


def _check_tenancy(alias: str) -> None:
    """Rows went in with SQL, not `save`: check every row's organisation against its parents' in one query
    per table (kneadwell.core.tenancy), so a restore cannot bring a row under the wrong organisation."""
    from kneadwell.core.tenancy import TenancyMismatch, check_all_tables

    try:
        check_all_tables(using=alias)
    except TenancyMismatch as exc:
        raise BackupError(
            f"The backup holds a record in another organisation than its parent record: {exc}"
        ) from None


def _record_restore(
    path: Path, manifest: Manifest, *, live_audit: int, backup_audit: int, alias: str
) -> None:
    """The restore as the newest entry of the restored log (the system's chain: it is no organisation's
    act), with what the log held before, so a replaced history is never invisible."""
    from kneadwell.audit.services import Action
    from kneadwell.audit.writes import audit_action

    with transaction.atomic(using=alias):
        audit_action(
            actor=None,
            action=Action.RESTORE,
            entity="backup",
            entity_id=manifest.sha256[:16],
            channel="cli",
            label="kneadwell restore",
            summary=f"restored {path.name} (made {manifest.data.get('created_at')}); the audit log held "
            f"{live_audit} entries before and the backup {backup_audit}",
            changes={
                "sha256": manifest.sha256,
                "key_id": manifest.data.get("key_id"),
                "signed": bool(manifest.data.get("hmac_sha256")),
                "audit_entries_before": live_audit,
                "audit_entries_in_backup": backup_audit,
            },
        )
