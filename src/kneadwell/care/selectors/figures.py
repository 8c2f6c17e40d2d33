"""Adherence figures of plans: counted from scratch from every slot, session and step log, or read from the
stored tallies the services keep; and the unit-wide adherence page's plans, a page at a time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.care import adherence
from kneadwell.care.models import (
    Plan,
    PlanFigures,
    ScheduledSession,
    Session,
    StepLog,
)
from kneadwell.care.routine import planned_phase_minutes
from kneadwell.clients.selectors import client_queryset
from kneadwell.library import selectors as library_selectors


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


def due_by_subquery(now: dt.datetime) -> Coalesce:
    """`due_so_far`'s count for the plan of each row of a plans query, as an annotation (a subquery over
    the same slot index): the plans and their counts in one query."""
    counted = (
        ScheduledSession.objects.filter(plan=OuterRef("pk"), status__in=COUNTED_SLOTS, due_at__lte=now)
        .order_by()
        .values("plan")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def plans_figures(
    *,
    plans: Sequence[Plan],
    now: dt.datetime | None = None,
    with_phases: bool = True,
    due: Mapping[int, int] | None = None,
) -> dict[int, adherence.Adherence]:
    """The figures of `plans_adherence`, read from each plan's stored tally (`PlanFigures`, kept up to date
    by the services) and one count of the sessions due so far: two queries, whose work does not grow with
    the number of sessions. A plan without a tally (written around the services) is counted from scratch.
    `due`: the sessions due by `now` per plan, when the caller read them with the plans (`due_by_subquery`):
    that count is then not made again."""
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
    if due is None:
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
