"""Reads for plans and sessions, always inside the actor's reach (organisation; a caregiver's own
children). Another organisation's plan or session is not found. Reads that take an already loaded client,
plan or session go through the scoped entry point (`of_client`, `within`): inside a request, one of
another organisation than the actor's finds nothing (kneadwell.core.tenancy)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.audit.access import access_note
from kneadwell.care import adherence, measures_due
from kneadwell.care.models import (
    AdverseEvent,
    Note,
    Observation,
    Plan,
    PlanFigures,
    ScheduledSession,
    Session,
    StepLog,
)
from kneadwell.care.routine import planned_phase_minutes
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import NotFound
from kneadwell.library import selectors as library_selectors
from kneadwell.outcomes import instruments
from kneadwell.outcomes.models import Measurement


def plan_get(*, client: Client, plan_id: int) -> Plan:
    try:
        return Plan.objects.of_client(client).get(pk=plan_id)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such plan for this client.") from None


def plans_of(*, client: Client) -> QuerySet[Plan]:
    return Plan.objects.of_client(client).order_by("status", "-created_at")


def upcoming_slots(*, plan: Plan, limit: int = 10) -> QuerySet[ScheduledSession]:
    return (
        ScheduledSession.objects.within(plan)
        .filter(plan=plan, status=ScheduledSession.Status.DUE)
        .order_by("due_at")[:limit]
    )


def slot_get(*, client: Client, slot_id: int) -> ScheduledSession:
    try:
        return ScheduledSession.objects.of_client(client).select_related("plan").get(pk=slot_id)
    except (ScheduledSession.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such scheduled session for this client.") from None


def session_get(*, actor: Actor, session_id: int, purpose: str = "opened a session") -> Session:
    """A session within the actor's reach; the read of the client's record is audited."""
    try:
        session = (
            Session.objects.for_organisation(actor.organisation_id)
            .select_related("client", "plan", "slot")
            .get(pk=session_id, client__in=client_queryset(actor=actor, include_archived=True))
        )
    except (Session.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such session.") from None
    access_note(
        actor=actor, entity="session", entity_id=session.pk, client_id=session.client_id, purpose=purpose
    )
    return session


def sessions_of(*, client: Client) -> QuerySet[Session]:
    return Session.objects.of_client(client).select_related("plan").order_by("-started_at")


def note_of(*, session: Session) -> Note | None:
    return (
        Note.objects.within(session).filter(session=session).prefetch_related("amendments__author").first()
    )


def adverse_events_of(*, client: Client) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.of_client(client).select_related("session", "reported_by")


def adverse_event_get(*, client: Client, event_id: int) -> AdverseEvent:
    try:
        return AdverseEvent.objects.of_client(client).get(pk=event_id)
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
    """Adherence of many plans with a fixed number of queries, whatever their count, counted from scratch
    from every slot, session and step log (its work grows with the plans' sessions; `plans_figures` reads
    the same figures from the stored tallies, and the tests hold the two equal). Without `with_phases`
    the minutes per phase are left out (empty `phases`): summing every step of every session is most of
    the work, and a page that does not show them need not pay for it."""
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


# Slots that count as due once their time has come (a cancelled one never does).
COUNTED_SLOTS = (ScheduledSession.Status.DUE, ScheduledSession.Status.DONE, ScheduledSession.Status.STOPPED)


def due_so_far(*, plan_ids: Sequence[int], now: dt.datetime) -> dict[int, int]:
    """Scheduled sessions due by `now`, per plan, in one grouped count over the slot index (plan, status,
    due_at): its work follows the plans' schedules, not their sessions."""
    rows = (
        ScheduledSession.objects.filter(plan_id__in=plan_ids, status__in=COUNTED_SLOTS, due_at__lte=now)
        .order_by()
        .values("plan_id")
        .annotate(n=Count("id"))
    )
    return {row["plan_id"]: row["n"] for row in rows}


def plans_figures(
    *, plans: Sequence[Plan], now: dt.datetime | None = None, with_phases: bool = True
) -> dict[int, adherence.Adherence]:
    """The figures of `plans_adherence`, read from each plan's stored tally (`PlanFigures`, kept up to date
    by the services) and one count of the sessions due so far: two queries, whose work does not grow with
    the number of sessions. A plan without a tally (written around the services) is counted from scratch."""
    now = now or timezone.now()
    lib = library_selectors.library()
    ids = [p.pk for p in plans]
    stored: dict[int, PlanFigures]
    if all(Plan.figures.is_cached(p) for p in plans):  # loaded with select_related("figures")
        stored = {p.pk: p.figures for p in plans if getattr(p, "figures", None) is not None}
    else:
        stored = PlanFigures.objects.filter(
            plan_id__in=ids, organisation_id__in={p.organisation_id for p in plans}
        ).in_bulk()
    due = due_so_far(plan_ids=ids, now=now)
    missing = [p for p in plans if p.pk not in stored]
    out = plans_adherence(plans=missing, now=now, with_phases=with_phases) if missing else {}
    for plan in plans:
        row = stored.get(plan.pk)
        if row is None:
            continue
        out[plan.pk] = adherence.from_tally(
            plan_tally(row),
            due_so_far=due.get(plan.pk, 0),
            planned_phase_minutes=planned_phase_minutes(lib, plan.protocol_id)
            if with_phases and plan.protocol_id in lib.protocols
            else {},
        )
    return out


