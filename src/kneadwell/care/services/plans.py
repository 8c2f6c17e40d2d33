"""Plan writes: enrolment after a check that did not block, changes, and ending a plan."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited, edit_audited, save_audited
from kneadwell.care import schedule
from kneadwell.care.models import (
    Plan,
    ScheduledSession,
)
from kneadwell.care.routine import no_treatment, no_treatment_sentence, todays_steps, verdict_for_today
from kneadwell.care.services.common import check_rescreen, lock_client, valid_regions
from kneadwell.care.services.figures import plan_figures_refresh
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import ReadinessCheck

# How old an enrolment check may be (the same day's screening).
ENROLMENT_CHECK_HOURS = 24


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
    """Enrol a client on the protocol of `check`, which must be a recent screening that did not block.

    A plan whose routine would hold no massage step for the client's record (the check's verdict on it
    now), the plan's focus areas and its own limits is refused (422, on the field that would change it):
    a rehabilitation routine without a focus area would otherwise start sessions of a check-in alone."""
    actor.require(Perm.SESSION_RECORD)
    now = timezone.now()
    consent_require(client=client, scope=Scope.CARE, what=gettext_noop("a massage plan"))
    lib = library_selectors.library()
    protocol = lib.protocols[check.protocol_id]
    errors: dict[str, list[str]] = {}
    if starts_at.tzinfo is None:
        errors["starts_at"] = [_("The start needs a date and time.")]
    elif starts_at < now - dt.timedelta(days=1):
        errors["starts_at"] = [_("A plan cannot start in the past.")]
    if not 1 <= open_weeks <= 52:
        errors["open_weeks"] = [_("A plan lasts 1 to 52 weeks.")]
    if max_pressure not in Plan.Pressure.values:
        errors["max_pressure"] = [_("Choose light, moderate or as the protocol says.")]
    if minutes_factor is not None and not 0.1 <= minutes_factor <= 1:
        errors["minutes_factor"] = [_("Shorter sessions: a fraction from 0.1 to 1 of the usual time.")]
    if len(goals) > 2000:
        errors["goals"] = [_("Keep the goals to 2000 characters.")]
    if errors:
        raise ValidationFailed(errors)
    avoid = valid_regions(avoid_regions, "avoid_regions")
    focus = valid_regions(focus_regions, "focus_regions")
    with transaction.atomic():
        lock_client(client)
        fresh = check_rescreen(
            actor=actor,
            check=check,
            client=client,
            now=now,
            max_age=dt.timedelta(hours=ENROLMENT_CHECK_HOURS),
            same_day=False,
        )
        _require_massage_steps(
            protocol_id=check.protocol_id,
            verdict=fresh.to_dict(),
            seen=check.verdict,
            avoid=avoid,
            focus=focus,
            max_pressure=max_pressure,
            minutes_factor=minutes_factor,
        )
        if Plan.objects.of_client(client).filter(protocol_id=protocol.id, status=Plan.Status.ACTIVE).exists():
            raise ValidationFailed(
                {
                    "protocol": [
                        _("%(given_name)s already has an active plan for this protocol.")
                        % {"given_name": client.given_name}
                    ]
                }
            )
        slots = schedule.generate(protocol.dose, start=starts_at, open_weeks=open_weeks)
        plan = Plan(
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
        create_audited(
            actor=actor,
            obj=plan,
            entity="plan",
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
        ScheduledSession.objects.bulk_create(
            ScheduledSession(plan=plan, sequence=s.sequence, due_at=s.due_at, phase=s.phase) for s in slots
        )
        plan_figures_refresh(plan_id=plan.pk)
    return plan


def _require_massage_steps(
    *,
    protocol_id: str,
    verdict: Mapping[str, Any],
    seen: Mapping[str, Any],
    avoid: list[str],
    focus: list[str],
    max_pressure: str,
    minutes_factor: float | None,
) -> None:
    """Refuse a plan whose routine would hold no massage step. Built as a session would be (the verdict,
    tightened by the one the person saw, and the plan's limits), for a trained therapist: who gives each
    session is not known yet, and a parent's session is checked again when it starts."""
    lib = library_selectors.library()

    def steps_with(
        avoid_regions: list[str], pressure: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        today = verdict_for_today(
            verdict,
            avoid_regions=[*avoid_regions, *seen.get("avoided_regions", ())],
            max_pressure=pressure,
            minutes_factor=minutes_factor,
            also=seen.get("modifications"),
        )
        return todays_steps(lib, protocol_id, today, focus_regions=focus, trained=True)

    steps, dropped = steps_with(avoid, max_pressure)
    nt = no_treatment(steps, dropped)
    if nt is None:
        return
    name = lib.protocols[protocol_id].name
    said = no_treatment_sentence(
        nt,
        library=lib,
        steps=steps,
        protocol_name=name,
        when=_("With these choices,"),
        verdicts=(verdict, seen),
        focus=focus,
    )
    # The input that would change it: the plan's own limits when they alone empty the routine.
    field, todo = "focus_regions", _("Choose focus areas that are not left out.")
    if nt.cause == "no_focus":
        todo = _("Choose the focus areas: the injured or operated area, or the stiff muscles after a stroke.")
    elif avoid and no_treatment(*steps_with([], max_pressure)) is None:
        field, todo = "avoid_regions", _("Leave fewer areas out always, or choose other focus areas.")
    elif max_pressure and no_treatment(*steps_with(avoid, "")) is None:
        field, todo = "max_pressure", _("Allow more pressure, or choose other focus areas.")
    elif nt.cause != "areas_left_out":
        field, todo = "check", _("See the check's reasons; enrol after a check that allows these techniques.")
    else:
        todo += " " + _("The check's reasons say which areas are left out and why.")
    raise ValidationFailed({field: [f"{said} {todo}"]})


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
        raise ValidationFailed({"max_pressure": [_("Choose light, moderate or as the protocol says.")]})
    if minutes_factor is not None and not 0.1 <= minutes_factor <= 1:
        raise ValidationFailed(
            {"minutes_factor": [_("Shorter sessions: a fraction from 0.1 to 1 of the usual time.")]}
        )
    avoid = valid_regions(avoid_regions, "avoid_regions")
    focus = valid_regions(focus_regions, "focus_regions")
    # Against the enrolment check's verdict as saved: a change must not leave the routine without massage.
    enrolled = plan.enrolment_check.verdict
    _require_massage_steps(
        protocol_id=plan.protocol_id,
        verdict=enrolled,
        seen=enrolled,
        avoid=avoid,
        focus=focus,
        max_pressure=max_pressure,
        minutes_factor=minutes_factor,
    )
    fields = {
        "avoid_regions": avoid,
        "focus_regions": focus,
        "max_pressure": max_pressure,
        "minutes_factor": minutes_factor,
        "goals": goals.strip(),
        "reminders": reminders,
    }
    with edit_audited(
        actor=actor,
        queryset=Plan.objects.within(plan).filter(client_id=plan.client_id),
        pk=plan.pk,
        expected_version=expected_version,
        entity="plan",
        client_id=plan.client_id,
        fields=tuple(fields),
        summary="changed the plan's personalisation",
    ) as edit:
        edit.apply(fields)
    return edit.row


def plan_end(*, actor: Actor, plan: Plan, reason: str) -> Plan:
    actor.require(Perm.SESSION_RECORD)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why the plan ends (e.g. 'goal reached', 'discharged').")]})
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        if current.status != Plan.Status.ACTIVE:
            raise DomainError(_("This plan has already ended."))
        current.status = Plan.Status.ENDED
        current.ended_at = timezone.now()
        current.end_reason = reason.strip()
        cancelled = current.slots.filter(status=ScheduledSession.Status.DUE).update(
            status=ScheduledSession.Status.CANCELLED
        )
        save_audited(
            actor=actor,
            obj=current,
            entity="plan",
            client_id=current.client_id,
            summary=f"ended the plan ({cancelled} sessions cancelled)",
            changes={"end_reason": current.end_reason},
        )
        plan_figures_refresh(plan_id=current.pk)  # last: see services/figures.py on the order of locks
    return current
