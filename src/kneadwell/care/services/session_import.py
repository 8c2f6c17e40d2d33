"""Sessions recorded after the fact (another system, a paper record): validated whole, saved whole."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited
from kneadwell.care.models import (
    Session,
    StepLog,
)
from kneadwell.care.services.figures import plan_figures_refresh
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.selectors import client_queryset
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.library import selectors as library_selectors

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
        error("protocol", _("Unknown protocol “%(protocol)s”.") % {"protocol": protocol_id[:60]})
    elif population not in protocol.populations:
        error(
            "population",
            _("%(protocol)s is not for the population “%(population)s”.")
            % {"protocol": protocol.name, "population": population[:40]},
        )
    if status not in (Session.Status.COMPLETED, Session.Status.STOPPED):
        error("status", _("A session recorded after the fact has ended: completed or stopped."))
    times_ok = True
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            error(name, _("Give a date and time with its UTC offset (e.g. 2026-03-01T09:30:00+00:00)."))
            times_ok = False
    if times_ok:
        if ended_at < started_at:
            error("ended_at", _("The session ends before it starts."))
        if ended_at > timezone.now() + PAST_FUTURE_TOLERANCE:
            error("ended_at", _("The session has not ended yet: the end is in the future."))
        if timezone.localtime(started_at).date() < client.birth_date:
            error(
                "started_at",
                _("The session is dated before %(name)s’s date of birth.") % {"name": client.given_name},
            )
    if status == Session.Status.STOPPED and not stop_reason.strip():
        error("stop_reason", _("Say why the session stopped."))
    if status == Session.Status.COMPLETED and stop_reason.strip():
        error("stop_reason", _("A completed session has no stop reason (or was it stopped?)."))
    if len(stop_reason) > MAX_STOP_REASON:
        error(
            "stop_reason",
            _("Keep the stop reason to %(limit)s characters.") % {"limit": MAX_STOP_REASON},
        )
    if status == Session.Status.COMPLETED and not steps:
        error("steps", _("A completed session has at least one step."))
    if len(steps) > MAX_PAST_STEPS:
        error("steps", _("A session has at most %(limit)s steps.") % {"limit": MAX_PAST_STEPS})
        return errors
    for i, step in enumerate(steps):
        if step.technique_id not in lib.techniques:
            error(
                f"steps.{i}.technique",
                _("Unknown technique “%(technique)s”.") % {"technique": step.technique_id[:60]},
            )
        unknown = sorted({r for r in step.regions if r not in lib.regions})
        if unknown:
            error(
                f"steps.{i}.regions",
                _("Unknown body region(s): %(regions)s.") % {"regions": ", ".join(r[:40] for r in unknown)},
            )
        if step.outcome not in StepLog.Outcome.values:
            error(f"steps.{i}.outcome", _("Choose done or skipped."))
        elif step.outcome == StepLog.Outcome.SKIPPED and not step.skip_reason.strip():
            error(f"steps.{i}.skip_reason", _("Say why this step was skipped."))
        elif step.outcome == StepLog.Outcome.DONE and step.skip_reason.strip():
            error(f"steps.{i}.skip_reason", _("Only a skipped step has a reason."))
        if not (isinstance(step.seconds, int | float) and math.isfinite(step.seconds)):
            error(f"steps.{i}.seconds", _("Give the step's time as a number of seconds."))
        elif not 0 <= step.seconds <= 24 * 3600:
            error(f"steps.{i}.seconds", _("A step takes 0 seconds to 24 hours."))
        if len(step.phase) > 80:
            error(f"steps.{i}.phase", _("Keep the phase to %(limit)s characters.") % {"limit": 80})
    if times_ok and not errors:
        total = sum(step.seconds for step in steps)
        # Paused time is not counted in the steps, so they can add up to less than the session, never more
        # (1 s of slack for rounding).
        if total > (ended_at - started_at).total_seconds() + 1:
            error(
                "steps",
                _("The steps add up to %(steps)s minutes, longer than the session (%(session)s minutes).")
                % {
                    "steps": f"{total / 60:.2f}",
                    "session": f"{(ended_at - started_at).total_seconds() / 60:.2f}",
                },
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
        raise NotFound(_("No such client."))
    if client.archived_at is not None:
        raise DomainError(_("This client's record is archived; nothing new can be recorded for them."))
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
            consent_require(client=client, scope=Scope.CARE, what=gettext_noop("sessions"))
        session = Session(
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
        done = sum(1 for step in steps if step.outcome == StepLog.Outcome.DONE)
        create_audited(
            actor=actor,
            obj=session,
            entity="session",
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
        # Belongs to no plan today, so no plan's figures move; kept so that attaching one later cannot
        # leave them behind.
        plan_figures_refresh(plan_id=session.plan_id)
    return session