def plan_tally(row: PlanFigures) -> adherence.Tally:
    return adherence.Tally(
        planned_total=row.planned_total,
        done=row.done,
        completed_sessions=row.completed_sessions,
        stopped_sessions=row.stopped_sessions,
        stop_reasons=row.stop_reasons,
        phase_seconds=row.phase_seconds,
    )


def unit_plans(*, actor: Actor) -> QuerySet[Plan]:
    """Active plans of every client the actor can see, for the unit-wide adherence page."""
    return (
        Plan.objects.checked_in(actor.organisation_id)
        .filter(status=Plan.Status.ACTIVE, client__in=client_queryset(actor=actor))
        .select_related("client")
        .order_by("client__family_name", "client__given_name")
    )


UNIT_PAGE_CLIENTS = 50
UNIT_FIGURES = (
    "organisation_id",
    "planned_total",
    "done",
    "completed_sessions",
    "stopped_sessions",
    "stop_reasons",
    "phase_seconds",
    "last_session_at",
)


def unit_plans_page(*, actor: Actor, page: int, size: int = UNIT_PAGE_CLIENTS) -> tuple[list[Plan], bool]:
    """One page of the unit adherence table: `size` clients the actor can see who have an active plan, in
    name order, with their active plans (each with its stored figures joined); and whether there is a
    next page. The clients are walked in the order of their name index, stopping after the page, so a
    page costs the same however many clients the organisation has (sorting every active plan by name, as
    the page once did, cost more than the figures)."""
    active = Plan.objects.filter(client=OuterRef("pk"), status=Plan.Status.ACTIVE)
    first = (page - 1) * size
    ids = list(
        client_queryset(actor=actor)
        .filter(Exists(active))
        .order_by("family_name", "given_name", "pk")
        .values_list("pk", flat=True)[first : first + size + 1]
    )
    # The clients came from the actor's reach; their plans are found through the client index (`checked_in`
    # keeps the organisation check without letting SQLite lead with the index of every active plan of it).
    plans = list(
        Plan.objects.checked_in(actor.organisation_id)
        .filter(client_id__in=ids[:size], status=Plan.Status.ACTIVE)
        .select_related("client", "figures")
        # What the table shows; the rest of the three rows (JSON of the plan's personalisation, the
        # client's record) stays unread.
        .only(
            "organisation_id",
            "client_id",
            "protocol_id",
            "status",
            "client__given_name",
            "client__family_name",
            *(f"figures__{f}" for f in UNIT_FIGURES),
        )
        .order_by("client__family_name", "client__given_name", "client_id", "protocol_id")
    )
    return plans, len(ids) > size


