"""Guided session writes: start after today's check, steps, observations with the stop rules applied on the
server, pause, resume, stop and complete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm, Role
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action, create_audited, save_audited
from kneadwell.care.models import (
    Observation,
    Plan,
    ScheduledSession,
    Session,
    StepLog,
)
from kneadwell.care.selectors.sessions import todays_session_steps
from kneadwell.care.services.common import check_rescreen, lock_client
from kneadwell.care.services.figures import plan_figures_refresh
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.selectors import CHECK_FRESH_MINUTES
from kneadwell.library.stop_rules import (
    ImplausibleVitalSign,
    SessionObservations,
    UnknownObservation,
    VitalReading,
    evaluate_in_session,
)

# Who counts as trained: a parent's or caregiver's session never shows a trained-only technique.
TRAINED_ROLES = frozenset({Role.ADMIN, Role.THERAPIST})
VITAL_FIELDS = (
    "heart_rate",
    "spo2",
    "respiratory_rate",
    "temperature_c",
    "heart_rate_seconds",
    "spo2_seconds",
)


def session_start(
    *, actor: Actor, client: Client, check: ReadinessCheck, slot: ScheduledSession | None = None
) -> Session:
    """Start a guided session after a passing check. Inside the transaction the current record is screened
    again with the check's answers: a check that is stale (another day, over an hour old, the record
    changed since) is a 409, and one that would now block is a 422. The steps are fixed now, from the
    protocol's routines, the fresh verdict and the plan's personalisation, without trained-only steps when
    a parent or caregiver gives the session."""
    actor.require(Perm.SESSION_RECORD)
    now = timezone.now()
    lib = library_selectors.library()
    with transaction.atomic():
        lock_client(client)
        consent_require(client=client, scope=Scope.CARE, what="massage sessions")
        fresh = check_rescreen(
            actor=actor,
            check=check,
            client=client,
            now=now,
            max_age=dt.timedelta(minutes=CHECK_FRESH_MINUTES),
        )
        if Session.objects.filter(readiness_check=check).exists():
            raise ValidationFailed(
                {"check": [_("This check was already used for a session; do today's check again.")]}
            )
        plan = None
        if slot is not None:
            plan = slot.plan
            if plan.client_id != client.pk or plan.protocol_id != check.protocol_id:
                raise ValidationFailed({"slot": [_("That scheduled session belongs to another plan.")]})
            if slot.status != ScheduledSession.Status.DUE or plan.status != Plan.Status.ACTIVE:
                raise ValidationFailed({"slot": [_("That scheduled session is no longer open.")]})
            # A slot stays due while its session runs; a second start on it would break the one-session-
            # per-slot rule in the database (a 500) instead of saying so.
            if Session.objects.filter(slot=slot).exists():
                raise ValidationFailed(
                    {"slot": [_("A session was already started for that scheduled time: open it to go on.")]}
                )
        else:
            plan = Plan.objects.filter(
                client=client, protocol_id=check.protocol_id, status=Plan.Status.ACTIVE
            ).first()
        todays = todays_session_steps(
            client=client,
            check=check,
            plan=plan,
            verdict=fresh.to_dict(),
            trained=actor.role in TRAINED_ROLES,
        )
        if todays.refusal:  # a routine left with its check-in alone is no session: say why, and what to do
            raise ValidationFailed({"check": [todays.refusal]})
        steps, dropped = todays.steps, todays.dropped
        session = Session(
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
        create_audited(
            actor=actor,
            obj=session,
            entity="session",
            client_id=client.pk,
            summary=f"started a {lib.protocols[check.protocol_id].name} session ({len(steps)} steps)",
            changes={"check": check.pk, "slot": slot.pk if slot else None, "dropped": len(dropped)},
        )
    return session


def _locked_open(session: Session) -> Session:
    current = Session.objects.select_for_update().get(pk=session.pk)
    if not current.is_open:
        raise Conflict(
            _("This session is already %(status)s.") % {"status": current.get_status_display().lower()}
        )
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
        raise ValidationFailed({"outcome": [_("Choose done or skipped.")]})
    if outcome == StepLog.Outcome.SKIPPED and not skip_reason.strip():
        raise ValidationFailed(
            {"skip_reason": [_("Say why this step is skipped (e.g. 'baby asleep', 'area sore').")]}
        )
    now = timezone.now()
    with transaction.atomic():
        current = _locked_open(session)
        if index < current.current_step:
            return current  # already recorded (a retried request)
        if index != current.current_step or index >= len(current.steps):
            raise Conflict(
                _("That is not the current step; the page was out of date and has been refreshed.")
            )
        if current.status == Session.Status.PAUSED:
            raise DomainError(_("The session is paused: resume it before moving on."))
        step = current.steps[index]
        if outcome == StepLog.Outcome.DONE and step.get("ask_permission") and not _permission(current, index):
            raise DomainError(_("Ask first: record the client's yes (or no) to this step before doing it."))
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
        _save_and_audit(
            actor,
            current,
            f"step {index + 1} {outcome}: {step['name']}",
            changes={"skip_reason": skip_reason.strip()} if skip_reason.strip() else {},
        )
    return current


PERMISSION_CUES = {True: "permission_given", False: "permission_declined"}


def _permission(current: Session, index: int) -> bool:
    """Whether the client's yes to step `index` is recorded."""
    return current.observations.filter(
        kind=Observation.Kind.CUE, code=PERMISSION_CUES[True], step_index=index
    ).exists()


