"""Writes for plans and guided sessions. Each service checks the role and the client's consent,
validates, saves and audits in one transaction. A stop decision ends the session on the server; the page
only shows it."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action, audit_record
from kneadwell.care import schedule
from kneadwell.care.models import (
    AdverseEvent,
    Note,
    NoteAmendment,
    Observation,
    Plan,
    ScheduledSession,
    Session,
    StepLog,
)
from kneadwell.care.routine import todays_steps, verdict_for_today
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.selectors import client_queryset
from kneadwell.clients.services import consent_require
from kneadwell.core.concurrency import lock_for_edit
from kneadwell.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.stop_rules import (
    ImplausibleVitalSign,
    SessionObservations,
    UnknownObservation,
    VitalReading,
    evaluate_in_session,
)

# How old today's check may be when a session starts (design choice: the answers describe "now").
CHECK_FRESH_MINUTES = 60
# How old an enrolment check may be (the same day's screening).
ENROLMENT_CHECK_HOURS = 24
VITAL_FIELDS = (
    "heart_rate",
    "spo2",
    "respiratory_rate",
    "temperature_c",
    "heart_rate_seconds",
    "spo2_seconds",
)


def _check_usable(check: ReadinessCheck, client: Client, *, max_age: dt.timedelta, now: dt.datetime) -> None:
    if check.client_id != client.pk:
        raise ValidationFailed({"check": ["That check belongs to another client."]})
    if check.blocks:
        raise ValidationFailed({"check": ["Today's check did not allow a session: see its reasons."]})
    if now - check.created_at > max_age:
        minutes = int(max_age.total_seconds() // 60)
        raise ValidationFailed({"check": [f"Today's check is more than {minutes} minutes old; do it again."]})


def _regions(ids: Iterable[str], field: str) -> list[str]:
    lib = library_selectors.library()
    out = sorted(set(ids))
    bad = [r for r in out if r not in lib.regions or lib.regions[r].kind not in ("area", "group")]
    if bad:
        raise ValidationFailed({field: [f"Unknown body region(s): {', '.join(bad)}."]})
    return out


# --- plans ----------------------------------------------------------------------------------------------
def plan_create(
    *,
    actor: Actor,
    client: Client,
    check: ReadinessCheck,
    starts_at: dt.datetime,
    open_weeks: int = schedule.DEFAULT_OPEN_WEEKS,
    avoid_regions: Iterable[str] = (),
    focus_regions: Iterable[str] = (),
    max_pressure: str = "",
    minutes_factor: float | None = None,
    goals: str = "",
    reminders: bool = False,
) -> Plan:
    """Enrol a client on the protocol of `check`, which must be a recent screening that did not block."""
    actor.require(Perm.SESSION_RECORD)
    now = timezone.now()
    consent_require(client=client, scope=Scope.CARE, what="a massage plan")
    _check_usable(check, client, max_age=dt.timedelta(hours=ENROLMENT_CHECK_HOURS), now=now)
    lib = library_selectors.library()
    protocol = lib.protocols[check.protocol_id]
    errors: dict[str, list[str]] = {}
    if starts_at.tzinfo is None:
        errors["starts_at"] = ["The start needs a date and time."]
    elif starts_at < now - dt.timedelta(days=1):
        errors["starts_at"] = ["A plan cannot start in the past."]
    if not 1 <= open_weeks <= 52:
        errors["open_weeks"] = ["A plan lasts 1 to 52 weeks."]
    if max_pressure not in Plan.Pressure.values:
        errors["max_pressure"] = ["Choose light, moderate or as the protocol says."]
    if minutes_factor is not None and not 0.1 <= minutes_factor <= 1:
        errors["minutes_factor"] = ["Shorter sessions: a fraction from 0.1 to 1 of the usual time."]
    if len(goals) > 2000:
        errors["goals"] = ["Keep the goals to 2000 characters."]
    if errors:
        raise ValidationFailed(errors)
    avoid = _regions(avoid_regions, "avoid_regions")
    focus = _regions(focus_regions, "focus_regions")
    with transaction.atomic():
        if Plan.objects.filter(client=client, protocol_id=protocol.id, status=Plan.Status.ACTIVE).exists():
            raise ValidationFailed(
                {"protocol": [f"{client.given_name} already has an active plan for this protocol."]}
            )
        plan = Plan.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            protocol_id=protocol.id,
            content_version=str(lib.version),
            enrolment_check=check,
            starts_at=starts_at,
            open_weeks=open_weeks,
            avoid_regions=avoid,
            focus_regions=focus,
            max_pressure=max_pressure,
            minutes_factor=minutes_factor,
            goals=goals.strip(),
            reminders=reminders,
            calendar_token=secrets.token_urlsafe(32),
            created_by=actor.user,
        )
        slots = schedule.generate(protocol.dose, start=starts_at, open_weeks=open_weeks)
        ScheduledSession.objects.bulk_create(
            ScheduledSession(plan=plan, sequence=s.sequence, due_at=s.due_at, phase=s.phase) for s in slots
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="plan",
            entity_id=plan.pk,
            client_id=client.pk,
            summary=f"enrolled on {protocol.name} ({len(slots)} sessions scheduled)",
            changes={
                "protocol": protocol.id,
                "starts_at": starts_at,
                "avoid_regions": avoid,
                "max_pressure": max_pressure,
                "minutes_factor": minutes_factor,
                "goals": goals,
            },
        )
    return plan


def plan_update(
    *,
    actor: Actor,
    plan: Plan,
    expected_version: int | None,
    avoid_regions: Iterable[str],
    focus_regions: Iterable[str],
    max_pressure: str,
    minutes_factor: float | None,
    goals: str,
    reminders: bool,
) -> Plan:
    actor.require(Perm.SESSION_RECORD)
    if max_pressure not in Plan.Pressure.values:
        raise ValidationFailed({"max_pressure": ["Choose light, moderate or as the protocol says."]})
    if minutes_factor is not None and not 0.1 <= minutes_factor <= 1:
        raise ValidationFailed(
            {"minutes_factor": ["Shorter sessions: a fraction from 0.1 to 1 of the usual time."]}
        )
    avoid = _regions(avoid_regions, "avoid_regions")
    focus = _regions(focus_regions, "focus_regions")
    with transaction.atomic():
        current = lock_for_edit(Plan.objects.filter(client_id=plan.client_id), plan.pk, expected_version)
        fields = {
            "avoid_regions": avoid,
            "focus_regions": focus,
            "max_pressure": max_pressure,
            "minutes_factor": minutes_factor,
            "goals": goals.strip(),
            "reminders": reminders,
        }
        before = {k: getattr(current, k) for k in fields}
        for key, value in fields.items():
            setattr(current, key, value)
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="plan",
            entity_id=current.pk,
            client_id=current.client_id,
            summary="changed the plan's personalisation",
            changes={k: [before[k], v] for k, v in fields.items() if before[k] != v},
        )
    return current


def plan_end(*, actor: Actor, plan: Plan, reason: str) -> Plan:
    actor.require(Perm.SESSION_RECORD)
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why the plan ends (e.g. 'goal reached', 'discharged')."]})
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        if current.status != Plan.Status.ACTIVE:
            raise DomainError("This plan has already ended.")
        current.status = Plan.Status.ENDED
        current.ended_at = timezone.now()
        current.end_reason = reason.strip()
        current.version += 1
        current.save()
        cancelled = current.slots.filter(status=ScheduledSession.Status.DUE).update(
            status=ScheduledSession.Status.CANCELLED
        )
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="plan",
            entity_id=current.pk,
            client_id=current.client_id,
            summary=f"ended the plan ({cancelled} sessions cancelled)",
            changes={"end_reason": current.end_reason},
        )
    return current


# --- sessions -------------------------------------------------------------------------------------------
def session_start(
    *, actor: Actor, client: Client, check: ReadinessCheck, slot: ScheduledSession | None = None
) -> Session:
    """Start a guided session after a passing check. The steps are fixed now, from the protocol's routines,
    today's verdict and the plan's personalisation."""
    actor.require(Perm.SESSION_RECORD)
    now = timezone.now()
    consent_require(client=client, scope=Scope.CARE, what="massage sessions")
    _check_usable(check, client, max_age=dt.timedelta(minutes=CHECK_FRESH_MINUTES), now=now)
    if Session.objects.filter(readiness_check=check).exists():
        raise ValidationFailed(
            {"check": ["This check was already used for a session; do today's check again."]}
        )
    plan = None
    if slot is not None:
        plan = slot.plan
        if plan.client_id != client.pk or plan.protocol_id != check.protocol_id:
            raise ValidationFailed({"slot": ["That scheduled session belongs to another plan."]})
        if slot.status != ScheduledSession.Status.DUE or plan.status != Plan.Status.ACTIVE:
            raise ValidationFailed({"slot": ["That scheduled session is no longer open."]})
    else:
        plan = Plan.objects.filter(
            client=client, protocol_id=check.protocol_id, status=Plan.Status.ACTIVE
        ).first()
    lib = library_selectors.library()
    verdict = verdict_for_today(
        check.verdict,
        avoid_regions=plan.avoid_regions if plan else (),
        max_pressure=plan.max_pressure if plan else "",
        minutes_factor=plan.minutes_factor if plan else None,
    )
    steps, dropped = todays_steps(
        lib, check.protocol_id, verdict, focus_regions=plan.focus_regions if plan else ()
    )
    if not steps:
        raise ValidationFailed(
            {
                "check": [
                    "Every step is left out today (areas or techniques excluded); no session is possible."
                ]
            }
        )
    with transaction.atomic():
        session = Session.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            plan=plan,
            slot=slot,
            readiness_check=check,
            protocol_id=check.protocol_id,
            population=check.population,
            content_version=str(lib.version),
            steps=steps,
            dropped_steps=dropped,
            step_started_at=now,
            started_at=now,
            performed_by=actor.user,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="session",
            entity_id=session.pk,
            client_id=client.pk,
            summary=f"started a {lib.protocols[check.protocol_id].name} session ({len(steps)} steps)",
            changes={"check": check.pk, "slot": slot.pk if slot else None, "dropped": len(dropped)},
        )
    return session


def _locked_open(session: Session) -> Session:
    current = Session.objects.select_for_update().get(pk=session.pk)
    if not current.is_open:
        raise Conflict(f"This session is already {current.get_status_display().lower()}.")
    return current


def _elapsed(current: Session, now: dt.datetime) -> float:
    paused_now = (now - current.paused_at).total_seconds() if current.paused_at else 0.0
    return max(
        0.0, (now - current.step_started_at).total_seconds() - current.step_paused_seconds - paused_now
    )


def session_step(
    *, actor: Actor, session: Session, index: int, outcome: str, skip_reason: str = ""
) -> Session:
    """Finish (done) or skip the current step. Sending the same step twice is harmless."""
    actor.require(Perm.SESSION_RECORD)
    if outcome not in StepLog.Outcome.values:
        raise ValidationFailed({"outcome": ["Choose done or skipped."]})
    if outcome == StepLog.Outcome.SKIPPED and not skip_reason.strip():
        raise ValidationFailed(
            {"skip_reason": ["Say why this step is skipped (e.g. 'baby asleep', 'area sore')."]}
        )
    now = timezone.now()
    with transaction.atomic():
        current = _locked_open(session)
        if index < current.current_step:
            return current  # already recorded (a retried request)
        if index != current.current_step or index >= len(current.steps):
            raise Conflict("That is not the current step; the page was out of date and has been refreshed.")
        if current.status == Session.Status.PAUSED:
            raise DomainError("The session is paused: resume it before moving on.")
        step = current.steps[index]
        StepLog.objects.create(
            session=current,
            index=index,
            technique_id=step["technique"],
            regions=step["regions"],
            phase=step.get("phase", ""),
            outcome=outcome,
            skip_reason=skip_reason.strip(),
            seconds=_elapsed(current, now),
            ended_at=now,
        )
        current.current_step = index + 1
        current.step_started_at = now
        current.step_paused_seconds = 0
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="session",
            entity_id=current.pk,
            client_id=current.client_id,
            summary=f"step {index + 1} {outcome}: {step['name']}",
            changes={"skip_reason": skip_reason.strip()} if skip_reason.strip() else {},
        )
    return current


def _stop(current: Session, *, check_id: str, reason: str, now: dt.datetime) -> None:
    current.status = Session.Status.STOPPED
    current.stop_check = check_id
    current.stop_reason = reason
    current.ended_at = now
    current.paused_at = None
    if current.slot_id:
        ScheduledSession.objects.filter(pk=current.slot_id).update(status=ScheduledSession.Status.STOPPED)


def _reading(vitals: Mapping[str, Any], at: dt.datetime) -> VitalReading:
    return VitalReading(at=at, **{k: vitals[k] for k in VITAL_FIELDS if vitals.get(k) is not None})


def session_observe(
    *,
    actor: Actor,
    session: Session,
    key: str,
    kind: str,
    code: str = "",
    vitals: Mapping[str, Any] | None = None,
    moment: str = Observation.Moment.DURING,
) -> Observation:
    """Record a cue, a state or vital signs; the stop rules decide at once whether to continue, pause or
    stop, and a pause or stop is applied to the session here. The same `key` twice stores one row."""
    actor.require(Perm.SESSION_RECORD)
    lib = library_selectors.library()
    errors: dict[str, list[str]] = {}
    if not key or len(key) > 64:
        errors["key"] = ["Each observation needs a key of 1 to 64 characters."]
    if kind not in Observation.Kind.values:
        errors["kind"] = ["Choose cue, state or vitals."]
    if moment not in Observation.Moment.values:
        errors["moment"] = ["Choose before, during or after."]
    if kind == Observation.Kind.CUE and code not in lib.cues:
        errors["code"] = [f"Unknown cue '{code}'."]
    if kind == Observation.Kind.STATE and code not in lib.states:
        errors["code"] = [f"Unknown behavioural state '{code}'."]
    clean_vitals = {k: v for k, v in (vitals or {}).items() if v is not None}
    if kind == Observation.Kind.VITALS:
        unknown = sorted(set(clean_vitals) - set(VITAL_FIELDS))
        if unknown:
            errors["vitals"] = [f"Unknown vital sign(s): {', '.join(unknown)}."]
        elif not clean_vitals:
            errors["vitals"] = ["Enter at least one reading."]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    existing = Observation.objects.filter(session=session, key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        late_reading = moment == Observation.Moment.AFTER and current.status == Session.Status.COMPLETED
        if not current.is_open and not late_reading:
            raise Conflict(f"This session is already {current.get_status_display().lower()}.")
        settings = library_selectors.screening_settings(current.organisation)
        try:
            reading = _reading(clean_vitals, now) if kind == Observation.Kind.VITALS else None
            history = [
                _reading(o.vitals, o.observed_at)
                for o in current.observations.filter(kind=Observation.Kind.VITALS).order_by(
                    "observed_at", "id"
                )
            ]
            baseline = next(
                (
                    _reading(o.vitals, o.observed_at)
                    for o in current.observations.filter(
                        kind=Observation.Kind.VITALS, moment=Observation.Moment.BEFORE
                    ).order_by("observed_at")[:1]
                ),
                None,
            )
            decision = evaluate_in_session(
                library=lib,
                settings=settings,
                observations=SessionObservations(
                    population=current.population,
                    cues=[code] if kind == Observation.Kind.CUE else [],
                    state=code if kind == Observation.Kind.STATE else None,
                    vitals=[*history, reading] if reading else [],
                    baseline=baseline if reading and moment != Observation.Moment.BEFORE else None,
                    pauses_so_far=current.pauses,
                ),
            )
        except (ImplausibleVitalSign, UnknownObservation) as exc:
            raise ValidationFailed({exc.field: [exc.message]}) from None
        reasons = [
            {
                "check_id": r.check_id,
                "action": r.action,
                "label": r.label,
                "parent_text": r.parent_text,
                "clinician_text": r.clinician_text,
                "instead": r.instead,
                "detail": r.detail,
                "sources": list(r.sources),
                "settings": [s.describe() for s in r.settings],
            }
            for r in decision.reasons
        ]
        observation = Observation(
            session=current,
            key=key,
            kind=kind,
            code=code,
            vitals=clean_vitals,
            moment=moment,
            step_index=current.current_step if current.is_open else None,
            observed_at=now,
            recorded_by=actor.user,
            decision=decision.action,
            reasons=reasons,
        )
        try:
            with transaction.atomic():
                observation.save()
        except IntegrityError:
            # The same tap arrived twice at once (a retry racing the original): keep the first.
            return Observation.objects.get(session=session, key=key)
        applied = ""
        if current.is_open and decision.action == "stop":
            top = decision.reasons[0]
            _stop(current, check_id=top.check_id, reason=f"{top.label}: {top.detail}", now=now)
            applied = "stopped the session"
        elif current.status == Session.Status.IN_PROGRESS and decision.action == "pause":
            current.status = Session.Status.PAUSED
            current.paused_at = now
            current.pauses += 1
            applied = "paused the session"
        if applied:
            current.version += 1
            current.save()
        what = code or ", ".join(f"{k} {v}" for k, v in clean_vitals.items())
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="observation",
            entity_id=observation.pk,
            client_id=current.client_id,
            summary=f"recorded {kind} {what} ({moment}): {decision.action}"
            + (f"; {applied}" if applied else ""),
            changes={"decision": decision.action, "reasons": [r["check_id"] for r in reasons]},
        )
    return observation


def session_pause(*, actor: Actor, session: Session) -> Session:
    actor.require(Perm.SESSION_RECORD)
    with transaction.atomic():
        current = _locked_open(session)
        if current.status == Session.Status.PAUSED:
            return current
        current.status = Session.Status.PAUSED
        current.paused_at = timezone.now()
        current.pauses += 1
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="session",
            entity_id=current.pk,
            client_id=current.client_id,
            summary="paused the session",
        )
    return current


def session_resume(*, actor: Actor, session: Session) -> Session:
    actor.require(Perm.SESSION_RECORD)
    with transaction.atomic():
        current = _locked_open(session)
        if current.status != Session.Status.PAUSED:
            return current
        now = timezone.now()
        if current.paused_at is not None:
            current.step_paused_seconds += (now - current.paused_at).total_seconds()
        current.status = Session.Status.IN_PROGRESS
        current.paused_at = None
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="session",
            entity_id=current.pk,
            client_id=current.client_id,
            summary="resumed the session",
        )
    return current


def session_stop(*, actor: Actor, session: Session, reason: str) -> Session:
    actor.require(Perm.SESSION_RECORD)
    if not reason.strip():
        raise ValidationFailed({"reason": ["Say why the session stops."]})
    with transaction.atomic():
        current = _locked_open(session)
        _stop(current, check_id="manual", reason=reason.strip(), now=timezone.now())
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="session",
            entity_id=current.pk,
            client_id=current.client_id,
            summary=f"stopped the session: {reason.strip()}",
        )
    return current


def session_complete(*, actor: Actor, session: Session) -> Session:
    actor.require(Perm.SESSION_RECORD)
    with transaction.atomic():
        current = _locked_open(session)
        if current.current_step < len(current.steps):
            left = len(current.steps) - current.current_step
            raise ValidationFailed(
                {"steps": [f"{left} step(s) are not done yet: finish or skip them (with a reason)."]}
            )
        current.status = Session.Status.COMPLETED
        current.ended_at = timezone.now()
        current.paused_at = None
        current.version += 1
        current.save()
        if current.slot_id:
            ScheduledSession.objects.filter(pk=current.slot_id).update(status=ScheduledSession.Status.DONE)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="session",
            entity_id=current.pk,
            client_id=current.client_id,
            summary="completed the session",
        )
    return current


# --- sessions recorded after the fact -------------------------------------------------------------------
# A phone or another system's clock a few minutes fast should not refuse a session that just ended.
PAST_FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_PAST_STEPS = 300
MAX_STOP_REASON = 5000


@dataclass(frozen=True)
class PastStep:
    """One step of a session recorded after the fact: the technique, where, done or skipped (and why),
    and how long it took."""

    technique_id: str
    regions: tuple[str, ...]
    outcome: str  # StepLog.Outcome: done or skipped
    seconds: float
    phase: str = ""
    skip_reason: str = ""


def _past_session_errors(
    client: Client,
    *,
    protocol_id: str,
    population: str,
    status: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    steps: Sequence[PastStep],
    stop_reason: str,
) -> dict[str, list[str]]:
    lib = library_selectors.library()
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    protocol = lib.protocols.get(protocol_id)
    if protocol is None:
        error("protocol", f"Unknown protocol {protocol_id[:60]!r}.")
    elif population not in protocol.populations:
        error("population", f"{protocol.name} is not for the population {population[:40]!r}.")
    if status not in (Session.Status.COMPLETED, Session.Status.STOPPED):
        error("status", "A session recorded after the fact has ended: completed or stopped.")
    times_ok = True
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            error(name, "Give a date and time with its UTC offset (e.g. 2026-03-01T09:30:00+00:00).")
            times_ok = False
    if times_ok:
        if ended_at < started_at:
            error("ended_at", "The session ends before it starts.")
        if ended_at > timezone.now() + PAST_FUTURE_TOLERANCE:
            error("ended_at", "The session has not ended yet: the end is in the future.")
        if timezone.localtime(started_at).date() < client.birth_date:
            error("started_at", f"The session is dated before {client.given_name}'s date of birth.")
    if status == Session.Status.STOPPED and not stop_reason.strip():
        error("stop_reason", "Say why the session stopped.")
    if status == Session.Status.COMPLETED and stop_reason.strip():
        error("stop_reason", "A completed session has no stop reason (or was it stopped?).")
    if len(stop_reason) > MAX_STOP_REASON:
        error("stop_reason", f"Keep the stop reason to {MAX_STOP_REASON} characters.")
    if status == Session.Status.COMPLETED and not steps:
        error("steps", "A completed session has at least one step.")
    if len(steps) > MAX_PAST_STEPS:
        error("steps", f"A session has at most {MAX_PAST_STEPS} steps.")
        return errors
    for i, step in enumerate(steps):
        if step.technique_id not in lib.techniques:
            error(f"steps.{i}.technique", f"Unknown technique {step.technique_id[:60]!r}.")
        unknown = sorted({r for r in step.regions if r not in lib.regions})
        if unknown:
            error(f"steps.{i}.regions", f"Unknown body region(s): {', '.join(r[:40] for r in unknown)}.")
        if step.outcome not in StepLog.Outcome.values:
            error(f"steps.{i}.outcome", "Choose done or skipped.")
        elif step.outcome == StepLog.Outcome.SKIPPED and not step.skip_reason.strip():
            error(f"steps.{i}.skip_reason", "Say why this step was skipped.")
        elif step.outcome == StepLog.Outcome.DONE and step.skip_reason.strip():
            error(f"steps.{i}.skip_reason", "Only a skipped step has a reason.")
        if not (isinstance(step.seconds, int | float) and math.isfinite(step.seconds)):
            error(f"steps.{i}.seconds", "Give the step's time as a number of seconds.")
        elif not 0 <= step.seconds <= 24 * 3600:
            error(f"steps.{i}.seconds", "A step takes 0 seconds to 24 hours.")
        if len(step.phase) > 80:
            error(f"steps.{i}.phase", "Keep the phase to 80 characters.")
    if times_ok and not errors:
        total = sum(step.seconds for step in steps)
        # Paused time is not counted in the steps, so they can add up to less than the session, never more
        # (1 s of slack for rounding).
        if total > (ended_at - started_at).total_seconds() + 1:
            error(
                "steps",
                f"The steps add up to {total / 60:.2f} minutes, longer than the session "
                f"({(ended_at - started_at).total_seconds() / 60:.2f} minutes).",
            )
    return errors


def session_import(
    *,
    actor: Actor,
    client: Client,
    protocol_id: str,
    status: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    steps: Sequence[PastStep],
    stop_reason: str = "",
    population: str = "",
    source: str,
) -> Session:
    """Record after the fact a session that has already ended, completed or stopped: from another
    system's export or a paper record (`source` says which, for the audit log). Nothing is guided or
    checked live, so no readiness check is attached (that is how such a session is told apart:
    `Session.recorded_after_the_fact`); the steps given are both the plan and the log, and
    `performed_by` is the person who recorded it here. It belongs to no plan.

    Needs `session.record` and `record.import` (bringing in a record is a clinical decision). Consent for
    care is required as for any session, except for a session that started before the client's record
    was created here: that is earlier history arriving with the client (a transfer of the existing
    record, like imported measurements), not care given here. Raises ValidationFailed naming each field
    (`steps.<n>.<field>` for a step, n from 0)."""
    actor.require(Perm.SESSION_RECORD)
    actor.require(Perm.RECORD_IMPORT)
    if not client_queryset(actor=actor, include_archived=True).filter(pk=client.pk).exists():
        raise NotFound("No such client.")
    if client.archived_at is not None:
        raise DomainError("This client's record is archived; nothing new can be recorded for them.")
    lib = library_selectors.library()
    protocol = lib.protocols.get(protocol_id)
    population = population or (protocol.population if protocol else "")
    errors = _past_session_errors(
        client,
        protocol_id=protocol_id,
        population=population,
        status=status,
        started_at=started_at,
        ended_at=ended_at,
        steps=steps,
        stop_reason=stop_reason,
    )
    if errors:
        raise ValidationFailed(errors)
    assert protocol is not None
    source = source.strip()[:200] or "a record made elsewhere"
    with transaction.atomic():
        if started_at >= client.created_at:
            consent_require(client=client, scope=Scope.CARE, what="sessions")
        session = Session.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            protocol_id=protocol.id,
            population=population,
            content_version=str(lib.version),
            status=status,
            steps=[
                {
                    "index": i,
                    "technique": step.technique_id,
                    "name": lib.techniques[step.technique_id].name,
                    "kind": lib.techniques[step.technique_id].kind,
                    "regions": list(step.regions),
                    "phase": step.phase,
                }
                for i, step in enumerate(steps)
            ],
            current_step=len(steps),
            step_started_at=ended_at,
            started_at=started_at,
            ended_at=ended_at,
            stop_reason=stop_reason.strip(),
            performed_by=actor.user,
        )
        logs, elapsed = [], 0.0
        for i, step in enumerate(steps):
            elapsed += step.seconds
            logs.append(
                StepLog(
                    session=session,
                    index=i,
                    technique_id=step.technique_id,
                    regions=list(step.regions),
                    phase=step.phase,
                    outcome=step.outcome,
                    skip_reason=step.skip_reason.strip(),
                    seconds=step.seconds,
                    ended_at=min(started_at + dt.timedelta(seconds=elapsed), ended_at),
                )
            )
        StepLog.objects.bulk_create(logs)
        done = sum(1 for step in steps if step.outcome == StepLog.Outcome.DONE)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="session",
            entity_id=session.pk,
            client_id=client.pk,
            summary=f"recorded after the fact (imported from {source}): a {status} {protocol.name} session "
            f"of {timezone.localtime(started_at):%Y-%m-%d %H:%M}, {done} step(s) done, "
            f"{len(steps) - done} skipped"[:500],
            changes={
                "imported_from": source,
                "status": status,
                "started_at": started_at,
                "ended_at": ended_at,
                "steps_done": done,
                "steps_skipped": len(steps) - done,
                "minutes": round(sum(step.seconds for step in steps) / 60, 2),
                "stop_reason": session.stop_reason,
            },
        )
    return session


# --- notes and adverse events ---------------------------------------------------------------------------
NOTE_TEXT_FIELDS = (
    "subjective",
    "objective",
    "assessment",
    "plan_text",
    "response",
    "sleep_after",
    "stools",
    "pressure",
)
SLEEP_CHOICES = ("", "longer", "as_usual", "shorter", "did_not_sleep")
STOOL_CHOICES = ("", "yes", "no")


def note_save(*, actor: Actor, session: Session, expected_version: int | None, **fields: Any) -> Note:
    """Create or edit the draft note of a session. A signed note cannot be edited: amend it instead."""
    actor.require(Perm.NOTE_SIGN)
    unknown = set(fields) - {*NOTE_TEXT_FIELDS, "techniques", "regions", "minutes"}
    if unknown:
        raise DomainError(f"Unknown note field(s): {', '.join(sorted(unknown))}.")
    if session.is_open:
        raise ValidationFailed({"session": ["Finish or stop the session before writing its note."]})
    errors: dict[str, list[str]] = {}
    if fields.get("sleep_after", "") not in SLEEP_CHOICES:
        errors["sleep_after"] = ["Choose how the sleep afterwards was."]
    if fields.get("stools", "") not in STOOL_CHOICES:
        errors["stools"] = ["Choose yes or no."]
    if fields.get("pressure", "") not in ("", "light", "moderate", "firm"):
        errors["pressure"] = ["Choose light, moderate or firm."]
    minutes = fields.get("minutes")
    if minutes is not None and not 0 <= minutes <= 600:
        errors["minutes"] = ["Minutes must be 0 to 600."]
    lib = library_selectors.library()
    bad_t = [t for t in fields.get("techniques") or [] if t not in lib.techniques]
    if bad_t:
        errors["techniques"] = [f"Unknown technique(s): {', '.join(bad_t)}."]
    if errors:
        raise ValidationFailed(errors)
    if "regions" in fields:
        fields["regions"] = _regions(fields["regions"] or [], "regions")
    with transaction.atomic():
        existing = Note.objects.filter(session=session).first()
        if existing is None:
            kind = Note.Kind.DIARY if actor.is_caregiver else Note.Kind.SOAP
            note = Note.objects.create(session=session, kind=kind, author=actor.user, **fields)
            audit_record(
                actor=actor,
                action=Action.CREATE,
                entity="note",
                entity_id=note.pk,
                client_id=session.client_id,
                summary=f"wrote the {note.get_kind_display().lower()}",
                changes=fields,
            )
            return note
        note = lock_for_edit(Note.objects.filter(session=session), existing.pk, expected_version)
        if note.locked:
            raise Conflict("This note is signed and locked; add an amendment instead.")
        before = {k: getattr(note, k) for k in fields}
        for key, value in fields.items():
            setattr(note, key, value)
        note.version += 1
        note.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="note",
            entity_id=note.pk,
            client_id=session.client_id,
            summary="edited the draft note",
            changes={k: [before[k], v] for k, v in fields.items() if before[k] != v},
        )
    return note


def note_sign(*, actor: Actor, note: Note, expected_version: int | None) -> Note:
    actor.require(Perm.NOTE_SIGN)
    with transaction.atomic():
        current = lock_for_edit(Note.objects.all(), note.pk, expected_version)
        if current.locked:
            raise Conflict("This note is already signed.")
        if current.kind == Note.Kind.SOAP and not any(
            getattr(current, f).strip() for f in ("subjective", "objective", "assessment", "plan_text")
        ):
            raise ValidationFailed({"note": ["Write at least one part of the SOAP note before signing."]})
        current.signed_at = timezone.now()
        current.signed_by = actor.user
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="note",
            entity_id=current.pk,
            client_id=current.session.client_id,
            summary="signed and locked the note",
        )
    return current


def note_amend(*, actor: Actor, note: Note, text: str, reason: str) -> NoteAmendment:
    actor.require(Perm.NOTE_SIGN)
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = ["Write the amendment."]
    if not reason.strip():
        errors["reason"] = ["Say why the note is amended (e.g. 'wrong side recorded')."]
    if not note.locked:
        errors["note"] = ["A draft note is edited directly; amendments are for signed notes."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        amendment = NoteAmendment.objects.create(
            note=note, text=text.strip(), reason=reason.strip(), author=actor.user
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="note_amendment",
            entity_id=amendment.pk,
            client_id=note.session.client_id,
            summary="amended a signed note",
            changes={"text": amendment.text, "reason": amendment.reason},
        )
    return amendment


def adverse_event_record(
    *,
    actor: Actor,
    client: Client,
    occurred_at: dt.datetime,
    what: str,
    severity: str,
    action_taken: str,
    follow_up: str = "",
    session: Session | None = None,
) -> AdverseEvent:
    actor.require(Perm.SESSION_RECORD)
    errors: dict[str, list[str]] = {}
    if not what.strip():
        errors["what"] = ["Describe what happened."]
    if severity not in AdverseEvent.Severity.values:
        errors["severity"] = ["Choose how serious it was."]
    if not action_taken.strip():
        errors["action_taken"] = [
            "Say what was done about it (e.g. 'stopped, cuddled, settled in 5 minutes')."
        ]
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = ["The time cannot be in the future."]
    if session is not None and session.client_id != client.pk:
        errors["session"] = ["That session belongs to another client."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            session=session,
            occurred_at=occurred_at,
            what=what.strip(),
            severity=severity,
            action_taken=action_taken.strip(),
            follow_up=follow_up.strip(),
            reported_by=actor.user,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="adverse_event",
            entity_id=event.pk,
            client_id=client.pk,
            summary=f"reported a {severity} adverse event",
            changes={"what": event.what, "severity": severity, "action_taken": event.action_taken},
        )
    return event


def adverse_event_follow_up(
    *, actor: Actor, event: AdverseEvent, expected_version: int | None, follow_up: str
) -> AdverseEvent:
    actor.require(Perm.SESSION_RECORD)
    if not follow_up.strip():
        raise ValidationFailed({"follow_up": ["Write the follow-up."]})
    with transaction.atomic():
        current = lock_for_edit(
            AdverseEvent.objects.filter(client_id=event.client_id), event.pk, expected_version
        )
        before = current.follow_up
        current.follow_up = follow_up.strip()
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="adverse_event",
            entity_id=current.pk,
            client_id=current.client_id,
            summary="added follow-up to an adverse event",
            changes={"follow_up": [before, current.follow_up]},
        )
    return current
