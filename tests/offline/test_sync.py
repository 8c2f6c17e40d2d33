"""The sync of records kept on a device (offline/services/sync.py, records.py, and POST /api/v1/sync):
each stored exactly once, in order, re-checked by the server, conflicts kept and shown, never dropped."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services as care_services
from kneadwell.care.models import Note, Observation, Session, StepLog
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.services import intake_save, screening_settings_save
from kneadwell.offline import services
from kneadwell.offline.kit import offline_kit
from kneadwell.offline.models import SyncRecord
from kneadwell.offline.selectors import open_conflicts, session_conflicts
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_answers

pytestmark = pytest.mark.django_db
PROTOCOL = "iaim_first_week"


def as_json(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime | dt.date) else v for k, v in answers.items()}


@pytest.fixture
def baby(clinic: Clinic) -> Any:
    child = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=70,
        weeks=39,
        days=3,
        given_name="Ivy",
    )
    intake_save(
        actor=clinic.actor(Role.CAREGIVER),
        client=child,
        population="infant",
        answers=clear_answers("infant", "intake"),
        expected_version=None,
    )
    return child


class Device:
    """Records as the browser makes them: a key each, the device's time, in order."""

    def __init__(self, client_id: int) -> None:
        self.client_id = client_id
        self.clock = timezone.now() - dt.timedelta(minutes=40)
        self.records: list[services.DeviceRecord] = []

    def add(self, kind: str, data: dict[str, Any], **where: Any) -> services.DeviceRecord:
        self.clock += dt.timedelta(seconds=31)
        record = services.DeviceRecord(
            key=str(uuid.uuid4()),
            kind=kind,
            client_id=self.client_id,
            device_time=self.clock,
            data=data,
            **where,
        )
        self.records.append(record)
        return record


def offline_session(clinic: Clinic, baby: Any, *, device_action: str = "go", **today: Any) -> Device:
    """A whole session done on the device: today's check, the start, every step, a cue, the end, the
    diary."""
    parent = clinic.actor(Role.CAREGIVER)
    steps = offline_kit(actor=parent, client=baby)["protocols"][0]["steps"]
    assert steps, "the kit holds the first week's steps"
    device = Device(baby.pk)
    check = device.add(
        "check",
        {
            "protocol_id": PROTOCOL,
            "answers": as_json(clear_answers("infant", "today", **today)),
            "device_action": device_action,
        },
    )
    start = device.add("session_start", {"check_key": check.key, "protocol_id": PROTOCOL, "steps": steps})
    for i, _step in enumerate(steps):
        device.add("step", {"index": i, "outcome": "done", "seconds": 30.0}, session_key=start.key)
        if i == 1:
            device.add(
                "observation",
                {"kind": "cue", "code": "smiling", "device_decision": "continue"},
                session_key=start.key,
            )
    device.add("session_end", {"status": "completed"}, session_key=start.key)
    device.add(
        "note",
        {"response": "Ivy smiled at the toe roll.", "sleep_after": "longer", "stools": "no"},
        session_key=start.key,
    )
    return device


def counts(baby: Any) -> dict[str, int]:
    sessions = Session.objects.filter(client=baby)
    return {
        "checks": ReadinessCheck.objects.filter(client=baby).count(),
        "sessions": sessions.count(),
        "steps": StepLog.objects.filter(session__in=sessions).count(),
        "observations": Observation.objects.filter(session__in=sessions).count(),
        "notes": Note.objects.filter(session__in=sessions).count(),
        "records": SyncRecord.objects.filter(client=baby).count(),
    }


