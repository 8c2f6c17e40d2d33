"""Whole-database backup and restore on the suite's database engine (SQLite or PostgreSQL): a backup,
restored into an emptied database and backed up again, gives the same bytes; damaged, foreign, newer and
non-empty cases are refused; the audit log's append-only guard is respected (restore only inserts)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from django.db import connection

from kneadwell.accounts.models import Membership, User
from kneadwell.audit.models import AuditEvent
from kneadwell.cli import main
from kneadwell.clients.models import Client
from kneadwell.interop import backup as bk
from kneadwell.outcomes.models import Measurement
from kwtest.backups import without_restores
from kwtest.people import Clinic

from .conftest import Record

pytestmark = pytest.mark.django_db


def test_backup_restore_backup_is_byte_for_byte_the_same(
    tmp_path: Path, clinic: Clinic, outsider: Clinic, full_record: Record
) -> None:
    first = bk.backup(tmp_path / "first.jsonl")
    assert first.tables["audit.AuditEvent"] > 0
    assert first.tables["outcomes.Measurement"] == 6
    report = bk.restore(tmp_path / "first.jsonl", force=True)
    assert report.tables == first.tables
    bk.backup(tmp_path / "second.jsonl")
    # The same bytes apart from the restore's own audit entry, which is the newest row of the log.
    assert without_restores(tmp_path / "second.jsonl") == bk.body_bytes(tmp_path / "first.jsonl")
    assert AuditEvent.objects.filter(action="restore", entity="backup").count() == 1


def test_restored_rows_equal_the_originals_field_for_field(tmp_path: Path, full_record: Record) -> None:
    def snapshot() -> dict[str, list[tuple[object, ...]]]:
        return {
            "measurements": list(Measurement.objects.order_by("pk").values_list()),
            "clients": list(Client.objects.order_by("pk").values_list()),
            # The restore adds its own entry at the end (checked below); the rows before it are the originals.
            "audit": list(AuditEvent.objects.exclude(action="restore").order_by("pk").values_list()),
            "users": list(User.objects.order_by("pk").values_list()),
        }

    before = snapshot()
    bk.backup(tmp_path / "b.jsonl")
    bk.restore(tmp_path / "b.jsonl", force=True)
    assert snapshot() == before
    newest = AuditEvent.objects.order_by("-pk").first()
    assert newest is not None
    assert newest.action == "restore"


def test_new_rows_after_a_restore_get_fresh_ids(tmp_path: Path, clinic: Clinic) -> None:
    bk.backup(tmp_path / "b.jsonl")
    highest = Client.objects.order_by("-pk").values_list("pk", flat=True)[0]
    bk.restore(tmp_path / "b.jsonl", force=True)
    from kneadwell.accounts.roles import Role
    from kwtest.people import make_client

    added = make_client(clinic.actor(Role.THERAPIST))
    assert added.pk > highest


def test_a_compressed_backup_round_trips(tmp_path: Path, full_record: Record) -> None:
    report = bk.backup(tmp_path / "b.jsonl.gz")
    with gzip.open(tmp_path / "b.jsonl.gz", "rb") as f:
        assert json.loads(f.readline())["format"] == "kneadwell-backup"
    assert bk.restore(tmp_path / "b.jsonl.gz", force=True).rows == report.rows


def test_the_manifest_names_version_migrations_and_counts(tmp_path: Path, clinic: Clinic) -> None:
    report = bk.backup(tmp_path / "b.jsonl")
    manifest = bk.read_manifest(tmp_path / "b.jsonl").data
    assert manifest["format_version"] == 1
    assert manifest["database"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["clients"]
    assert manifest["tables"] == report.tables
    assert manifest["sha256"] == report.sha256
    assert "sessions.Session" not in manifest["tables"]
    assert "contenttypes.ContentType" not in manifest["tables"]
    assert "accounts.User_user_permissions" in manifest["tables"]  # hidden many-to-many tables too


def test_restore_refuses_a_database_that_holds_data(tmp_path: Path, clinic: Clinic) -> None:
    bk.backup(tmp_path / "b.jsonl")
    with pytest.raises(bk.BackupError, match="already holds data"):
        bk.restore(tmp_path / "b.jsonl")


def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path: Path, clinic: Clinic) -> None:
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[5] = lines[5].replace(b"1", b"2", 1) if b"1" in lines[5] else lines[5] + b" "
    path.write_bytes(b"".join(lines))
    clients = Client.objects.count()
    with pytest.raises(bk.BackupError, match="checksum"):
        bk.restore(path, force=True)
    assert Client.objects.count() == clients


def test_a_truncated_backup_is_refused(tmp_path: Path, clinic: Clinic) -> None:
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])
    with pytest.raises(bk.BackupError):
        bk.restore(path, force=True)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"resourceType": "Bundle"}\n')
    with pytest.raises(bk.BackupError, match="not a Kneadwell backup"):
        bk.restore(path)


def test_a_backup_from_a_newer_version_is_refused(tmp_path: Path, clinic: Clinic) -> None:
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    lines = path.read_bytes().splitlines(keepends=True)
    manifest = json.loads(lines[0])
    manifest["migrations"]["clients"].append("9999_from_the_future")
    path.write_bytes(json.dumps(manifest).encode() + b"\n" + b"".join(lines[1:]))
    with pytest.raises(bk.BackupError, match="newer Kneadwell"):
        bk.restore(path, force=True)


def test_a_restore_that_fails_half_way_leaves_the_database_as_it_was(tmp_path: Path, clinic: Clinic) -> None:
    """A row that breaks a foreign key is only found while loading: everything is rolled back."""
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    lines = path.read_bytes().splitlines(keepends=True)
    body: list[bytes] = []
    table = ""
    for raw in lines[1:]:
        if raw.startswith(b"{"):
            table = json.loads(raw)["table"]
            columns = json.loads(raw)["columns"]
        elif table == "accounts.Membership":
            row = json.loads(raw)
            row[columns.index("organisation_id")] = 10**9  # no such organisation
            raw = json.dumps(row).encode() + b"\n"
        body.append(raw)
    import hashlib

    manifest = json.loads(lines[0])
    manifest["sha256"] = hashlib.sha256(b"".join(body)).hexdigest()
    path.write_bytes(json.dumps(manifest).encode() + b"\n" + b"".join(body))
    memberships = list(Membership.objects.order_by("pk").values_list())
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database's own integrity error
        bk.restore(path, force=True)
    assert list(Membership.objects.order_by("pk").values_list()) == memberships


def test_the_cli_backs_up_and_refuses_to_restore_over_data(
    tmp_path: Path, clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.jsonl"
    assert main(["backup", "--out", str(out)]) == 0
    assert "Backed up" in capsys.readouterr().out
    assert AuditEvent.objects.filter(entity="database", action="export", channel="cli").exists()
    assert main(["restore", str(out)]) == 2
    assert "already holds data" in capsys.readouterr().err
    # The backup's own export entry was logged after the dump, so the file's log is one entry shorter.
    assert main(["restore", str(out), "--force"]) == 2
    assert "--force-shorter-audit" in capsys.readouterr().err
    assert main(["restore", str(out), "--force", "--force-shorter-audit"]) == 0
    assert main(["restore", str(tmp_path / "missing.jsonl")]) == 2


# --- issue 10: signed backups, and the audit log is never shortened silently --------------------------
def _edit_a_row_and_fix_the_checksum(path: Path) -> None:
    """A deliberate edit: change a client's name and recompute the (unkeyed) checksum, as anyone could."""
    import hashlib

    lines = path.read_bytes().splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if b'"Okafor' in line or b"Okafor" in line)
    lines[target] = lines[target].replace(b"Okafor", b"Forged", 1)
    manifest = json.loads(lines[0])
    manifest["sha256"] = hashlib.sha256(b"".join(lines[1:])).hexdigest()
    path.write_bytes(json.dumps(manifest).encode() + b"\n" + b"".join(lines[1:]))


