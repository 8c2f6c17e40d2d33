"""Reads for plans and their scheduled sessions, always inside the actor's reach: one plan or slot, a client's
plans, the sessions still due, and what a plan's protocol measures and when. Another organisation's plan
is not found (kneadwell.core.tenancy)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.care import measures_due
from kneadwell.care.models import (
    Plan,
    ScheduledSession,
    Session,
)
from kneadwell.care.routine import intake_focus_regions
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import NotFound
from kneadwell.library import selectors as library_selectors
from kneadwell.outcomes import instruments
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.selectors.organisation_measures import programme_measure_links


def plan_by_calendar_token(*, token: str) -> Plan | None:
    """The plan whose calendar link holds this token. The token is the credential (a calendar app cannot
    log in), so this read has no actor; a short token finds nothing."""
    if len(token) < 32:
        return None
    return Plan.objects.select_related("client").filter(calendar_token=token).first()


@dataclass(frozen=True)
class IntakeFocus:
    """The focus areas a client's intake answers give a new plan, and where they came from."""

    regions: tuple[str, ...]
    region_labels: tuple[str, ...]
    questions: tuple[str, ...]  # the labels of the intake questions they answer
    intake_title: str  # the intake's question set ("Stroke intake")
    updated_at: dt.datetime  # when the intake was last saved


def intake_focus(*, client: Client) -> IntakeFocus | None:
    """The focus areas from the client's intake (its answers to care.routine.FOCUS_QUESTIONS); None when
    there is no intake or it names none. A client has one intake, kept current by edits."""
    intake = library_selectors.intake_for(client=client)
    if intake is None:
        return None
    lib = library_selectors.library()
    areas = [rid for rid, r in lib.regions.items() if r.kind in ("area", "group")]
    regions, asked = intake_focus_regions(intake.answers, areas)
    if not regions:
        return None
    title = (
        lib.question_set(intake.population, "intake").title
        if intake.population in lib.populations
        else intake.population
    )
    return IntakeFocus(
        regions=regions,
        region_labels=tuple(lib.regions[r].label for r in regions),
        questions=tuple(lib.questions[q].label for q in asked),
        intake_title=title,
        updated_at=intake.updated_at,
    )


def plan_get(*, client: Client, plan_id: int) -> Plan:
    try:
        return Plan.objects.of_client(client).get(pk=plan_id)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such plan for this client.")) from None


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
        raise NotFound(_("No such scheduled session for this client.")) from None


def slots_due(*, actor: Actor, until: dt.datetime, limit: int = 20) -> QuerySet[ScheduledSession]:
    """Sessions still due up to `until` (overdue ones first) for the clients the actor can see.

    A list of the whole organisation, so its own index may lead (`for_organisation`): written the
    `checked_in` way, PostgreSQL took the organisation's active plans for a handful and joined their slots
    before sorting (87 ms on the seeded clinic's dashboard); with the plain condition it walks the slots in
    due order and stops at `limit` (4.5 ms). SQLite's plan is the same either way (docs/performance.md)."""
    return (
        ScheduledSession.objects.for_organisation(actor.organisation_id)
        .filter(
            status=ScheduledSession.Status.DUE,
            due_at__lte=until,
            plan__status=Plan.Status.ACTIVE,
            plan__client__in=client_queryset(actor=actor),
        )
        .select_related("plan__client")
        .order_by("due_at")[:limit]
    )


def reads_own_measures(
    *, timed: Iterable[str], measures: Mapping[str, tuple[str, tuple[str, ...], bool, bool]]
) -> bool:
    """Whether the organisation's own measures can change a plan's rows: only a measure the protocol times
    that has no built-in instrument and is not recorded in the session takes them (a measure recorded in
    the session is shown as such whatever records it). The read (a query, and each measure's definition
    built) is skipped for the other protocols: most of them."""
    return any(not measures[m][1] and not measures[m][3] for m in timed)


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
    # A measure the organisation defined for itself (a licensed questionnaire) records the programme
    # measure it names, like a built-in instrument (docs/custom-measures.md).
    own = (
        programme_measure_links(organisation_id=client.organisation_id)
        if reads_own_measures(timed=(measure for measure, *_rest in timings), measures=measures)
        else {}
    )
    for measure_id, linked in own.items():
        if measure_id in measures and not measures[measure_id][1]:
            label, _ids, _own, in_session = measures[measure_id]
            measures[measure_id] = (label, tuple(i.id for i in linked), True, in_session)
    wanted = {i for measure, *_rest in timings for i in measures[measure][1]}
    catalogue = {i.id: i for i in instruments.list_instruments() if i.id in wanted}
    catalogue.update({i.id: i for linked in own.values() for i in linked})
    taken: dict[str, list[measures_due.Taken]] = defaultdict(list)
    since = dt.datetime.combine(
        start - dt.timedelta(days=measures_due.BASELINE_DAYS_BEFORE),
        dt.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    for instrument_id, taken_at, context in (
        Measurement.objects.of_client(client)
        .filter(instrument_id__in=wanted, entered_in_error_at__isnull=True)
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
        organisation_defined={m.id for m in lib.measures.values() if m.organisation_defined},
    )
