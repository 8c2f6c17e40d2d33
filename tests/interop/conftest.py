"""A client with a full record to export: guardian and consent (from the clinic fixture), an intake,
growth measurements, a pain score and a measurement entered in error; and a care record (a plan,
sessions, a signed note, adverse events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import services as care_services
from kneadwell.care.models import AdverseEvent, Plan, Session
from kneadwell.clients.models import Client
from kneadwell.library.models import Intake
from kneadwell.outcomes import services as outcome_services
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic
from kwtest.screening import passing_check


@dataclass
class Record:
    client: Client
    weights: list[Measurement]
    length: Measurement
    head: Measurement
    score: Measurement
    in_error: Measurement
    intake: Intake


def days_ago(n: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=n)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def make_record(clinic: Clinic) -> Record:
    client = clinic.client
    assert client is not None
    actor = clinic.actor(Role.THERAPIST)

    def record(instrument_id: str, answers: dict[str, object], when: dt.datetime) -> Measurement:
        return outcome_services.measurement_record(
            actor=actor, client=client, instrument_id=instrument_id, answers=answers, taken_at=when
        )

    weights = [
        record("weight", {"value": 1650, "unit": "g"}, days_ago(6)),
        record("weight", {"value": 1.702, "unit": "kg"}, days_ago(3)),
    ]
    length = record("length_height", {"value": 42.5, "unit": "cm", "method": "length"}, days_ago(3))
    head = record("head_circumference", {"value": 30.5, "unit": "cm"}, days_ago(3))
    score = record(
        "nips",
        {"face": 1, "cry": 0, "breathing": 0, "arms": 0, "legs": 1, "arousal": 0},
        days_ago(2),
    )
    wrong = record("weight", {"value": 1690, "unit": "g"}, days_ago(2))
    wrong = outcome_services.measurement_mark_in_error(
        actor=actor, measurement=wrong, reason="weighed with the blanket", expected_version=wrong.version
    )
    intake = Intake.objects.create(
        organisation=clinic.org,
        client=client,
        population="preterm_infant",
        answers={"under_medical_care": True, "fracture_regions": [], "platelet_count": None},
        content_version="2025.1+test",
        updated_by=clinic.user(Role.THERAPIST),
    )
    return Record(client, weights, length, head, score, wrong, intake)


@pytest.fixture
def full_record(clinic: Clinic) -> Record:
    return make_record(clinic)


@dataclass
class CareRecord:
    client: Client
    plan: Plan
    completed: Session
    stopped: Session
    open_session: Session
    mild: AdverseEvent
    severe: AdverseEvent


def _start(clinic: Clinic, client: Client) -> Session:
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, client, "preterm_tks_10d", "preterm_infant")
    return care_services.session_start(actor=therapist, client=client, check=check)


def make_care_record(clinic: Clinic, client: Client | None = None) -> CareRecord:
    """A TKS plan with a completed session (one step skipped, a signed and amended SOAP note), a stopped
    one and one in progress; a mild adverse event during the stopped session and a severe one without
    a session."""
    client = client or clinic.client
    assert client is not None
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, client, "preterm_tks_10d", "preterm_infant")
    plan = care_services.plan_create(
        actor=therapist,
        client=client,
        check=check,
        starts_at=timezone.now(),
        goals="Steady weight gain; calmer after feeds",
        max_pressure="light",
    )
    completed = _start(clinic, client)
    for index in range(len(completed.steps) - 1):
        completed = care_services.session_step(
            actor=therapist, session=completed, index=index, outcome="done"
        )
    completed = care_services.session_step(
        actor=therapist,
        session=completed,
        index=len(completed.steps) - 1,
        outcome="skipped",
        skip_reason="fell asleep",
    )
    completed = care_services.session_complete(actor=therapist, session=completed)
    note = care_services.note_save(
        actor=therapist,
        session=completed,
        expected_version=None,
        subjective="Mother says feeds went well",
        objective="HR 150-160 throughout",
        assessment="Tolerated well",
        plan_text="Continue three a day",
    )
    note = care_services.note_sign(actor=therapist, note=note, expected_version=note.version)
    care_services.note_amend(actor=therapist, note=note, text="HR 148-160", reason="misread monitor")
    stopped = _start(clinic, client)
    stopped = care_services.session_stop(actor=therapist, session=stopped, reason="Crying and arching")
    open_session = _start(clinic, client)
    mild = care_services.adverse_event_record(
        actor=therapist,
        client=client,
        session=stopped,
        occurred_at=timezone.now(),
        what="Red skin on the back <oil?>",
        severity="mild",
        action_taken="Oil wiped off; faded in 10 minutes",
    )
    severe = care_services.adverse_event_record(
        actor=therapist,
        client=client,
        occurred_at=timezone.now(),
        what="Apnoea after the evening feed",
        severity="severe",
        action_taken="Stimulated; nurse called",
        follow_up="Reviewed by the neonatologist: reflux",
    )
    return CareRecord(client, plan, completed, stopped, open_session, mild, severe)


@pytest.fixture
def care_record(clinic: Clinic) -> CareRecord:
    return make_care_record(clinic)
