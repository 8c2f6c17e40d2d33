"""Writing a backup: every table read from one consistent snapshot, written in the format of
`fileformat`, with the manifest (migrations, row counts, checksum, signature) as the first line."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kneadwell.interop.backup.fileformat import (
    FORMAT,
    FORMAT_VERSION,
    _columns,
    _label,
    _line,
    _open_write,
    _signer,
    backup_models,
    key_id,
)


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


@dataclass(frozen=True)
class BackupReport:
    path: Path
    tables: dict[str, int]
    sha256: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> BackupReport:
    """Write the whole database to `path` (see the package docstring, `kneadwell.interop.backup`)."""
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
