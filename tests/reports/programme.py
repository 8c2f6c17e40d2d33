"""Data to report on, for tests/reports and the browser test: a baby's programme with a plan made
through the care services (its schedule moved back so sessions are due), sessions with step logs (one
stopped by the bradycardia rule), observations, a parent's diary note, an adverse event, daily weights, a
length, a head circumference, a pain score, and one weight marked as entered in error. Sessions are
written directly (the care tests cover the player); the rest goes through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import services as care_services
from kneadwell.care.models import Note, Observation, Plan, ScheduledSession, Session, StepLog
from kneadwell.care.routine import planned_phase_minutes
from kneadwell.clients.models import Client
from kneadwell.library.loader import default_library
from kneadwell.library.models import ReadinessCheck
from kneadwell.outcomes import services as outcome_services
from kwtest.people import Clinic
from kwtest.screening import passing_check

PROTOCOL = "preterm_tks_10d"
_keys = itertools.count(1)


@dataclass
class Programme:
    client: Client
    plan: Plan
    sessions: list[Session]
    stopped: Session


def _check(clinic: Clinic, client: Client) -> ReadinessCheck:
    return ReadinessCheck.objects.create(
        organisation=clinic.org,
        client=client,
        protocol_id=PROTOCOL,
        population="preterm_infant",
        answers={},
        action="go",
        verdict={"action": "go", "reasons": []},
        content_version="t",
        checked_by=clinic.user(Role.THERAPIST),
    )


def add_sessions(
    clinic: Clinic, client: Client, plan: Plan, count: int, *, stopped_every: int = 0
) -> list[Session]:
    """`count` sessions on the plan's earliest open slots (or unscheduled once the slots run out), each with
    a step log per phase of the protocol; every `stopped_every`-th one stopped by the bradycardia rule."""
    therapist = clinic.user(Role.THERAPIST)
    phases = planned_phase_minutes(default_library(), PROTOCOL)
    slots = list(plan.slots.filter(status=ScheduledSession.Status.DUE).order_by("due_at")[:count])
    made = []
    start = timezone.now() - dt.timedelta(days=count // 3 + 2)
    for k in range(count):
        slot = slots[k] if k < len(slots) else None
        at = min(slot.due_at, timezone.now()) if slot else start + dt.timedelta(hours=8 * k)
        stop = stopped_every and (k + 1) % stopped_every == 0
        session = Session.objects.create(
            organisation=clinic.org,
            client=client,
            plan=plan,
            slot=slot,
            readiness_check=_check(clinic, client),
            protocol_id=PROTOCOL,
            population="preterm_infant",
            content_version="t",
            steps=[
                {"index": i, "phase": ph, "technique": "t", "name": ph, "regions": []}
                for i, ph in enumerate(phases)
            ],
            status=Session.Status.STOPPED if stop else Session.Status.COMPLETED,
            step_started_at=at,
            started_at=at,
            ended_at=at + dt.timedelta(minutes=15),
            stop_check="bradycardia" if stop else "",
            stop_reason="Slow heart rate: 85 bpm for 20 s" if stop else "",
            pauses=1 if stop else 0,
            performed_by=therapist,
        )
        logged = list(phases.items())[:1] if stop else list(phases.items())
        StepLog.objects.bulk_create(
            StepLog(
                session=session,
                index=i,
                technique_id="t",
                regions=[],
                phase=phase,
                outcome=StepLog.Outcome.DONE,
                seconds=minutes * 60 * (0.9 if i == 0 else 1.0),
                ended_at=at,
            )
            for i, (phase, minutes) in enumerate(logged)
        )
        Observation.objects.create(
            session=session,
            key=f"obs-{next(_keys)}",
            kind=Observation.Kind.VITALS if stop else Observation.Kind.CUE,
            code="" if stop else "smiling",
            vitals={"heart_rate": 85} if stop else {},
            observed_at=at,
            recorded_by=therapist,
            decision="stop" if stop else "continue",
        )
        if slot is not None:
            ScheduledSession.objects.filter(pk=slot.pk).update(
                status=ScheduledSession.Status.STOPPED if stop else ScheduledSession.Status.DONE
            )
        made.append(session)
    return made


def make_programme(clinic: Clinic, client: Client, *, sessions: int = 9, weights: int = 14) -> Programme:
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, client, PROTOCOL, "preterm_infant")
    plan = care_services.plan_create(
        actor=therapist, client=client, check=check, starts_at=timezone.now() + dt.timedelta(minutes=5)
    )
    # Move the schedule back four days, so sessions fall due and some are missed.
    shift = dt.timedelta(days=4)
    Plan.objects.filter(pk=plan.pk).update(starts_at=F("starts_at") - shift)
    ScheduledSession.objects.filter(plan=plan).update(due_at=F("due_at") - shift)
    plan.refresh_from_db()
    made = add_sessions(clinic, client, plan, sessions, stopped_every=sessions)
    stopped = made[-1]
    Note.objects.create(
        session=made[0],
        kind=Note.Kind.DIARY,
        response="She calmed at once and held my finger",
        author=clinic.user(Role.CAREGIVER),
    )
    care_services.adverse_event_record(
        actor=therapist,
        client=client,
        occurred_at=stopped.started_at,
        what="Heart rate fell to 85 during kinesthetic phase",
        severity="mild",
        action_taken="Stopped; recovered within a minute without help",
        session=stopped,
    )
    today = timezone.localdate()
    series = [(today - dt.timedelta(days=weights - 1 - k), 1850 + 25 * k) for k in range(weights)]
    saved = outcome_services.weights_record_series(actor=therapist, client=client, weights=series, unit="g")
    outcome_services.measurement_mark_in_error(
        actor=therapist,
        measurement=saved[-3],
        reason="Weighed with the blanket",
        expected_version=saved[-3].version,
    )
    for instrument_id, value, unit in (("length_height", "44.0", "cm"), ("head_circumference", "31.5", "cm")):
        outcome_services.measurement_record(
            actor=therapist,
            client=client,
            instrument_id=instrument_id,
            answers={"value": value, "unit": unit},
            taken_at=today,
        )
    outcome_services.measurement_record(
        actor=therapist,
        client=client,
        instrument_id="nips",
        answers={"face": 1, "cry": 0, "breathing": 0, "arms": 0, "legs": 1, "arousal": 0},
        taken_at=today,
        context="session",
    )
    return Programme(client=client, plan=plan, sessions=made, stopped=stopped)


def version_query(version: str, plan: Any = None) -> str:
    return f"?version={version}" + (f"&plan={plan.pk}" if plan is not None else "")
