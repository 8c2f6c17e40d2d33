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
"""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import hashlib
import hmac
import io
import json
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kneadwell.audit.guards import maintenance

FORMAT: Final = "kneadwell-backup"
FORMAT_VERSION: Final = 1
EXCLUDED: Final = frozenset({"contenttypes.ContentType", "auth.Permission", "sessions.Session"})
NATURAL_KEY_MODELS: Final = (ContentType, Permission)
# Tables `kneadwell migrate` / `serve` fill from the content files on start-up (one row per content
# version loaded). A freshly prepared database may hold these rows; they do not make it "not empty", and
# restore replaces them with the backup's (the history of which content versions were in force).
RELOADED_AT_START: Final = frozenset({"library.ContentVersionRecord", "evidence.EvidenceContentRecord"})
BATCH: Final = 1000


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why."""


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def backup_models() -> list[type[models.Model]]:
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and _label(m) not in EXCLUDED
    ]
    return sorted(found, key=_label)


def _app_version() -> str:
    try:
        from importlib.metadata import version

        return version("kneadwell")
    except Exception:
        return "unknown"


def _applied(alias: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


# --- encoding ----------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        raise BackupError("Binary columns are not supported by the backup format.")
    raise TypeError(f"cannot encode {type(value).__name__}")


def _line(value: Any) -> bytes:
    return (
        json.dumps(value, default=_encode, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode("utf-8")


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.column]


def _natural_maps() -> dict[type[models.Model], dict[Any, list[str]]]:
    return {
        ContentType: {ct.pk: list(ct.natural_key()) for ct in ContentType.objects.all()},
        Permission: {p.pk: list(p.natural_key()) for p in Permission.objects.select_related("content_type")},
    }


@contextmanager
def _snapshot(alias: str) -> Iterator[None]:
    """Read every table from one consistent snapshot. Inside an open transaction (tests) that
    transaction is the snapshot; otherwise PostgreSQL gets a REPEATABLE READ, READ ONLY transaction and
    SQLite a deferred read transaction (WAL: writers carry on meanwhile)."""
    connection = connections[alias]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            cursor.execute("COMMIT")


@contextmanager
def _open_write(path: Path) -> Iterator[IO[bytes]]:
    if path.suffix == ".gz":
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            yield cast(IO[bytes], gz)
    else:
        with open(path, "wb") as f:
            yield f


def _open_read(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")  # the caller closes it


@dataclass(frozen=True)
class BackupReport:
    path: Path
    tables: dict[str, int]
    sha256: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> BackupReport:
    """Write the whole database to `path` (see the module docstring)."""
    connection = connections[alias]
    digest = hashlib.sha256()
    signature = _signer()
    counts: dict[str, int] = {}
    with tempfile.TemporaryFile() as body:
        with _snapshot(alias):
            migrations = _applied(alias)
            natural = _natural_maps()
            for model in backup_models():
                fields = _columns(model)
                head = _line({"table": _label(model), "columns": [f.attname for f in fields]})
                body.write(head)
                digest.update(head)
                signature.update(head)
                lookups: dict[int, dict[Any, list[str]]] = {
                    i: natural[f.related_model]
                    for i, f in enumerate(fields)
                    if f.is_relation and f.related_model in natural
                }
                rows = (
                    model._base_manager.using(alias)
                    .order_by("pk")
                    .values_list(*[f.attname for f in fields])
                    .iterator(chunk_size=2000)
                )
                n = 0
                for row in rows:
                    values = list(row)
                    for i, lookup in lookups.items():
                        if values[i] is not None:
                            values[i] = lookup[values[i]]
                    data = _line(values)
                    body.write(data)
                    digest.update(data)
                    signature.update(data)
                    n += 1
                counts[_label(model)] = n
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": _app_version(),
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": migrations,
            "tables": counts,
            "sha256": digest.hexdigest(),
            "hmac_sha256": signature.hexdigest(),
            "key_id": key_id(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        body.seek(0)
        with _open_write(path) as out:
            out.write(_line(manifest))
            shutil.copyfileobj(body, out)
    return BackupReport(path=path, tables=counts, sha256=digest.hexdigest())


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def tables(self) -> dict[str, int]:
        return dict(self.data.get("tables") or {})

    @property
    def migrations(self) -> dict[str, list[str]]:
        return dict(self.data.get("migrations") or {})

    @property
    def sha256(self) -> str:
        return str(self.data.get("sha256") or "")


def read_manifest(path: Path) -> Manifest:
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        with _open_read(path) as f:
            first = f.readline(1_000_000)
        data = json.loads(first)
    except (OSError, ValueError, EOFError) as exc:
        raise BackupError(
            f"{path} is not a Kneadwell backup (its first line is not a manifest: {exc})."
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Kneadwell backup (no '{FORMAT}' manifest).")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format version {data.get('format_version')!r}; this Kneadwell reads version "
            f"{FORMAT_VERSION}. Restore it with the Kneadwell version that made it."
        )
    return Manifest(data)


def _body_lines(path: Path) -> Iterator[bytes]:
    with _open_read(path) as f:
        f.readline(1_000_000)
        yield from f


def _signer() -> hmac.HMAC:
    return hmac.new(settings.BACKUP_KEY.encode("utf-8"), digestmod=hashlib.sha256)


def key_id() -> str:
    """Names the signing key without revealing it, so a refusal can say which key a file needs."""
    return hashlib.sha256(b"kneadwell-backup-key:" + settings.BACKUP_KEY.encode("utf-8")).hexdigest()[:12]


def verify(path: Path, *, allow_unsigned: bool = False) -> Manifest:
    """Check the manifest, the checksum, the keyed signature and the row counts without touching the
    database. The checksum finds damage; only the signature finds a deliberate edit, since whoever edits
    the rows can recompute a checksum but not an HMAC without the key."""
    manifest = read_manifest(path)
    digest = hashlib.sha256()
    signature = _signer()
    counts: dict[str, int] = {}
    table = None
    try:
        for raw in _body_lines(path):
            digest.update(raw)
            signature.update(raw)
            if raw.startswith(b"{"):
                table = json.loads(raw)["table"]
                counts[table] = 0
            elif table is None:
                raise BackupError("rows before the first table header")
            else:
                counts[table] += 1
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise BackupError(f"{path} is damaged or incomplete ({exc}).") from None
    if digest.hexdigest() != manifest.sha256:
        raise BackupError(f"{path} is damaged or was changed: its checksum does not match the manifest.")
    signed = str(manifest.data.get("hmac_sha256") or "")
    if not signed:
        if not allow_unsigned:
            raise BackupError(
                f"{path} carries no signature (it was made before backups were signed). If you trust where "
                "it came from, restore it with --allow-unsigned."
            )
    elif not hmac.compare_digest(signed, signature.hexdigest()):
        raise BackupError(
            f"{path} was changed after it was signed, or was signed with another key (it names key "
            f"{manifest.data.get('key_id')!s}; this machine's is {key_id()}: set BACKUP_KEY to the key that "
            "made it). Nothing was restored."
        )
    if counts != manifest.tables:
        raise BackupError(f"{path} does not hold the rows its manifest lists.")
    return manifest


# --- restoring ------------------------------------------------------------------------------------------


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
    """Load a backup into this database (see the module docstring). Raises BackupError with the reason.
    The audit log is never shortened silently: a backup holding fewer audit entries than the database is
    refused unless `force_shorter_audit`, and every restore is recorded in the restored log."""
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


def read_rows(path: Path) -> Iterator[tuple[str, list[Any]]]:
    """(table, row) for every row of a backup: for tests and tools comparing backups row by row."""
    table = ""
    for raw in _body_lines(path):
        if raw.startswith(b"{"):
            table = json.loads(raw)["table"]
        else:
            yield table, json.loads(raw)


def body_bytes(path: Path) -> bytes:
    """Everything after the manifest line (what the checksum covers)."""
    out = io.BytesIO()
    for raw in _body_lines(path):
        out.write(raw)
    return out.getvalue()
