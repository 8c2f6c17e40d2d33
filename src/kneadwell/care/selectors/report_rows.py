"""Reads for the progress report (reports.content): each one query, whatever the number of sessions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Func, IntegerField, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from kneadwell.care.models import (
    Note,
    Observation,
    Plan,
    ScheduledSession,
    Session,
    StepLog,
)
from kneadwell.clients.models import Client


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
    labels = {value: str(label) for value, label in Session.Status.choices}
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
        .values(
            "pk",
            "plan_id",
            "protocol_id",
            "status",
            "started_at",
            "steps_planned",
            "pauses",
            "stop_check",
            "stop_reason",
        )[:limit]
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
