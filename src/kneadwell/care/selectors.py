"""Reads for plans and sessions, always inside the actor's reach (organisation; a caregiver's own
children). Another organisation's plan or session is not found."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.audit.access import access_note
from kneadwell.care import adherence, measures_due
from kneadwell.care.models import AdverseEvent, Note, Plan, ScheduledSession, Session, StepLog
from kneadwell.care.routine import planned_phase_minutes
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import NotFound
from kneadwell.library import selectors as library_selectors
from kneadwell.outcomes import instruments
from kneadwell.outcomes.models import Measurement


def plan_get(*, client: Client, plan_id: int) -> Plan:
    try:
        return Plan.objects.get(client=client, pk=plan_id)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such plan for this client.") from None


def plans_of(*, client: Client) -> QuerySet[Plan]:
    return Plan.objects.filter(client=client).order_by("status", "-created_at")


def upcoming_slots(*, plan: Plan, limit: int = 10) -> QuerySet[ScheduledSession]:
    return plan.slots.filter(status=ScheduledSession.Status.DUE).order_by("due_at")[:limit]


def slot_get(*, client: Client, slot_id: int) -> ScheduledSession:
    try:
        return ScheduledSession.objects.select_related("plan").get(plan__client=client, pk=slot_id)
    except (ScheduledSession.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such scheduled session for this client.") from None


def session_get(*, actor: Actor, session_id: int, purpose: str = "opened a session") -> Session:
    """A session within the actor's reach; the read of the client's record is audited."""
    try:
        session = Session.objects.select_related("client", "plan", "slot").get(
            pk=session_id, client__in=client_queryset(actor=actor, include_archived=True)
        )
    except (Session.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such session.") from None
    access_note(
        actor=actor, entity="session", entity_id=session.pk, client_id=session.client_id, purpose=purpose
    )
    return session


def sessions_of(*, client: Client) -> QuerySet[Session]:
    return Session.objects.filter(client=client).select_related("plan").order_by("-started_at")


def note_of(*, session: Session) -> Note | None:
    return Note.objects.filter(session=session).prefetch_related("amendments__author").first()


def adverse_events_of(*, client: Client) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.filter(client=client).select_related("session", "reported_by")


def adverse_event_get(*, client: Client, event_id: int) -> AdverseEvent:
    try:
        return AdverseEvent.objects.get(client=client, pk=event_id)
    except (AdverseEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such adverse event for this client.") from None


def _phase_seconds(plan_ids: list[int]) -> dict[int, dict[str, float]]:
    """Seconds per phase of each completed session of these plans, in one query."""
    rows = (
        StepLog.objects.filter(session__plan_id__in=plan_ids, session__status=Session.Status.COMPLETED)
        .values("session_id", "phase")
        .annotate(total=Sum("seconds"))
    )
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for row in rows:
        out[row["session_id"]][row["phase"]] = float(row["total"] or 0)
    return out


def plan_adherence(*, plan: Plan, now: dt.datetime | None = None) -> adherence.Adherence:
    return plans_adherence(plans=[plan], now=now)[plan.pk]


def plans_adherence(
    *, plans: Sequence[Plan], now: dt.datetime | None = None, with_phases: bool = True
) -> dict[int, adherence.Adherence]:
    """Adherence of many plans with a fixed number of queries, whatever their count. Without
    `with_phases` the minutes per phase are left out (empty `phases`): summing every step of every
    session is most of the work, and a page that does not show them need not pay for it."""
    now = now or timezone.now()
    lib = library_selectors.library()
    ids = [p.pk for p in plans]
    slots: dict[int, list[adherence.SlotFact]] = defaultdict(list)
    for plan_id, due_at, status in (
        ScheduledSession.objects.filter(plan_id__in=ids)
        .exclude(status=ScheduledSession.Status.CANCELLED)
        .values_list("plan_id", "due_at", "status")
    ):
        slots[plan_id].append(adherence.SlotFact(due_at=due_at, done=status == ScheduledSession.Status.DONE))
    phase_seconds = _phase_seconds(ids) if with_phases else {}
    sessions: dict[int, list[adherence.SessionFact]] = defaultdict(list)
    for sid, plan_id, status, reason in Session.objects.filter(plan_id__in=ids).values_list(
        "pk", "plan_id", "status", "stop_reason"
    ):
        sessions[plan_id].append(
            adherence.SessionFact(
                status=status,
                phase_seconds=phase_seconds.get(sid, {}),
                stop_reason=reason.split(":")[0] if reason else "",
            )
        )
    return {
        p.pk: adherence.compute(
            slots=slots[p.pk],
            sessions=sessions[p.pk],
            planned_phase_minutes=planned_phase_minutes(lib, p.protocol_id)
            if with_phases and p.protocol_id in lib.protocols
            else {},
            now=now,
        )
        for p in plans
    }


def unit_plans(*, actor: Actor) -> QuerySet[Plan]:
    """Active plans of every client the actor can see, for the unit-wide adherence page."""
    return (
        Plan.objects.filter(status=Plan.Status.ACTIVE, client__in=client_queryset(actor=actor))
        .select_related("client")
        .order_by("client__family_name", "client__given_name")
    )


def slots_due(*, actor: Actor, until: dt.datetime, limit: int = 20) -> QuerySet[ScheduledSession]:
    """Sessions still due up to `until` (overdue ones first) for the clients the actor can see."""
    return (
        ScheduledSession.objects.filter(
            status=ScheduledSession.Status.DUE,
            due_at__lte=until,
            plan__status=Plan.Status.ACTIVE,
            plan__client__in=client_queryset(actor=actor),
        )
        .select_related("plan__client")
        .order_by("due_at")[:limit]
    )


def plan_measurements(*, client: Client, plan: Plan, today: dt.date | None = None) -> list[measures_due.Row]:
    """What the plan's protocol collects and when, with today's state of each (see care/measures_due.py).
    Three queries: the plan's slots, its sessions, and the client's measurements of the instruments named."""
    lib = library_selectors.library()
    protocol = lib.protocols.get(plan.protocol_id)
    if protocol is None:
        return []
    today = today or timezone.localdate()
    start = timezone.localdate(plan.starts_at)
    slots = [
        (timezone.localdate(due), status)
        for due, status in plan.slots.exclude(status=ScheduledSession.Status.CANCELLED).values_list(
            "due_at", "status"
        )
    ]
    ended = plan.status == Plan.Status.ENDED
    last = (
        timezone.localdate(plan.ended_at)
        if ended and plan.ended_at
        else max((d for d, _ in slots), default=None)
    )
    session_days = frozenset(
        timezone.localdate(at)
        for at in plan.sessions.filter(
            status__in=[Session.Status.COMPLETED, Session.Status.STOPPED]
        ).values_list("started_at", flat=True)
    )
    days = measures_due.PlanDays(
        start=start,
        last=last,
        ended=ended,
        session_days=session_days,
        next_session=min(
            (d for d, status in slots if status == ScheduledSession.Status.DUE and d >= today), default=None
        ),
    )
    measures = {
        m.id: (m.label, tuple(m.instruments), m.any_instrument, m.in_session) for m in lib.measures.values()
    }
    timings = [
        (measure, t.when, t.evidence_note or "", t.sources, t.basis == "design-choice")
        for t in protocol.measurement_timing
        for measure in t.measures
    ]
    wanted = {i for measure, *_ in timings for i in measures[measure][1]}
    catalogue = {i.id: i for i in instruments.list_instruments() if i.id in wanted}
    taken: dict[str, list[measures_due.Taken]] = defaultdict(list)
    since = dt.datetime.combine(
        start - dt.timedelta(days=measures_due.BASELINE_DAYS_BEFORE),
        dt.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    for instrument_id, taken_at, context in (
        Measurement.objects.filter(
            organisation_id=client.organisation_id,
            client_id=client.pk,
            instrument_id__in=wanted,
            entered_in_error_at__isnull=True,
        )
        # Older ones are never in any window, except a measurement marked as the baseline.
        .filter(Q(taken_at__gte=since) | Q(context=Measurement.Context.BASELINE))
        .order_by()
        .values_list("instrument_id", "taken_at", "context")
    ):
        taken[instrument_id].append(measures_due.Taken(timezone.localdate(taken_at), context))
    return measures_due.rows(
        timings=timings,
        measures=measures,
        instruments=catalogue,
        taken=taken,
        plan=days,
        today=today,
        age_days=(today - client.birth_date).days,
    )
