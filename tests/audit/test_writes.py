"""The audited-write helper (kneadwell.audit.writes): a change and its audit row are saved together or not
at all, an edit on a stale version is refused, and the audit row keeps what changed. And no module outside
the audit package writes audit rows except through it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction

import kneadwell
from kneadwell.accounts.roles import Role
from kneadwell.audit import writes
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.writes import (
    OWN_ID,
    audit_action,
    create_audited,
    delete_audited,
    edit_audited,
    save_audited,
)
from kneadwell.clients.models import Client, Consent
from kneadwell.core.errors import Conflict, NotFound
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

STALE_MESSAGE = "Someone else saved a change to this record after you opened it."


def _client(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return Client.objects.get(pk=clinic.client.pk)


def _rows(entity: str, entity_id: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(entity=entity, entity_id=str(entity_id)).order_by("id"))


def _new_client(clinic: Clinic, **values: Any) -> Client:
    base: dict[str, Any] = {
        "organisation": clinic.org,
        "created_by": clinic.user(Role.THERAPIST),
        "given_name": "Ada",
        "family_name": "Written",
        "birth_date": _client(clinic).birth_date,
        "sex": "female",
    }
    return Client(**{**base, **values})


def test_a_create_saves_the_row_and_its_audit_row_in_one_go(clinic: Clinic) -> None:
    actor = clinic.actor(Role.THERAPIST)
    with transaction.atomic():
        client = create_audited(
            actor=actor,
            obj=_new_client(clinic),
            entity="client",
            client_id=OWN_ID,
            summary="added client Ada Written",
            changes={"given_name": "Ada"},
        )
    [row] = _rows("client", client.pk)
    assert (row.action, row.client_id, row.summary) == ("create", client.pk, "added client Ada Written")
    assert row.changes == {"given_name": "Ada"}
    assert (row.organisation_id, row.user_id, row.channel) == (clinic.org.pk, actor.user.pk, "page")


def test_a_create_whose_insert_fails_leaves_no_audit_row(clinic: Clinic) -> None:
    before = AuditEvent.objects.count()
    # The service's own transaction (here a savepoint in the test's): the failed insert undoes it all.
    with pytest.raises(IntegrityError), transaction.atomic():
        create_audited(
            actor=clinic.actor(Role.THERAPIST),
            obj=_new_client(clinic, gestation_weeks=30, gestation_days=9),  # breaks a CHECK constraint
            entity="client",
            client_id=OWN_ID,
            summary="added client Ada Written",
        )
    assert AuditEvent.objects.count() == before
    assert not Client.objects.filter(family_name="Written").exists()


@pytest.mark.django_db(transaction=True)
def test_a_create_is_undone_when_its_audit_row_cannot_be_written(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No test transaction around it: the helper's own transaction is the only one, and it rolls back.
    def broken(**kwargs: Any) -> AuditEvent:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(writes, "audit_record", broken)
    with pytest.raises(RuntimeError):
        create_audited(
            actor=clinic.actor(Role.THERAPIST),
            obj=_new_client(clinic),
            entity="client",
            client_id=OWN_ID,
            summary="added client Ada Written",
        )
    assert not Client.objects.filter(family_name="Written").exists()


def test_an_edit_saves_one_version_up_and_records_what_changed(clinic: Clinic) -> None:
    client = _client(clinic)
    with edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.filter(organisation=clinic.org),
        pk=client.pk,
        expected_version=client.version,
        entity="client",
        client_id=client.pk,
        fields=("given_name", "family_name", "notes"),
    ) as edit:
        assert edit.before["given_name"] == client.given_name
        edit.apply({"given_name": "Mia", "family_name": client.family_name, "notes": "likes the left side"})
        edit.summary = f"changed {', '.join(edit.changed)}"
    saved = Client.objects.get(pk=client.pk)
    assert (saved.given_name, saved.version) == ("Mia", client.version + 1)
    row = _rows("client", client.pk)[-1]
    assert (row.action, row.summary, row.client_id) == ("update", "changed given_name, notes", client.pk)
    # Only the fields that changed, each as [old, new].
    assert row.changes == {"given_name": [client.given_name, "Mia"], "notes": ["", "likes the left side"]}


def test_an_edit_can_record_its_own_changes_instead_of_the_difference(clinic: Clinic) -> None:
    client = _client(clinic)
    with edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.all(),
        pk=client.pk,
        expected_version=client.version,
        entity="client",
        summary="wrote the notes again",
    ) as edit:
        edit.changes = {"notes": ["", ""]}
    assert _rows("client", client.pk)[-1].changes == {"notes": ["", ""]}


def test_an_edit_on_a_stale_version_is_a_conflict_and_saves_nothing(clinic: Clinic) -> None:
    client = _client(clinic)
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused, transaction.atomic(), edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.all(),
        pk=client.pk,
        expected_version=client.version - 1,
        entity="client",
        summary="changed given_name",
    ) as edit:
        edit.apply({"given_name": "Overwritten"})
    assert refused.value.message.startswith(STALE_MESSAGE)
    assert (refused.value.field, refused.value.current_version) == ("version", client.version)
    assert Client.objects.get(pk=client.pk).given_name == client.given_name
    assert AuditEvent.objects.count() == audit_rows


def test_an_edit_without_a_version_is_a_conflict_too(clinic: Clinic) -> None:
    client = _client(clinic)
    with pytest.raises(Conflict) as refused, edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.all(),
        pk=client.pk,
        expected_version=None,
        entity="client",
        summary="changed nothing",
    ):
        pass
    assert refused.value.message.startswith("Send the version you loaded")


def test_an_edit_outside_the_queryset_is_not_found_when_asked(clinic: Clinic, outsider: Clinic) -> None:
    other = _client(outsider)
    with pytest.raises(NotFound, match="No such client"), edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.filter(organisation=clinic.org),
        pk=other.pk,
        expected_version=other.version,
        entity="client",
        summary="changed nothing",
        not_found="No such client.",
    ):
        pass


def test_an_edit_whose_save_fails_leaves_no_audit_row_and_the_row_unchanged(clinic: Clinic) -> None:
    client = _client(clinic)
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.all(),
        pk=client.pk,
        expected_version=client.version,
        entity="client",
        summary="changed gestation_days",
    ) as edit:
        edit.apply({"gestation_days": 9})  # breaks a CHECK constraint when saved
    saved = Client.objects.get(pk=client.pk)
    assert (saved.gestation_days, saved.version) == (client.gestation_days, client.version)
    assert AuditEvent.objects.count() == audit_rows


def test_an_error_inside_the_edit_saves_nothing(clinic: Clinic) -> None:
    client = _client(clinic)

    def half_done() -> None:
        with edit_audited(
            actor=clinic.actor(Role.THERAPIST),
            queryset=Client.objects.all(),
            pk=client.pk,
            expected_version=client.version,
            entity="client",
            summary="changed given_name",
        ) as edit:
            edit.apply({"given_name": "Half"})
            raise ValueError("invalid")

    with pytest.raises(ValueError, match="invalid"):
        half_done()
    assert Client.objects.get(pk=client.pk).given_name == client.given_name


def test_an_edit_without_a_summary_is_refused_before_anything_is_saved(clinic: Clinic) -> None:
    client = _client(clinic)
    with pytest.raises(ValueError, match="summary"), edit_audited(
        actor=clinic.actor(Role.THERAPIST),
        queryset=Client.objects.all(),
        pk=client.pk,
        expected_version=client.version,
        entity="client",
    ) as edit:
        edit.apply({"given_name": "Nameless"})
    assert Client.objects.get(pk=client.pk).version == client.version


def test_save_stores_the_version_bump_even_with_update_fields(clinic: Clinic) -> None:
    client = _client(clinic)
    loaded = client.version
    client.notes = "moved to the ward"
    save_audited(
        actor=clinic.actor(Role.THERAPIST),
        obj=client,
        update_fields=["notes"],
        entity="client",
        client_id=client.pk,
        summary="changed notes",
    )
    assert Client.objects.get(pk=client.pk).version == loaded + 1
    assert _rows("client", client.pk)[-1].summary == "changed notes"


def test_save_leaves_an_unversioned_row_without_a_version(clinic: Clinic) -> None:
    consent = Consent.objects.filter(client=clinic.client).first()
    assert consent is not None
    consent.notes = "copy scanned"
    save_audited(
        actor=clinic.actor(Role.THERAPIST),
        obj=consent,
        update_fields=["notes", "updated_at"],
        entity="consent",
        client_id=consent.client_id,
        summary="changed notes",
    )
    assert not hasattr(consent, "version")
    assert Consent.objects.get(pk=consent.pk).notes == "copy scanned"


def test_delete_keeps_the_id_and_what_the_row_held(clinic: Clinic) -> None:
    actor = clinic.actor(Role.THERAPIST)
    with transaction.atomic():
        client = create_audited(
            actor=actor, obj=_new_client(clinic), entity="client", client_id=OWN_ID, summary="added"
        )
    pk = client.pk
    delete_audited(actor=actor, obj=client, entity="client", summary="deleted", changes={"given_name": "Ada"})
    assert not Client.objects.filter(pk=pk).exists()
    row = _rows("client", pk)[-1]
    assert (row.action, row.changes) == ("delete", {"given_name": "Ada"})


def test_a_plain_action_is_audited_without_an_actor(clinic: Clinic) -> None:
    row = audit_action(
        actor=None,
        action="export",
        entity="database",
        channel="cli",
        label="ops (command line)",
        summary="whole-database backup",
    )
    assert (row.organisation_id, row.channel, row.actor_label) == (None, "cli", "ops (command line)")


# --- every service writes through the helper ---------------------------------------------------------

# The modules that may call `audit_record` themselves, and why.
ALLOWED = {
    "audit/services.py": "defines audit_record",
    "audit/writes.py": "the helper every service uses",
    "audit/access.py": "reads of a client's record, written at the request boundary (no saved row)",
    "audit/views.py": "the audit log's own CSV export",
}


def _direct_audit_record_uses(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "audit_record" for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name == "audit_record":
                lines.append(node.lineno)
    return lines


def test_no_module_outside_the_allowed_list_calls_audit_record() -> None:
    root = Path(kneadwell.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in ALLOWED:
            continue
        for line in _direct_audit_record_uses(ast.parse(path.read_text(), filename=str(path))):
            offenders.append(f"{relative}:{line}")
    assert offenders == [], "write through kneadwell.audit.writes instead: " + ", ".join(offenders)


def test_the_scan_finds_a_direct_call() -> None:
    source = "from kneadwell.audit.services import audit_record\n\ndef f():\n    services.audit_record(x=1)\n"
    assert _direct_audit_record_uses(ast.parse(source)) == [1, 4]
