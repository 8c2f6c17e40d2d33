"""The backup file format: which tables a backup holds, how values are encoded, the manifest, the
checksum and keyed signature, and reading a file back (`verify` checks one without touching the
database). The format itself is described in the package docstring (`kneadwell.interop.backup`)."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import hashlib
import hmac
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models

FORMAT: Final = "kneadwell-backup"
FORMAT_VERSION: Final = 1
EXCLUDED: Final = frozenset({"contenttypes.ContentType", "auth.Permission", "sessions.Session"})
NATURAL_KEY_MODELS: Final = (ContentType, Permission)


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
