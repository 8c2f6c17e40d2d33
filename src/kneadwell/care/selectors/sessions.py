"""Reads for sessions, their notes and adverse events, inside the actor's reach. Reading one session audits
the read of the client's record; another organisation's session is not found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.audit.access import access_note
from kneadwell.care.models import (
    AdverseEvent,
    Note,
    Plan,
    Session,
)
from kneadwell.care.routine import (
    no_treatment,
    no_treatment_sentence,
    session_what_to_do,
    todays_steps,
    verdict_for_today,
)
from kneadwell.care.selectors.plans import intake_focus
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.core import hooks
from kneadwell.core.errors import NotFound
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import ReadinessCheck


def session_get(*, actor: Actor, session_id: int, purpose: str = "opened a session") -> Session:
    """A session within the actor's reach; the read of the client's record is audited."""
    try:
        session = (
            Session.objects.for_organisation(actor.organisation_id)
            .select_related("client", "plan", "slot")
            .get(pk=session_id, client__in=client_queryset(actor=actor, include_archived=True))
        )
    except (Session.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such session.")) from None
    access_note(
        actor=actor, entity="session", entity_id=session.pk, client_id=session.client_id, purpose=purpose
    )
    return session


def sessions_of(*, client: Client) -> QuerySet[Session]:
    return Session.objects.of_client(client).select_related("plan").order_by("-started_at")


def sessions_for_export(*, actor: Actor, limit: int = 100_000) -> QuerySet[Session]:
    """Every session of the clients in the actor's reach (archived ones too), oldest first, with their
    steps: the bulk CSV file."""
    return (
        Session.objects.filter(client__in=client_queryset(actor=actor, include_archived=True))
        .select_related("client")
        .prefetch_related("step_logs")
        .order_by("started_at")[:limit]
    )


def note_of(*, session: Session) -> Note | None:
    return Note.objects.within(session).filter(session=session).prefetch_related("amendments__author").first()


def adverse_events_of(*, client: Client) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.of_client(client).select_related("session", "reported_by")


def adverse_event_get(*, client: Client, event_id: int) -> AdverseEvent:
    try:
        return AdverseEvent.objects.of_client(client).get(pk=event_id)
    except (AdverseEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such adverse event for this client.")) from None


@dataclass(frozen=True)
class TodaysSteps:
    steps: list[dict[str, Any]]
    dropped: list[dict[str, Any]]
    focus: tuple[str, ...]
    refusal: str  # why no session can start with these steps, and what to do ("" when one can)


def todays_session_steps(
    *,
    client: Client,
    check: ReadinessCheck,
    plan: Plan | None,
    verdict: Mapping[str, Any],
    trained: bool,
) -> TodaysSteps:
    """The steps a session started now from `check` would have: the protocol's routines after `verdict`
    (the fresh one at the start; the saved one on the check's page), tightened by the check the person
    saw and the plan's limits, on the plan's focus areas (without a plan, the intake's), limited by any
    other area (a class's home routine). `refusal` says why a session of these steps must not start."""
    lib = library_selectors.library()
    stored = check.verdict
    today = verdict_for_today(
        verdict,
        avoid_regions=[*(plan.avoid_regions if plan else ()), *stored.get("avoided_regions", ())],
        max_pressure=plan.max_pressure if plan else "",
        minutes_factor=plan.minutes_factor if plan else None,
        also=stored.get("modifications"),
    )
    # Without a plan, the intake's focus answers are the session's focus areas (as they would be the
    # plan's); a plan's own focus areas are the therapist's choice and stand as they are.
    from_intake = None if plan else intake_focus(client=client)
    focus = tuple(plan.focus_regions) if plan else (from_intake.regions if from_intake else ())
    steps, dropped = todays_steps(lib, check.protocol_id, today, focus_regions=focus, trained=trained)
    # Another area may keep today's steps to fewer (a class's home routine: the strokes taught so far).
    limited = hooks.session_steps(client, check.protocol_id, steps, dropped)
    if limited is not None:
        steps, dropped = limited
    refusal = ""
    protocol = lib.protocols[check.protocol_id]
    nt = no_treatment(steps, dropped)
    if not trained and "parent" not in protocol.delivered_by:
        # The programme says who gives it (Protocol.delivered_by): a parent does not run a therapist's one.
        refusal = _(
            "%(protocol)s is given by a trained therapist, not by a parent or caregiver: the therapist "
            "starts today's session."
        ) % {"protocol": protocol.name}
    elif nt is not None:
        said = no_treatment_sentence(
            nt,
            library=lib,
            steps=steps,
            protocol_name=lib.protocols[check.protocol_id].name,
            when=_("Today,"),
            verdicts=(verdict, stored),
            focus=focus,
        )
        todo = session_what_to_do(nt, has_plan=plan is not None, given_name=client.given_name)
        refusal = f"{said} {todo}"
    return TodaysSteps(steps=list(steps), dropped=list(dropped), focus=focus, refusal=refusal)