def slots_due(*, actor: Actor, until: dt.datetime, limit: int = 20) -> QuerySet[ScheduledSession]:
    """Sessions still due up to `until` (overdue ones first) for the clients the actor can see."""
    return (
        ScheduledSession.objects.checked_in(actor.organisation_id)
        .filter(
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
        for due, status in ScheduledSession.objects.within(plan)
        .filter(plan=plan)
        .exclude(status=ScheduledSession.Status.CANCELLED)
        .values_list("due_at", "status")
    ]
    ended = plan.status == Plan.Status.ENDED
    last = (
        timezone.localdate(plan.ended_at)
        if ended and plan.ended_at
        else max((d for d, _ in slots), default=None)
    )
    session_days = frozenset(
        timezone.localdate(at)
        for at in Session.objects.within(plan)
        .filter(plan=plan, status__in=[Session.Status.COMPLETED, Session.Status.STOPPED])
        .values_list("started_at", flat=True)
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
        Measurement.objects.of_client(client).filter(
            instrument_id__in=wanted, entered_in_error_at__isnull=True
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


# --- reads for the progress report (reports.content): each one query, whatever the number of sessions ---


class JsonArrayLength(Func):
    """The number of items in a JSON array column, counted by the database (reading each session's whole
    list of steps only to count them took a fifth of the report's collection time)."""

    function = "json_array_length"  # SQLite's JSON1
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="jsonb_array_length", **extra)


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    plan_id: int | None
    protocol_id: str
    status: str
    status_label: str
    started_at: dt.datetime
    steps_planned: int
    pauses: int
    stop_check: str
    stop_reason: str


def _sessions(client: Client, plan: Plan | None) -> QuerySet[Session]:
    qs = Session.objects.of_client(client)
    return qs.filter(plan=plan) if plan is not None else qs


def session_rows(*, client: Client, plan: Plan | None = None, limit: int) -> tuple[list[SessionRow], int]:
    """A loaded client's sessions (or one plan's), newest first, at most `limit`; and how many in all."""
    labels = dict(Session.Status.choices)
    rows = [
        SessionRow(
            session_id=r["pk"],
            plan_id=r["plan_id"],
            protocol_id=r["protocol_id"],
            status=r["status"],
            status_label=labels.get(r["status"], r["status"]),
            started_at=r["started_at"],
            steps_planned=int(r["steps_planned"] or 0),
            pauses=r["pauses"],
            stop_check=r["stop_check"],
            stop_reason=r["stop_reason"],
        )
        for r in _sessions(client, plan)
        .order_by("-started_at")
        .annotate(steps_planned=JsonArrayLength("steps"))
        .values("pk", "plan_id", "protocol_id", "status", "started_at", "steps_planned", "pauses",
                "stop_check", "stop_reason")[:limit]
    ]
    total = len(rows) if len(rows) < limit else _sessions(client, plan).count()
    return rows, total


def step_totals(*, session_ids: Sequence[int]) -> dict[int, dict[str, tuple[int, float]]]:
    """(steps, seconds) of each session's step log by outcome ("done", "skipped")."""
    out: dict[int, dict[str, tuple[int, float]]] = defaultdict(dict)
    for session_id, outcome, n, seconds in (
        StepLog.objects.filter(session_id__in=session_ids)
        .values("session_id", "outcome")
        .annotate(n=Count("id"), seconds=Sum("seconds"))
        .values_list("session_id", "outcome", "n", "seconds")
    ):
        out[session_id][outcome] = (int(n), float(seconds or 0.0))
    return out


def logged_minutes_by_plan(*, client: Client, plan: Plan | None = None) -> dict[int, float]:
    """Minutes of logged steps per plan over all the client's (or the plan's) sessions."""
    out: dict[int, float] = defaultdict(float)
    for plan_id, seconds in (
        StepLog.objects.filter(session__in=_sessions(client, plan))
        .values("session__plan_id")
        .annotate(seconds=Sum("seconds"))
        .values_list("session__plan_id", "seconds")
    ):
        if plan_id is not None:
            out[plan_id] = float(seconds or 0.0) / 60
    return out


def session_decisions(*, session_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """How many observations in each session led to each decision other than "continue"."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for session_id, decision, n in (
        Observation.objects.filter(session_id__in=session_ids)
        .exclude(decision="continue")
        .values("session_id", "decision")
        .annotate(n=Count("id"))
        .values_list("session_id", "decision", "n")
    ):
        out[session_id][decision] = int(n)
    return out


def session_note_states(*, session_ids: Sequence[int]) -> dict[int, tuple[str, bool]]:
    """Each session's note: its kind ("soap" | "diary") and whether it is signed."""
    return {
        session_id: (kind, signed_at is not None)
        for session_id, kind, signed_at in Note.objects.filter(session_id__in=session_ids).values_list(
            "session_id", "kind", "signed_at"
        )
    }


def note_responses(
    *, client: Client, plan: Plan | None = None, limit: int
) -> list[tuple[dt.datetime, str, str]]:
    """The latest responses written in session notes and diaries: (session start, note kind, response)."""
    notes = Note.objects.filter(session__in=_sessions(client, plan).order_by()).exclude(response="")
    return list(
        notes.order_by("-session__started_at").values_list("session__started_at", "kind", "response")[:limit]
    )


def upcoming_by_plan(
    *, plans: Sequence[Plan], now: dt.datetime, limit: int
) -> dict[int, list[tuple[dt.datetime, str]]]:
    """The next `limit` due slots (due time, phase) of each active plan, numbered within each plan by the
    database so a plan with many sessions soon cannot crowd out another's."""
    found: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    if not plans:
        return found
    rows = (
        ScheduledSession.objects.filter(
            plan_id__in=[p.pk for p in plans],
            plan__status=Plan.Status.ACTIVE,
            status=ScheduledSession.Status.DUE,
            due_at__gte=now,
        )
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("plan_id"), order_by=[F("due_at").asc(), F("sequence").asc()]
            )
        )
        .filter(rank__lte=limit)
        .order_by("due_at", "sequence")
        .values_list("plan_id", "due_at", "phase")
    )
    for plan_id, due_at, phase in rows:
        found[plan_id].append((due_at, phase))
    return found
