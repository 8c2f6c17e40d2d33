"""session_import: a session recorded after the fact (completed or stopped), checked field by field,
consent-checked unless it predates the client's record here, audited as imported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services
from kneadwell.care.models import Session, StepLog
from kneadwell.care.services import PastStep
from kneadwell.clients.models import Client
from kneadwell.core.errors import ConsentRequired, NotFound, PermissionDenied, ValidationFailed
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
BODY = ("head", "neck", "back", "left_arm", "right_arm", "left_leg", "right_leg")
LIMBS = ("left_arm", "right_arm", "left_leg", "right_leg")


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def tks_steps(*, skip_last: bool = False) -> list[PastStep]:
    return [
        PastStep("long_stroking", BODY, "done", 300.5, phase="Tactile"),
        PastStep("kinesthetic_limb_movements", LIMBS, "done", 299.0, phase="Kinesthetic"),
        PastStep("long_stroking", BODY, "skipped", 2.0, phase="Tactile", skip_reason="baby asleep")
        if skip_last
        else PastStep("long_stroking", BODY, "done", 301.25, phase="Tactile"),
    ]


def record(clinic: Clinic, client: Client, role: Role = Role.THERAPIST, **changes: Any) -> Session:
    start = changes.pop("started_at", ago(3))
    values: dict[str, Any] = {
        "protocol_id": "preterm_tks_10d",
        "status": "completed",
        "started_at": start,
        "ended_at": start + dt.timedelta(minutes=20),
        "steps": tks_steps(),
        "source": "a paper record",
    }
    values.update(changes)
    return services.session_import(actor=clinic.actor(role), client=client, **values)


def test_a_completed_session_is_recorded_with_its_steps_and_no_readiness_check(clinic: Clinic) -> None:
    assert clinic.client is not None
    session = record(clinic, clinic.client)
    assert session.status == Session.Status.COMPLETED
    assert session.recorded_after_the_fact
    assert session.readiness_check_id is None
    assert session.plan_id is None
    assert session.population == "preterm_infant"
    assert session.current_step == len(session.steps) == 3
    logs = list(session.step_logs.order_by("index"))
    assert [(s.technique_id, s.outcome, s.seconds) for s in logs] == [
        ("long_stroking", "done", 300.5),
        ("kinesthetic_limb_movements", "done", 299.0),
        ("long_stroking", "done", 301.25),
    ]
    assert logs[1].regions == list(LIMBS)
    assert all(session.started_at < s.ended_at <= session.ended_at for s in logs)  # type: ignore[operator]
    event = AuditEvent.objects.get(entity="session", entity_id=str(session.pk))
    assert "recorded after the fact" in event.summary
    assert event.changes["imported_from"] == "a paper record"
    assert (event.changes["steps_done"], event.changes["steps_skipped"]) == (3, 0)


def test_a_stopped_session_keeps_its_reason_and_skipped_steps(clinic: Clinic) -> None:
    assert clinic.client is not None
    session = record(
        clinic,
        clinic.client,
        status="stopped",
        stop_reason="Crying: settled with a cuddle",
        steps=tks_steps(skip_last=True),
    )
    assert session.status == Session.Status.STOPPED
    assert session.stop_reason == "Crying: settled with a cuddle"
    skipped = session.step_logs.get(outcome=StepLog.Outcome.SKIPPED)
    assert skipped.skip_reason == "baby asleep"


def test_consent_is_needed_for_a_session_after_the_record_was_created_here(clinic: Clinic) -> None:
    client = make_client(clinic.actor(Role.THERAPIST), consent=False, born_days_ago=100)
    Client.objects.filter(pk=client.pk).update(created_at=ago(30))
    client.refresh_from_db()
    with pytest.raises(ConsentRequired):
        record(clinic, client, started_at=ago(10))
    # Earlier history that arrives with the client is a transfer of the record, not care given here.
    session = record(clinic, client, started_at=ago(50))
    assert session.client_id == client.pk
    assert Session.objects.filter(client=client).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"protocol_id": "no_such_protocol"}, "protocol"),
        ({"population": "adult"}, "population"),
        ({"status": "in_progress"}, "status"),
        ({"stop_reason": "tired"}, "stop_reason"),
        ({"status": "stopped"}, "stop_reason"),
        ({"steps": []}, "steps"),
        ({"started_at": ago(3), "ended_at": ago(3) - dt.timedelta(minutes=1)}, "ended_at"),
        ({"started_at": timezone.now(), "ended_at": timezone.now() + dt.timedelta(hours=1)}, "ended_at"),
        ({"started_at": ago(400)}, "started_at"),  # before the baby was born
        ({"started_at": dt.datetime(2026, 1, 1, 9, 0)}, "started_at"),  # no UTC offset
        ({"steps": [PastStep("no_such_technique", BODY, "done", 60)]}, "steps.0.technique"),
        ({"steps": [PastStep("long_stroking", ("tail",), "done", 60)]}, "steps.0.regions"),
        ({"steps": [PastStep("long_stroking", BODY, "skipped", 0)]}, "steps.0.skip_reason"),
        ({"steps": [PastStep("long_stroking", BODY, "maybe", 60)]}, "steps.0.outcome"),
        ({"steps": [PastStep("long_stroking", BODY, "done", float("nan"))]}, "steps.0.seconds"),
        ({"steps": [PastStep("long_stroking", BODY, "done", 1500)]}, "steps"),  # 25 min in a 20 min session
    ],
)
def test_each_problem_is_named_and_nothing_is_saved(
    clinic: Clinic, changes: dict[str, Any], field: str
) -> None:
    assert clinic.client is not None
    before = (Session.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, clinic.client, **changes)
    assert field in caught.value.errors
    assert (Session.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.INSTRUCTOR, Role.ASSESSOR])
def test_only_roles_that_may_import_a_record_may_record_a_past_session(clinic: Clinic, role: Role) -> None:
    assert clinic.client is not None
    with pytest.raises(PermissionDenied):
        record(clinic, clinic.client, role=role)


def test_another_organisations_client_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    assert outsider.client is not None
    with pytest.raises(NotFound):
        record(clinic, outsider.client, role=Role.ADMIN)