def test_a_whole_offline_session_is_stored_once_with_the_device_times(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    _synced, outcomes = services.sync_records(actor=parent, records=device.records)
    assert [o.status for o in outcomes] == ["stored"] * len(device.records), [o.message for o in outcomes]
    assert not any(o.conflict for o in outcomes)
    steps = len(device.records) - 5
    assert counts(baby) == {
        "checks": 1,
        "sessions": 1,
        "steps": steps,
        "observations": 1,
        "notes": 1,
        "records": len(device.records),
    }
    session = Session.objects.get(client=baby)
    assert session.status == Session.Status.COMPLETED
    assert session.readiness_check is not None
    assert session.readiness_check.action == "go"
    # The device's times are the record's: the session started and ended when the device says.
    assert session.started_at == device.records[1].device_time
    assert session.ended_at == device.records[-2].device_time
    assert StepLog.objects.get(session=session, index=0).ended_at == device.records[2].device_time
    note = Note.objects.get(session=session)
    assert note.kind == Note.Kind.DIARY
    assert note.response == "Ivy smiled at the toe roll."
    # Audited as any write, and each synced record says when it happened on the device and when it came.
    synced = AuditEvent.objects.filter(entity="sync_record", client_id=baby.pk)
    assert synced.count() == len(device.records)
    first = synced.order_by("id").first()
    assert first is not None
    assert first.changes["device_time"] == device.records[0].device_time.isoformat()
    assert "synced_at" in first.changes
    assert "recorded on the device at" in first.summary
    assert AuditEvent.objects.filter(
        entity="session", entity_id=str(session.pk), summary__contains="offline"
    ).exists()


def test_the_same_sync_twice_stores_once_and_answers_the_same(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    _first_at, first = services.sync_records(actor=parent, records=device.records)
    before = counts(baby)
    audit_rows = AuditEvent.objects.count()
    _again_at, again = services.sync_records(actor=parent, records=device.records)
    assert [o.status for o in again] == ["replayed"] * len(device.records)
    assert [o.result for o in again] == [o.result for o in first]
    assert counts(baby) == before
    assert AuditEvent.objects.count() == audit_rows  # a replay writes nothing, not even an audit row


def test_out_of_order_duplicates_are_stored_once(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    records = device.records
    # A batch with the later records first: what depends on an earlier record waits, nothing is refused.
    _at, outcomes = services.sync_records(actor=parent, records=[records[3], records[2], records[1]])
    assert [o.status for o in outcomes] == ["waiting", "waiting", "waiting"]
    assert counts(baby)["sessions"] == 0
    # In order, with every record twice in the same batch and a shuffled replay of the first half after.
    doubled = [r for record in records for r in (record, record)]
    _at, outcomes = services.sync_records(actor=parent, records=doubled)
    assert [o.status for o in outcomes] == ["stored", "replayed"] * len(records)
    half = records[: len(records) // 2]
    random.Random(14).shuffle(half)
    _at, outcomes = services.sync_records(actor=parent, records=half)
    assert {o.status for o in outcomes} == {"replayed"}
    steps = len(records) - 5
    assert counts(baby) == {
        "checks": 1,
        "sessions": 1,
        "steps": steps,
        "observations": 1,
        "notes": 1,
        "records": len(records),
    }
    # A step sent before the step before it (its session known) waits for it, then goes in.
    session = Session.objects.get(client=baby)
    assert list(StepLog.objects.filter(session=session).values_list("index", flat=True)) == list(range(steps))


def test_a_step_sent_ahead_of_the_one_before_waits(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    check, start, step0, step1 = device.records[:4]
    _at, outcomes = services.sync_records(actor=parent, records=[check, start, step1])
    assert [o.status for o in outcomes] == ["stored", "stored", "waiting"]
    assert "earlier step" in outcomes[2].message
    _at, outcomes = services.sync_records(actor=parent, records=[step0, step1])
    assert [o.status for o in outcomes] == ["stored", "stored"]


def test_a_key_is_one_record_and_one_persons(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    services.sync_records(actor=parent, records=device.records[:1])
    check = device.records[0]
    changed = services.DeviceRecord(
        key=check.key,
        kind="check",
        client_id=baby.pk,
        device_time=check.device_time,
        data={**check.data, "device_action": "modify"},
    )
    _at, [outcome] = services.sync_records(actor=parent, records=[changed])
    assert outcome.status == "refused"
    assert "different record" in outcome.message
    _at, [outcome] = services.sync_records(actor=clinic.actor(Role.THERAPIST), records=[check])
    assert outcome.status == "refused"
    assert "another person" in outcome.message
    assert counts(baby)["checks"] == 1


def test_another_organisations_client_is_refused(clinic: Clinic, outsider: Clinic, baby: Any) -> None:
    device = offline_session(clinic, baby)
    _at, outcomes = services.sync_records(actor=outsider.actor(Role.CAREGIVER), records=device.records[:1])
    assert outcomes[0].status == "refused"
    assert counts(baby)["checks"] == 0


def test_a_record_changed_on_the_server_makes_a_stop_a_conflict_and_keeps_the_session(
    clinic: Clinic, baby: Any
) -> None:
    """The device said go (fed 45 minutes before, with the 30-minute wait); meanwhile the organisation
    raised the wait to an hour: the server, screening the current record, says stop. Nothing is dropped:
    the check and the session are kept, flagged, and the conflict says what to do."""
    parent = clinic.actor(Role.CAREGIVER)
    fed = (timezone.localtime() - dt.timedelta(minutes=85)).strftime("%Y-%m-%dT%H:%M")
    device = offline_session(clinic, baby, fed_recently="yes", last_feed_at=fed)
    screening_settings_save(actor=clinic.actor(Role.ADMIN), overrides={"feeding_wait_minutes": 60})
    _at, outcomes = services.sync_records(actor=parent, records=device.records)
    assert {o.status for o in outcomes} == {"stored"}, [o.message for o in outcomes]
    check_outcome, start_outcome = outcomes[0], outcomes[1]
    assert check_outcome.conflict
    assert check_outcome.conflict["server_action"] == "stop"
    assert check_outcome.conflict["device_action"] == "go"
    assert check_outcome.conflict["todo"]
    assert start_outcome.conflict
    assert "more cautiously" in start_outcome.conflict["title"]
    session = Session.objects.get(client=baby)
    assert session.status == Session.Status.COMPLETED  # kept as it was done
    assert StepLog.objects.filter(session=session).count() == len(device.records) - 5
    assert session_conflicts(session=session)
    assert {r.kind for r in open_conflicts(actor=parent)} >= {"check", "session_start"}
    # Marking it read keeps it (and the session's flag); it leaves the list of open conflicts.
    for record in list(open_conflicts(actor=parent)):
        services.sync_conflict_resolve(actor=parent, record=record)
    assert not list(open_conflicts(actor=parent))
    assert session_conflicts(session=session)


def test_a_cue_the_server_reads_as_stop_stops_the_session_and_later_steps_are_kept(
    clinic: Clinic, baby: Any
) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    records = device.records
    start = records[1]
    # The device (an old rules bundle, say) read crying as "carry on"; the server's rules say stop.
    cue = services.DeviceRecord(
        key=str(uuid.uuid4()),
        kind="observation",
        client_id=baby.pk,
        device_time=records[2].device_time + dt.timedelta(seconds=5),
        data={"kind": "cue", "code": "crying_cue", "device_decision": "continue"},
        session_key=start.key,
    )
    batch = [*records[:3], cue, *records[3:]]
    _at, outcomes = services.sync_records(actor=parent, records=batch)
    assert {o.status for o in outcomes} == {"stored"}, [o.message for o in outcomes]
    assert outcomes[3].conflict
    assert outcomes[3].conflict["server_action"] == "stop"
    session = Session.objects.get(client=baby)
    assert session.status == Session.Status.STOPPED
    assert session.stop_check == "cue_stop"
    assert session.ended_at == cue.device_time
    # The steps done after it on the device are kept, each flagged; the diary is saved too.
    assert StepLog.objects.filter(session=session).count() == len(records) - 5
    assert all(o.conflict for o in outcomes[4:-2] if o.kind == "step")
    assert Note.objects.filter(session=session).exists()


def test_a_diary_written_on_two_devices_keeps_both_texts(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    *before, note = device.records
    services.sync_records(actor=parent, records=before)
    session = Session.objects.get(client=baby)
    care_services.note_save(actor=parent, session=session, expected_version=None, response="From the tablet.")
    _at, [outcome] = services.sync_records(actor=parent, records=[note])
    assert outcome.status == "stored"
    assert outcome.conflict is not None
    assert outcome.conflict["theirs"]["response"] == "From the tablet."
    assert outcome.conflict["yours"]["response"] == "Ivy smiled at the toe roll."
    assert Note.objects.get(session=session).response == "From the tablet."  # not overwritten
    kept = SyncRecord.objects.get(key=note.key)
    assert kept.payload["data"]["response"] == "Ivy smiled at the toe roll."


def test_steps_of_a_session_started_online_go_on_offline(clinic: Clinic, baby: Any) -> None:
    """The network drops mid-session: the steps done on the device name the server's session; a "done"
    that reached the server before its answer was lost is kept once."""
    from kwtest.screening import passing_check

    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, baby, PROTOCOL, "infant")
    session = care_services.session_start(actor=parent, client=baby, check=check)
    care_services.session_step(actor=parent, session=session, index=0, outcome="done")
    device = Device(baby.pk)
    device.clock = timezone.now()
    for i in range(len(session.steps)):  # index 0 again: it reached the server, its answer did not
        device.add("step", {"index": i, "outcome": "done", "seconds": 12.5}, session_id=session.pk)
    device.add("session_end", {"status": "completed"}, session_id=session.pk)
    _at, outcomes = services.sync_records(actor=parent, records=device.records)
    assert {o.status for o in outcomes} == {"stored"}, [o.message for o in outcomes]
    assert outcomes[0].result.get("already") is True
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED
    assert StepLog.objects.filter(session=session).count() == len(session.steps)


def test_bad_data_is_refused_with_a_message_and_nothing_is_written(clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    device = offline_session(clinic, baby)
    services.sync_records(actor=parent, records=device.records[:2])
    bad = services.DeviceRecord(
        key=str(uuid.uuid4()),
        kind="step",
        client_id=baby.pk,
        device_time=timezone.now(),
        data={"index": 0, "outcome": "skipped"},
        session_key=device.records[1].key,
    )
    _at, [outcome] = services.sync_records(actor=parent, records=[bad])
    assert outcome.status == "refused"
    assert "skipped" in outcome.message
    assert not SyncRecord.objects.filter(key=bad.key).exists()


# --- the API ----------------------------------------------------------------------------------------------
def _wire(record: services.DeviceRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": record.key,
        "kind": record.kind,
        "client_id": record.client_id,
        "device_time": record.device_time.isoformat(),
        "data": record.data,
    }
    if record.session_id:
        body["session_id"] = record.session_id
    if record.session_key:
        body["session_key"] = record.session_key
    return body


def test_the_api_stores_a_sync_once_and_replays_it(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    device = offline_session(clinic, baby)
    client.force_login(clinic.user(Role.CAREGIVER))
    body = {"records": [_wire(r) for r in device.records]}
    first = client.post("/api/v1/sync", body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert {r["status"] for r in first.json()["results"]} == {"stored"}
    again = client.post("/api/v1/sync", body, content_type="application/json")
    assert {r["status"] for r in again.json()["results"]} == {"replayed"}
    assert counts(baby)["sessions"] == 1
    assert counts(baby)["records"] == len(device.records)


def test_the_api_wants_an_offset_and_a_role(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    device = offline_session(clinic, baby)
    client.force_login(clinic.user(Role.CAREGIVER))
    naive = {**_wire(device.records[0]), "device_time": "2026-12-04T10:00:00"}
    response = client.post("/api/v1/sync", {"records": [naive]}, content_type="application/json")
    assert response.status_code == 422
    headers = {"Authorization": f"Bearer {clinic.token(Role.RESEARCHER)}"}
    response = client.post("/api/v1/sync", {"records": []}, content_type="application/json", headers=headers)
    assert response.status_code == 403


def test_the_kit_holds_the_steps_and_is_a_404_for_another_family(
    client: HttpClient, clinic: Clinic, outsider: Clinic, baby: Any
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    kit = client.get(f"/api/v1/clients/{baby.pk}/offline-kit")
    assert kit.status_code == 200
    body = kit.json()
    assert body["protocols"][0]["id"] == PROTOCOL
    first = body["protocols"][0]["steps"][0]
    assert first["shown"]["name"]
    assert first["technique"]
    assert body["cue_groups"]
    assert body["urls"]["bundle"].endswith(f"/clients/{baby.pk}/rules-bundle")
    client.force_login(outsider.user(Role.CAREGIVER))
    assert client.get(f"/api/v1/clients/{baby.pk}/offline-kit").status_code == 404
