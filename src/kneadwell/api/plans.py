"""Plans: enrolment, schedule, adherence, the measurements a plan's protocol asks for, and ending it.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_care_…`)
before the care router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.care_types import RegionId
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, DateTime, Id, LongText
from kneadwell.care import measures_due, selectors, services
from kneadwell.care.adherence import Adherence
from kneadwell.care.models import Plan
from kneadwell.clients.selectors import client_get
from kneadwell.library.selectors import readiness_check_get

router = Router(tags=["care"])


class PlanIn(BodyIn):
    check_id: Id = Field(..., description="A recent readiness check for the protocol that did not block")
    starts_at: DateTime
    open_weeks: int = Field(4, ge=1, le=52)
    avoid_regions: list[RegionId] = Field(default_factory=list, max_length=60)
    focus_regions: list[RegionId] = Field(
        default_factory=list,
        max_length=60,
        description="The plan's focus areas. Left out: the client's intake answers that name them (the "
        "injured or operated area, the stiff muscles after a stroke), as the enrolment page fills them in; "
        "[] for none. A plan whose routine would then hold no massage step is a 422 on this field",
    )
    max_pressure: Literal["", "light", "moderate"] = ""
    minutes_factor: float | None = Field(None, ge=0.1, le=1)
    goals: LongText = ""
    reminders: bool = False


class SlotOut(Schema):
    id: int
    sequence: int
    due_at: dt.datetime
    phase: str
    status: str


class AdherenceOut(Schema):
    planned_total: int
    due_so_far: int
    done: int
    percent_of_due: float | None
    percent_of_plan: float | None
    completed_sessions: int
    stopped_sessions: int
    stop_reasons: list[tuple[str, int]]
    minutes_per_phase: dict[str, dict[str, float | None]]


class PlanOut(Schema):
    id: int
    client_id: int
    protocol_id: str
    status: str
    starts_at: dt.datetime
    avoid_regions: list[str]
    focus_regions: list[str]
    max_pressure: str
    minutes_factor: float | None
    goals: str
    reminders: bool
    content_version: str
    version: int
    ended_at: dt.datetime | None
    end_reason: str
    adherence: AdherenceOut


class EndIn(BodyIn):
    reason: LongText


def _plan(plan: Plan, adh: Adherence | None = None) -> PlanOut:
    adh = adh if adh is not None else selectors.plan_adherence(plan=plan)
    return PlanOut(
        id=plan.pk,
        client_id=plan.client_id,
        protocol_id=plan.protocol_id,
        status=plan.status,
        starts_at=plan.starts_at,
        avoid_regions=plan.avoid_regions,
        focus_regions=plan.focus_regions,
        max_pressure=plan.max_pressure,
        minutes_factor=plan.minutes_factor,
        goals=plan.goals,
        reminders=plan.reminders,
        content_version=plan.content_version,
        version=plan.version,
        ended_at=plan.ended_at,
        end_reason=plan.end_reason,
        adherence=AdherenceOut(
            planned_total=adh.planned_total,
            due_so_far=adh.due_so_far,
            done=adh.done,
            percent_of_due=adh.percent_of_due,
            percent_of_plan=adh.percent_of_plan,
            completed_sessions=adh.completed_sessions,
            stopped_sessions=adh.stopped_sessions,
            stop_reasons=list(adh.stop_reasons),
            minutes_per_phase={
                p.phase: {"planned": p.planned_minutes, "actual": p.actual_minutes} for p in adh.phases
            },
        ),
    )


@router.get(
    "/clients/{client_id}/plans",
    operation_id="kneadwell_api_care_plan_list",
    response=responses({200: list[PlanOut]}, 403, 404),
    summary="A client's plans with adherence",
)
@needs(Perm.CLIENT_VIEW)
def plan_list(request: HttpRequest, client_id: Id) -> list[PlanOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="listed plans")
    plans = list(selectors.plans_of(client=client)[:50])
    figures = selectors.plans_adherence(plans=plans)  # every plan's figures in a fixed number of queries
    return [_plan(p, figures[p.pk]) for p in plans]


@router.post(
    "/clients/{client_id}/plans",
    operation_id="kneadwell_api_care_plan_create",
    response=responses({201: PlanOut}, 403, 404, 409),
    summary="Enrol a client on a protocol (after a passing readiness check)",
    description="Refused (422) when the protocol's routine would hold no massage step for the client's "
    "record, focus areas and the plan's limits; the error names the field that would change it.",
)
@needs(Perm.SESSION_RECORD)
def plan_create(request: HttpRequest, client_id: Id, payload: PlanIn) -> Status[PlanOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="enrolled on a plan")
    data = payload.model_dump()
    check = readiness_check_get(client=client, check_id=data.pop("check_id"))
    if "focus_regions" not in payload.model_fields_set:  # as the page: the intake's focus answers
        from_intake = selectors.intake_focus(client=client)
        data["focus_regions"] = list(from_intake.regions) if from_intake else []
    plan = services.plan_create(actor=actor, client=client, check=check, **data)
    return Status(201, _plan(plan))


@router.get(
    "/clients/{client_id}/plans/{plan_id}",
    operation_id="kneadwell_api_care_plan_get",
    response=responses({200: PlanOut}, 403, 404),
    summary="One plan with adherence and fidelity",
)
@needs(Perm.CLIENT_VIEW)
def plan_get(request: HttpRequest, client_id: Id, plan_id: Id) -> PlanOut:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a plan")
    return _plan(selectors.plan_get(client=client, plan_id=plan_id))


@router.get(
    "/clients/{client_id}/plans/{plan_id}/schedule",
    operation_id="kneadwell_api_care_plan_schedule",
    response=responses({200: list[SlotOut]}, 403, 404),
    summary="The plan's scheduled sessions",
)
@needs(Perm.CLIENT_VIEW)
def plan_schedule(request: HttpRequest, client_id: Id, plan_id: Id) -> list[SlotOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a schedule")
    plan = selectors.plan_get(client=client, plan_id=plan_id)
    return [
        SlotOut(id=s.pk, sequence=s.sequence, due_at=s.due_at, phase=s.phase, status=s.status)
        for s in plan.slots.all()[:2000]
    ]


class OccasionOut(Schema):
    occasion: Literal["baseline", "each_session", "daily", "weekly", "end"]
    label: str
    state: Literal["done", "due", "overdue", "upcoming", "late", "missed", "finished"]
    text: str
    due_on: dt.date | None
    covered: int | None = Field(None, description="Days, weeks or session days with a measurement so far")
    out_of: int | None = None
    context: str = Field(description="The measurement context a new entry for this occasion carries")


class WhyOut(Schema):
    measure: str
    when: list[str]
    note: str
    sources: list[str]
    design_choice: bool


class MeasurementDueOut(Schema):
    key: str
    title: str
    how: Literal["record", "in_session", "elsewhere", "not_for_age", "define"] = Field(
        description="record: with the instruments in record_with; in_session: by the session player; "
        "elsewhere: not recorded in Kneadwell; not_for_age: the instrument does not suit the client's age; "
        "define: recorded through a measure the organisation defines for itself (a licensed "
        "questionnaire), not defined yet"
    )
    record_with: list[str]
    record_context: str = Field(description="The context a measurement entered now should carry")
    feeds: list[str]
    headline: OccasionOut | None
    occasions: list[OccasionOut]
    why: list[WhyOut]
    note: str


def _occasion(st: measures_due.Status) -> OccasionOut:
    covered, out_of = st.covered or (None, None)
    return OccasionOut(
        occasion=st.occasion,
        label=st.label,
        state=st.state,
        text=st.text,
        due_on=st.due_on,
        covered=covered,
        out_of=out_of,
        context=st.context,
    )


@router.get(
    "/clients/{client_id}/plans/{plan_id}/measurements",
    operation_id="kneadwell_api_care_plan_measurements",
    response=responses({200: list[MeasurementDueOut]}, 403, 404),
    summary="What the plan's protocol measures and when: due, done or missed today",
)
@needs(Perm.CLIENT_VIEW)
def plan_measurements(request: HttpRequest, client_id: Id, plan_id: Id) -> list[MeasurementDueOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a plan's measurements")
    plan = selectors.plan_get(client=client, plan_id=plan_id)
    return [
        MeasurementDueOut(
            key=row.key,
            title=row.title,
            how=row.how,
            record_with=[i for i, _ in row.record_with],
            record_context=row.record_context,
            feeds=list(row.feeds),
            headline=_occasion(row.headline) if row.headline else None,
            occasions=[_occasion(st) for st in row.statuses],
            why=[
                WhyOut(
                    measure=w.measure,
                    when=list(w.when),
                    note=w.note,
                    sources=list(w.sources),
                    design_choice=w.design_choice,
                )
                for w in row.why
            ],
            note=row.note,
        )
        for row in selectors.plan_measurements(client=client, plan=plan)
    ]


@router.post(
    "/clients/{client_id}/plans/{plan_id}/end",
    operation_id="kneadwell_api_care_plan_end",
    response=responses({200: PlanOut}, 403, 404),
    summary="End a plan (its remaining sessions are cancelled)",
)
@needs(Perm.SESSION_RECORD)
def plan_end(request: HttpRequest, client_id: Id, plan_id: Id, payload: EndIn) -> PlanOut:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="ended a plan")
    return _plan(
        services.plan_end(
            actor=actor, plan=selectors.plan_get(client=client, plan_id=plan_id), reason=payload.reason
        )
    )
