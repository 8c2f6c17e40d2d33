"""The contract end to end, through the command line, on real separate databases of the suite's engine:
fill a database, `kneadwell backup`, `kneadwell migrate` a fresh database, `kneadwell restore` into it,
back it up again: the two backups hold the same bytes after the manifest. On PostgreSQL the two
databases are created for the test and dropped after it, and the backup also goes into a fresh SQLite
database (portability between the engines)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from kneadwell.interop import backup as bk
from kwtest.backups import tables_without_restores, without_restores

pytestmark = pytest.mark.slow

SEED = """
from kneadwell.core.bootstrap import django_setup
django_setup()
from kneadwell.commands.serve import prepare
prepare(demo=True)
import datetime as dt
from django.utils import timezone
from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership
from kneadwell.clients.models import Client
from kneadwell.outcomes import services
membership = Membership.objects.filter(role="therapist").first()
actor = Actor(user=membership.user, membership=membership, channel=Channel.SYSTEM)
client = Client.objects.filter(organisation=membership.organisation).order_by("birth_date").last()
services.measurement_record(actor=actor, client=client, instrument_id="weight",
    answers={"value": client.birth_weight_g or 3000, "unit": "g"}, taken_at=client.birth_date)
"""


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def database_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"
        return
    import psycopg

    names = [f"kw_backup_{secrets.token_hex(4)}_{x}" for x in "ab"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    server = f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{names[0]}", f"{server}/{names[1]}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restore_into_a_fresh_database_and_backup_again_match(
    tmp_path: Path, database_urls: tuple[str, str]
) -> None:
    first_url, second_url = database_urls
    base = {**os.environ, "KNEADWELL_VAR_DIR": str(tmp_path / "var")}
    first_env = {**base, "DATABASE_URL": first_url}
    second_env = {**base, "DATABASE_URL": second_url}
    kneadwell = [sys.executable, "-m", "kneadwell"]

    _run([sys.executable, "-c", SEED], first_env, tmp_path)
    _run([*kneadwell, "backup", "--out", "first.jsonl"], first_env, tmp_path)
    _run([*kneadwell, "migrate"], second_env, tmp_path)  # a freshly prepared database (content loaded)
    restored = _run([*kneadwell, "restore", "first.jsonl"], second_env, tmp_path)
    assert "Restored" in restored.stdout
    _run([*kneadwell, "backup", "--out", "second.jsonl"], second_env, tmp_path)

    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert bk.read_manifest(first).tables == tables_without_restores(second)
    tables = bk.read_manifest(first).tables
    # The seed's one weight, and the demo study's weights (evaluation/demo.py), which are measurements too.
    assert tables["outcomes.Measurement"] == 1 + tables["evaluation.StudyMeasurement"]
    assert tables["evaluation.Participant"] > 0
    assert bk.read_manifest(first).tables["audit.AuditEvent"] > 0
    assert bk.body_bytes(first) == without_restores(second)
    if not first_url.startswith("sqlite"):
        # Portable: the PostgreSQL backup restores into a fresh SQLite database and backs up the same.
        sqlite_env = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"}
        _run([*kneadwell, "restore", "second.jsonl"], sqlite_env, tmp_path)
        _run([*kneadwell, "backup", "--out", "third.jsonl"], sqlite_env, tmp_path)
        assert without_restores(tmp_path / "third.jsonl") == bk.body_bytes(first)
    # A second restore into the now-full database is refused, and nothing changes.
    refused = subprocess.run(
        [*kneadwell, "restore", "first.jsonl"],
        env=second_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "already holds data" in refused.stderr


def test_a_backup_from_an_earlier_schema_is_restored_then_migrated_forward(
    tmp_path: Path, database_urls: tuple[str, str]
) -> None:
    """The backup's manifest says the audit app's last migration was not applied yet: restore takes the
    brand-new database to that state, loads, and migrates forward, and the data comes out the same."""
    import json

    first_url, second_url = database_urls
    base = {**os.environ, "KNEADWELL_VAR_DIR": str(tmp_path / "var")}
    first_env = {**base, "DATABASE_URL": first_url}
    second_env = {**base, "DATABASE_URL": second_url}
    kneadwell = [sys.executable, "-m", "kneadwell"]
    _run([sys.executable, "-c", SEED], first_env, tmp_path)
    _run([*kneadwell, "backup", "--out", "first.jsonl"], first_env, tmp_path)
    first = tmp_path / "first.jsonl"
    lines = first.read_bytes().splitlines(keepends=True)
    manifest = json.loads(lines[0])
    last = sorted(manifest["migrations"]["audit"])[-1]  # the audit app's newest migration, whichever it is
    manifest["migrations"]["audit"].remove(last)
    older = tmp_path / "older.jsonl"
    older.write_bytes(json.dumps(manifest).encode() + b"\n" + b"".join(lines[1:]))

    _run([*kneadwell, "restore", "older.jsonl"], second_env, tmp_path)  # a brand-new, empty database
    _run([*kneadwell, "backup", "--out", "second.jsonl"], second_env, tmp_path)
    second = tmp_path / "second.jsonl"
    assert last in bk.read_manifest(second).migrations["audit"]
    assert bk.body_bytes(first) == without_restores(second)
