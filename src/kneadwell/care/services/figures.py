"""Keeping each plan's adherence figures (`care.models.PlanFigures`) in step with its slots and sessions.

Every service that changes what the figures count (a plan created or ended, a session completed or
stopped) calls `plan_figures_refresh` inside its own transaction, so the figures and the change commit
together or not at all. A refresh recounts the one plan from its rows (a handful of grouped queries over
that plan's slots, sessions and step logs) rather than adding a difference: the stored figures then never
drift from the records, whatever order concurrent writes come in. The figures row's lock serialises two
refreshes of one plan (PostgreSQL: the second recounts after the first has committed). It is the figures
row, not the plan's, and every service takes it last, after its audit row (whose chain lock is held
to commit on PostgreSQL): completing a session holds its slot's row and the audit chain when it gets
here, and ending the plan holds the plan's row, the slots it cancelled and the chain; a lock taken in
another order by one of them would make the two wait for each other
(tests/care/test_adherence_figures_race.py).

`plan_figures_rebuild` recounts many plans at once (all of them by default), in batches: the migration
that created the table and the benchmark seeder (which writes its rows with SQL) use it. It takes the model
registry as an argument so the migration can pass its historical models; it must only use fields that
exist as of care's migration 0004.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps as current_apps
from django.db.models import Count, Max, Sum

from kneadwell.care.adherence import stop_reason_label

BATCH = 500  # plans recounted per round of queries
_FIELDS = (
    "organisation",
    "planned_total",
    "done",
    "completed_sessions",
    "stopped_sessions",
    "stop_reasons",
    "phase_seconds",
    "last_session_at",
    "updated_at",
)


def plan_figures_refresh(*, plan_id: int | None) -> None:
    """Recount one plan's figures; call it inside the transaction of the write that changed them. A
    session outside any plan (`plan_id` None: e.g. recorded after the fact) changes no plan's figures."""
    if plan_id is None:
        return
    from kneadwell.care.models import PlanFigures

    PlanFigures.objects.select_for_update().filter(plan_id=plan_id).values_list("pk", flat=True).first()
    plan_figures_rebuild(plan_ids=[plan_id])


def plan_figures_rebuild(*, plan_ids: Iterable[int] | None = None, apps: Any = current_apps) -> int:
    """Recount the figures of these plans (every plan when None) from their slots and sessions; returns
    the number of plans recounted."""
    plan_model = apps.get_model("care", "Plan")
    if plan_ids is None:
        ids = list(plan_model.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(plan_ids))
    for start in range(0, len(ids), BATCH):
        _rebuild_batch(apps, ids[start : start + BATCH])
    return len(ids)


def _rebuild_batch(apps: Any, ids: list[int]) -> None:
    from django.utils import timezone

    plan_model = apps.get_model("care", "Plan")
    slot_model = apps.get_model("care", "ScheduledSession")
    session_model = apps.get_model("care", "Session")
    step_model = apps.get_model("care", "StepLog")
    figures_model = apps.get_model("care", "PlanFigures")
    # The status values as stored (the historical models carry no TextChoices classes).
    completed, stopped, cancelled, slot_done = "completed", "stopped", "cancelled", "done"

    orgs = dict(plan_model.objects.filter(pk__in=ids).values_list("pk", "organisation_id"))
    planned: Counter[int] = Counter()
    done: Counter[int] = Counter()
    for row in (
        slot_model.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id", "status")
        .annotate(n=Count("id"))
    ):
        if row["status"] != cancelled:
            planned[row["plan_id"]] += row["n"]
        if row["status"] == slot_done:
            done[row["plan_id"]] += row["n"]
    sessions: dict[int, dict[str, int]] = defaultdict(dict)
    last: dict[int, Any] = {}
    for row in (
        session_model.objects.filter(plan_id__in=ids, status__in=[completed, stopped])
        .order_by()
        .values("plan_id", "status")
        .annotate(n=Count("id"), last=Max("started_at"))
    ):
        sessions[row["plan_id"]][row["status"]] = row["n"]
        if last.get(row["plan_id"]) is None or row["last"] > last[row["plan_id"]]:
            last[row["plan_id"]] = row["last"]
    reasons: dict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        session_model.objects.filter(plan_id__in=ids, status=stopped)
        .order_by()
        .values("plan_id", "stop_reason")
        .annotate(n=Count("id"))
    ):
        reasons[row["plan_id"]][stop_reason_label(row["stop_reason"])] += row["n"]
    phases: dict[int, dict[str, float]] = defaultdict(dict)
    for row in (
        step_model.objects.filter(session__plan_id__in=ids, session__status=completed)
        .order_by()
        .values("session__plan_id", "phase")
        .annotate(total=Sum("seconds"))
    ):
        phases[row["session__plan_id"]][row["phase"]] = float(row["total"] or 0.0)
    now = timezone.now()
    rows = [
        figures_model(
            plan_id=pk,
            organisation_id=org,
            planned_total=planned[pk],
            done=done[pk],
            completed_sessions=sessions[pk].get(completed, 0),
            stopped_sessions=sessions[pk].get(stopped, 0),
            stop_reasons=dict(sorted(reasons[pk].items())),
            phase_seconds=dict(sorted(phases[pk].items())),
            last_session_at=last.get(pk),
            updated_at=now,
        )
        for pk, org in orgs.items()
    ]
    figures_model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["plan"], update_fields=list(_FIELDS)
    )
