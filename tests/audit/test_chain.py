"""Issue 10, the tamper-evident audit log: rows are hash-chained per organisation, `audit verify` finds
the first broken link, and the database refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, connections, transaction

from kneadwell.accounts.roles import Role
from kneadwell.audit import chain
from kneadwell.audit.guards import maintenance
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.services import Action, audit_chain_verify, audit_record
from kneadwell.cli import main
from kwtest.people import Clinic


def _write(clinic: Clinic, n: int) -> list[AuditEvent]:
    actor = clinic.actor(Role.THERAPIST)
    return [
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="note",
            entity_id=i,
            summary=f"edit {i}",
            changes={"minutes": [i, i + 0.5], "tags": ("a", "b")},
        )
        for i in range(n)
    ]


@contextmanager
def _triggers_off() -> Iterator[None]:
    """What someone with the database owner's rights could do; inside the test's transaction, so undone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block the ALTER
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
    yield


@pytest.mark.django_db
def test_rows_are_chained_and_the_chain_verifies(clinic: Clinic) -> None:
    events = _write(clinic, 5)
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.row_hash
    stored = AuditEvent.objects.filter(pk=events[-1].pk).values("prev_hash", *chain.CONTENT_FIELDS).get()
    assert chain.row_hash(stored["prev_hash"], stored) == events[-1].row_hash  # same hash after a round trip
    state = audit_chain_verify()
    assert state.intact
    assert state.checked == AuditEvent.objects.count()


@pytest.mark.django_db
def test_a_hand_edited_row_is_the_first_broken_link(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _write(clinic, 4)
    with _triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET summary = 'nothing happened' WHERE id = %s", [events[1].pk]
        )
    state = audit_chain_verify()
    assert state.first_break is not None
    assert state.first_break.event_id == events[1].pk
    assert "changed" in state.first_break.reason
    assert main(["audit", "verify"]) == 1
    assert f"BROKEN at event {events[1].pk}" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_row_removed_from_the_middle_breaks_the_next_link(clinic: Clinic) -> None:
    events = _write(clinic, 4)
    with maintenance(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    state = audit_chain_verify(organisation_id=clinic.org.pk)
    assert state.first_break is not None
    assert state.first_break.event_id == events[3].pk
    assert "removed" in state.first_break.reason


@pytest.mark.django_db
def test_verify_says_intact_on_the_command_line(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    _write(clinic, 2)
    assert main(["audit", "verify"]) == 0
    assert "Audit chain intact" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_audit_page_shows_the_chain_state(client, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    events = _write(clinic, 3)
    client.force_login(clinic.user(Role.ADMIN))
    assert b"Hash chain intact" in client.get("/audit/").content
    with _triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [events[1].pk])
    assert f"broken at event {events[1].pk}".encode() in client.get("/audit/").content


@pytest.mark.django_db
def test_the_newest_rows_window_checks_those_rows_in_order_and_finds_a_change_among_them(
    clinic: Clinic,
) -> None:
    events = _write(clinic, 5)
    state = audit_chain_verify(organisation_id=clinic.org.pk, last=3)
    assert state.intact
    assert state.checked == 3
    assert state.heads[clinic.org.pk] == events[-1].row_hash
    with _triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [events[3].pk])
    broken = audit_chain_verify(organisation_id=clinic.org.pk, last=3)
    assert broken.first_break is not None
    assert broken.first_break.event_id == events[3].pk


@pytest.mark.django_db
@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent"])
def test_the_database_refuses_to_rewrite_the_log(clinic: Clinic, sql: str) -> None:
    assert AuditEvent.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
def test_postgresql_refuses_truncate(clinic: Clinic) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.exists()


@pytest.mark.django_db
def test_maintenance_never_allows_an_update(clinic: Clinic) -> None:
    with (
        pytest.raises(DatabaseError),
        maintenance(connection),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("UPDATE audit_auditevent SET summary = 'x'")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(clinic: Clinic) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the test database on SQLite is in memory and cannot be shared between threads")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer() -> None:
        try:
            start.wait()
            _write(clinic, 15)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    state = audit_chain_verify(organisation_id=clinic.org.pk)
    assert state.intact, state.first_break
    hashes = list(
        AuditEvent.objects.filter(organisation_id=clinic.org.pk).values_list("prev_hash", flat=True)
    )
    assert len(hashes) == len(set(hashes))  # no two rows claim the same predecessor
