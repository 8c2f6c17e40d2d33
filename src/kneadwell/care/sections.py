"""The care area's parts of other pages: actions under a readiness verdict, and the client page's
plans, sessions and adherence."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors
from kneadwell.care.models import Plan, ScheduledSession, Session
from kneadwell.care.services.sessions import TRAINED_ROLES
from kneadwell.care.views import rows as rows_html
from kneadwell.clients.models import Client
from kneadwell.core.web import ActorRequest
from kneadwell.library import selectors as library_selectors
from kneadwell.library.display import display_library
from kneadwell.library.models import ReadinessCheck


def check_actions(request: ActorRequest, check: ReadinessCheck) -> str:
    actor = request.actor
    if check.blocks or not actor.can(Perm.SESSION_RECORD):
        return ""
    used = Session.objects.within(check).filter(readiness_check=check).first()
    # A stale check (another day, over an hour old, or the record changed since) never offers Start.
    stale = None if used else library_selectors.check_stale_reason(check=check, client=check.client)
    plan = (
        Plan.objects.within(check)
        .filter(client_id=check.client_id, protocol_id=check.protocol_id, status=Plan.Status.ACTIVE)
        .first()
    )
    slot = None
    if plan is not None:
        slot_id = request.GET.get("slot") or ""
        slot = (
            plan.slots.filter(pk=int(slot_id), status=ScheduledSession.Status.DUE).first()
            if slot_id.isdigit()
            else plan.slots.filter(status=ScheduledSession.Status.DUE).order_by("due_at").first()
        )
    # A routine left without a massage step today is not offered (the start would refuse it): say why.
    refusal = ""
    if used is None and not stale:
        refusal = selectors.todays_session_steps(
            client=check.client,
            check=check,
            plan=plan,
            verdict=check.verdict,
            trained=actor.role in TRAINED_ROLES,
        ).refusal
    return render_to_string(
        "care/_check_actions.html",
        {
            "check": check,
            "used": used,
            "stale": stale,
            "plan": plan,
            "slot": slot,
            "refusal": refusal,
        },
        request=request,
    )


class NextSlot(NamedTuple):
    """A plan's next due session as the client page's plans section shows it."""

    pk: int
    due_at: dt.datetime


def client_section(request: ActorRequest, client: Client) -> str:
    # Each plan's next due session (its id and when it is due: what the section shows) comes with the
    # plans (two subqueries), so the section runs the same number of queries however many plans the
    # client has had, and no second query for the slots.
    next_due = ScheduledSession.objects.filter(
        plan=OuterRef("pk"), status=ScheduledSession.Status.DUE
    ).order_by("due_at")
    # The sessions due so far per plan (the figures' "due so far") come with the plans too.
    now = timezone.now()
    plans = list(
        selectors.plans_of(client=client)
        .select_related("figures")
        .annotate(
            next_slot_id=Subquery(next_due.values("pk")[:1]),
            next_slot_due_at=Subquery(next_due.values("due_at")[:1]),
            due_count=selectors.due_by_subquery(now),
        )[:10]
    )
    # The plans' stored tallies (PlanFigures), not every slot and session of theirs counted again. The
    # section shows doses and stops, not minutes per phase (the plan page does): leave those out.
    figures = (
        selectors.plans_figures(
            plans=plans, now=now, with_phases=False, due={plan.pk: plan.due_count for plan in plans}
        )
        if plans
        else {}
    )
    lib = display_library(request.actor.organisation)  # programme names in the page's language
    rows = [
        (
            plan,
            lib.protocols.get(plan.protocol_id),
            figures[plan.pk],
            NextSlot(plan.next_slot_id, plan.next_slot_due_at) if plan.next_slot_id else None,
        )
        for plan in plans
    ]
    can_record = request.actor.can(Perm.SESSION_RECORD)
    # The list shows when, status and stop reason: leave the steps (JSON, up to tens of kB a session)
    # unread.
    sessions = (
        selectors.sessions_of(client=client)
        .select_related(None)
        .only("id", "client_id", "started_at", "status", "stop_reason")[:8]
    )
    # What the list shows: not the session each event happened in (its steps are JSON) or who reported it.
    adverse_events = (
        selectors.adverse_events_of(client=client)
        .select_related(None)
        .only("id", "organisation_id", "client_id", "occurred_at", "severity", "what")[:5]
    )
    # The three lists' rows are written in Python (the same bytes the template's loops wrote: about 5 µs
    # a template node, a few hundred nodes on a client with plans and sessions).
    return render_to_string(
        "care/_client_section.html",
        {
            "client": client,
            "plan_rows": rows_html.client_plan_rows(rows, client_id=client.pk, can_record=can_record),
            "session_rows": rows_html.client_session_rows(sessions),
            "adverse_event_rows": rows_html.client_adverse_event_rows(adverse_events, client_id=client.pk),
            "can_record": can_record,
        },
        request=request,
    )