def session_permission(*, actor: Actor, session: Session, index: int, given: bool, key: str) -> Session:
    """The client's answer to "may I?" before the current step, where the verdict asks permission at every
    step (trauma-informed care): recorded on the step as an observation (permission_given or
    permission_declined, audited); a "no" also skips the step, saying so. The same key twice records once."""
    actor.require(Perm.SESSION_RECORD)
    current = Session.objects.within(session).get(pk=session.pk)
    if index != current.current_step or index >= len(current.steps):
        raise Conflict(_("That is not the current step; the page was out of date and has been refreshed."))
    if not current.steps[index].get("ask_permission"):
        raise ValidationFailed({"index": [_("This step does not ask for permission.")]})
    code = PERMISSION_CUES[given]
    session_observe(actor=actor, session=current, key=key, kind=Observation.Kind.CUE, code=code)
    if not given:
        return session_step(
            actor=actor,
            session=current,
            index=index,
            outcome=StepLog.Outcome.SKIPPED,
            skip_reason="The client said no to this step.",
        )
    return Session.objects.within(session).get(pk=session.pk)


def _save_and_audit(
    actor: Actor, current: Session, summary: str, changes: Mapping[str, Any] | None = None
) -> None:
    """Save a change to an open session under a new version, and audit it."""
    save_audited(
        actor=actor,
        obj=current,
        entity="session",
        client_id=current.client_id,
        summary=summary,
        changes=changes,
    )


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
        errors["key"] = [_("Each observation needs a key of 1 to 64 characters.")]
    if kind not in Observation.Kind.values:
        errors["kind"] = [_("Choose cue, state or vitals.")]
    if moment not in Observation.Moment.values:
        errors["moment"] = [_("Choose before, during or after.")]
    if kind == Observation.Kind.CUE and code not in lib.cues:
        errors["code"] = [_("Unknown cue '%(code)s'.") % {"code": code}]
    if kind == Observation.Kind.STATE and code not in lib.states:
        errors["code"] = [_("Unknown behavioural state '%(code)s'.") % {"code": code}]
    clean_vitals = {k: v for k, v in (vitals or {}).items() if v is not None}
    if kind == Observation.Kind.VITALS:
        unknown = sorted(set(clean_vitals) - set(VITAL_FIELDS))
        if unknown:
            errors["vitals"] = [_("Unknown vital sign(s): %(names)s.") % {"names": ", ".join(unknown)}]
        elif not clean_vitals:
            errors["vitals"] = [_("Enter at least one reading.")]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    existing = Observation.objects.within(session).filter(session=session, key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        late_reading = moment == Observation.Moment.AFTER and current.status == Session.Status.COMPLETED
        if not current.is_open and not late_reading:
            raise Conflict(
                _("This session is already %(status)s.") % {"status": current.get_status_display().lower()}
            )
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
        # One audit row for the observation (inserted above in its own savepoint, so a retried tap keeps
        # the first) and the pause or stop it caused: an act over two rows, in this transaction.
        audit_action(
            actor=actor,
            action=Action.CREATE,
            entity="observation",
            entity_id=observation.pk,
            client_id=current.client_id,
            summary=f"recorded {kind} {what} ({moment}): {decision.action}"
            + (f"; {applied}" if applied else ""),
            changes={"decision": decision.action, "reasons": [r["check_id"] for r in reasons]},
        )
        if applied == "stopped the session":
            plan_figures_refresh(plan_id=current.plan_id)
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
        _save_and_audit(actor, current, "paused the session")
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
        _save_and_audit(actor, current, "resumed the session")
    return current


def session_stop(*, actor: Actor, session: Session, reason: str) -> Session:
    actor.require(Perm.SESSION_RECORD)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why the session stops.")]})
    with transaction.atomic():
        current = _locked_open(session)
        _stop(current, check_id="manual", reason=reason.strip(), now=timezone.now())
        _save_and_audit(actor, current, f"stopped the session: {reason.strip()}")
        plan_figures_refresh(plan_id=current.plan_id)
    return current


def session_complete(*, actor: Actor, session: Session) -> Session:
    actor.require(Perm.SESSION_RECORD)
    with transaction.atomic():
        current = _locked_open(session)
        if current.current_step < len(current.steps):
            left = len(current.steps) - current.current_step
            raise ValidationFailed(
                {
                    "steps": [
                        ngettext(
                            "%(count)d step is not done yet: finish or skip it (with a reason).",
                            "%(count)d steps are not done yet: finish or skip them (with a reason).",
                            left,
                        )
                        % {"count": left}
                    ]
                }
            )
        current.status = Session.Status.COMPLETED
        current.ended_at = timezone.now()
        current.paused_at = None
        # Locks in the order every session and plan write takes them (the slot's row, then the audit
        # chain's, then the plan's figures): ending the plan at the same moment cancels the slots first
        # and audits after, so auditing before touching the slot could deadlock with it.
        if current.slot_id:
            ScheduledSession.objects.filter(pk=current.slot_id).update(status=ScheduledSession.Status.DONE)
        _save_and_audit(actor, current, "completed the session")
        plan_figures_refresh(plan_id=current.plan_id)
    return current