def test_a_backup_carries_a_keyed_signature(tmp_path: Path, clinic: Clinic) -> None:
    bk.backup(tmp_path / "b.jsonl")
    manifest = bk.read_manifest(tmp_path / "b.jsonl").data
    assert len(manifest["hmac_sha256"]) == 64
    assert manifest["key_id"] == bk.key_id()
    assert manifest["hmac_sha256"] != manifest["sha256"]


def test_a_tampered_backup_with_a_recomputed_checksum_is_refused(tmp_path: Path, clinic: Clinic) -> None:
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    _edit_a_row_and_fix_the_checksum(path)
    names = list(Client.objects.order_by("pk").values_list("family_name", flat=True))
    with pytest.raises(bk.BackupError, match="changed after it was signed"):
        bk.restore(path, force=True, force_shorter_audit=True)
    assert list(Client.objects.order_by("pk").values_list("family_name", flat=True)) == names


def test_a_backup_signed_with_another_key_is_refused(tmp_path: Path, clinic: Clinic, settings) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    settings.BACKUP_KEY = "another machine's key"
    with pytest.raises(bk.BackupError, match="another key"):
        bk.restore(path, force=True)


def test_an_unsigned_backup_needs_allow_unsigned(tmp_path: Path, clinic: Clinic) -> None:
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    lines = path.read_bytes().splitlines(keepends=True)
    manifest = json.loads(lines[0])
    del manifest["hmac_sha256"]
    path.write_bytes(json.dumps(manifest).encode() + b"\n" + b"".join(lines[1:]))
    with pytest.raises(bk.BackupError, match="no signature"):
        bk.restore(path, force=True)
    bk.restore(path, force=True, allow_unsigned=True)


def test_a_backup_with_a_shorter_audit_log_is_refused_unless_told(tmp_path: Path, clinic: Clinic) -> None:
    path = tmp_path / "b.jsonl"
    bk.backup(path)
    in_backup = AuditEvent.objects.count()
    from kneadwell.audit.services import Action, audit_record

    # History the backup lacks:
    audit_record(actor=None, action=Action.LOGIN_FAILED, entity="user", label="x@example.test")
    with pytest.raises(bk.BackupError, match="would drop 1 entries"):
        bk.restore(path, force=True)
    assert AuditEvent.objects.count() == in_backup + 1
    bk.restore(path, force=True, force_shorter_audit=True)
    restored = AuditEvent.objects.filter(action="restore").get()
    assert restored.changes["audit_entries_before"] == in_backup + 1
    assert restored.changes["audit_entries_in_backup"] == in_backup
    assert AuditEvent.objects.count() == in_backup + 1  # the backup's log plus the restore itself
    from kneadwell.audit.services import audit_chain_verify

    assert audit_chain_verify().intact
