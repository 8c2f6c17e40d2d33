"""Plans, schedules, guided sessions, observations, notes and adverse events."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import ErrorOut, responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, DateTime, Id, LongText, ShortText
from kneadwell.care import measures_due, selectors, services
from kneadwell.care.adherence import Adherence
from kneadwell.care.models import AdverseEvent, Note, Observation, Plan, Session
from kneadwell.clients.selectors import client_get, client_queryset
from kneadwell.core.errors import NotFound
from kneadwell.library.selectors import readiness_check_get

router = Router(tags=["care"])
RegionId = Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]+$")]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Vital = Annotated[float, Field(allow_inf_nan=False)]


class PlanIn(BodyIn):
    check_id: Id = Field(..., description="A recent readiness check for the protocol that did not block")
    starts_at: DateTime
    open_weeks: int = Field(4, ge=1, le=52)
    avoid_regions: list[RegionId] = Field(default_factory=list, max_length=60)
    focus_regions: list[RegionId] = Field(default_factory=list, max_length=60)
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


class SessionStartIn(BodyIn):
    check_id: Id
    slot_id: Id | None = None


class SessionOut(Schema):
    id: int
    client_id: int
    plan_id: int | None
    slot_id: int | None
    protocol_id: str
    status: str
    steps: list[dict[str, Any]]
    dropped_steps: list[dict[str, Any]]
    current_step: int
    pauses: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    stop_check: str
    stop_reason: str
    content_version: str
    version: int


class StepIn(BodyIn):
    index: int = Field(..., ge=0, le=500)
    outcome: Literal["done", "skipped"]
    skip_reason: ShortText = ""


class VitalsIn(BodyIn):
    heart_rate: Vital | None = None
    spo2: Vital | None = None
    respiratory_rate: Vital | None = None
    temperature_c: Vital | None = None
    heart_rate_seconds: Vital | None = None
    spo2_seconds: Vital | None = None


class ObservationIn(BodyIn):
    key: Key = Field(..., description="Your id for this observation; sending it again stores it once")
    kind: Literal["cue", "state", "vitals"]
    code: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]*$")] = ""
    vitals: VitalsIn | None = None
    moment: Literal["before", "during", "after"] = "during"


class ObservationOut(Schema):
    id: int
    key: str
    kind: str
    code: str
    vitals: dict[str, float]
    moment: str
    observed_at: dt.datetime
    decision: str
    reasons: list[dict[str, Any]]
    session_status: str


class ReasonIn(BodyIn):
    reason: LongText


class NoteIn(BodyIn):
    version: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="The version you loaded. Leave it out only to write the first draft; once a note "
        "exists, a missing or older version is a 409 whose body carries `current_version`",
    )
    subjective: LongText = ""
    objective: LongText = ""
    assessment: LongText = ""
    plan_text: LongText = ""
    response: LongText = ""
    sleep_after: Literal["", "longer", "as_usual", "shorter", "did_not_sleep"] = ""
    stools: Literal["", "yes", "no"] = ""
    techniques: list[RegionId] = Field(default_factory=list, max_length=80)
    regions: list[RegionId] = Field(default_factory=list, max_length=60)
    pressure: Literal["", "light", "moderate", "firm"] = ""
    minutes: float | None = Field(None, ge=0, le=600, allow_inf_nan=False)


class AmendmentOut(Schema):
    id: int
    text: str
    reason: str
    author: str
    created_at: dt.datetime


class NoteOut(Schema):
    id: int
    kind: str
    subjective: str
    objective: str
    assessment: str
    plan_text: str
    response: str
    sleep_after: str
    stools: str
    techniques: list[str]
    regions: list[str]
    pressure: str
    minutes: float | None
    signed_at: dt.datetime | None
    version: int
    amendments: list[AmendmentOut]


class SignIn(BodyIn):
    version: int = Field(..., ge=1)


class AmendIn(BodyIn):
    text: LongText
    reason: ShortText


class AdverseIn(BodyIn):
    occurred_at: DateTime
    what: LongText
    severity: Literal["mild", "moderate", "severe", "serious"]
    action_taken: LongText
    follow_up: LongText = ""
    session_id: Id | None = None


class AdverseOut(Schema):
    id: int
    session_id: int | None
    occurred_at: dt.datetime
    what: str
    severity: str
    action_taken: str
    follow_up: str
    version: int


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


def _session(s: Session) -> SessionOut:
    return SessionOut(
        id=s.pk,
        client_id=s.client_id,
        plan_id=s.plan_id,
        slot_id=s.slot_id,
        protocol_id=s.protocol_id,
        status=s.status,
        steps=s.steps,
        dropped_steps=s.dropped_steps,
        current_step=s.current_step,
        pauses=s.pauses,
        started_at=s.started_at,
        ended_at=s.ended_at,
        stop_check=s.stop_check,
        stop_reason=s.stop_reason,
        content_version=s.content_version,
        version=s.version,
    )


def _observation(o: Observation, status: str) -> ObservationOut:
    return ObservationOut(
        id=o.pk,
        key=o.key,
        kind=o.kind,
        code=o.code,
        vitals=o.vitals,
        moment=o.moment,
        observed_at=o.observed_at,
        decision=o.decision,
        reasons=o.reasons,
        session_status=status,
    )


def _note(n: Note) -> NoteOut:
    return NoteOut(
        id=n.pk,
        kind=n.kind,
        subjective=n.subjective,
        objective=n.objective,
        assessment=n.assessment,
        plan_text=n.plan_text,
        response=n.response,
        sleep_after=n.sleep_after,
        stools=n.stools,
        techniques=n.techniques,
        regions=n.regions,
        pressure=n.pressure,
        minutes=n.minutes,
        signed_at=n.signed_at,
        version=n.version,
        amendments=[
            AmendmentOut(
                id=a.pk, text=a.text, reason=a.reason, author=a.author.email, created_at=a.created_at
            )
            for a in n.amendments.all()
        ],
    )


def _adverse(e: AdverseEvent) -> AdverseOut:
    return AdverseOut(
        id=e.pk,
        session_id=e.session_id,
        occurred_at=e.occurred_at,
        what=e.what,
        severity=e.severity,
        action_taken=e.action_taken,
        follow_up=e.follow_up,
        version=e.version,
    )


# --- plans ----------------------------------------------------------------------------------------------
@router.get(
    "/clients/{client_id}/plans",
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
    response=responses({201: PlanOut}, 403, 404, 409),
    summary="Enrol a client on a protocol (after a passing readiness check)",
)
@needs(Perm.SESSION_RECORD)
def plan_create(request: HttpRequest, client_id: Id, payload: PlanIn) -> Status[PlanOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="enrolled on a plan")
    data = payload.model_dump()
    check = readiness_check_get(client=client, check_id=data.pop("check_id"))
    plan = services.plan_create(actor=actor, client=client, check=check, **data)
    return Status(201, _plan(plan))


@router.get(
    "/clients/{client_id}/plans/{plan_id}",
    response=responses({200: PlanOut}, 403, 404),
    summary="One plan with adherence and fidelity",
)
@needs(Perm.CLIENT_VIEW)
def plan_get(request: HttpRequest, client_id: Id, plan_id: Id) -> PlanOut:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a plan")
    return _plan(selectors.plan_get(client=client, plan_id=plan_id))


@router.get(
    "/clients/{client_id}/plans/{plan_id}/schedule",
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
    how: Literal["record", "in_session", "elsewhere", "not_for_age"] = Field(
        description="record: with the instruments in record_with; in_session: by the session player; "
        "elsewhere: not recorded in Kneadwell; not_for_age: the instrument does not suit the client's age"
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


# --- sessions -------------------------------------------------------------------------------------------
@router.post(
    "/clients/{client_id}/sessions",
    response=responses({201: SessionOut}, 403, 404, 409),
    summary="Start a guided session from a passing readiness check",
)
@needs(Perm.SESSION_RECORD)
def session_start(request: HttpRequest, client_id: Id, payload: SessionStartIn) -> Status[SessionOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="started a session")
    check = readiness_check_get(client=client, check_id=payload.check_id)
    slot = selectors.slot_get(client=client, slot_id=payload.slot_id) if payload.slot_id else None
    return Status(201, _session(services.session_start(actor=actor, client=client, check=check, slot=slot)))


@router.get(
    "/clients/{client_id}/sessions",
    response=responses({200: list[SessionOut]}, 403, 404),
    summary="A client's sessions, newest first",
)
@needs(Perm.CLIENT_VIEW)
def session_list(request: HttpRequest, client_id: Id) -> list[SessionOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="listed sessions")
    return [_session(s) for s in selectors.sessions_of(client=client)[:200]]


@router.get("/sessions/{session_id}", response=responses({200: SessionOut}, 403, 404), summary="One session")
@needs(Perm.CLIENT_VIEW)
def session_get(request: HttpRequest, session_id: Id) -> SessionOut:
    return _session(selectors.session_get(actor=actor_of(request), session_id=session_id))


@router.post(
    "/sessions/{session_id}/steps",
    response=responses({200: SessionOut}, 403, 404, 409),
    summary="Finish or skip the current step",
)
@needs(Perm.SESSION_RECORD)
def session_step(request: HttpRequest, session_id: Id, payload: StepIn) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="recorded a step")
    return _session(
        services.session_step(
            actor=actor,
            session=session,
            index=payload.index,
            outcome=payload.outcome,
            skip_reason=payload.skip_reason,
        )
    )


@router.post(
    "/sessions/{session_id}/observations",
    response=responses({201: ObservationOut}, 403, 404, 409),
    summary="Record a cue, a behavioural state or vital signs; the stop rules answer at once",
)
@needs(Perm.SESSION_RECORD)
def session_observe(request: HttpRequest, session_id: Id, payload: ObservationIn) -> Status[ObservationOut]:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="recorded an observation")
    obs = services.session_observe(
        actor=actor,
        session=session,
        key=payload.key,
        kind=payload.kind,
        code=payload.code,
        vitals=payload.vitals.model_dump() if payload.vitals else None,
        moment=payload.moment,
    )
    session.refresh_from_db()
    return Status(201, _observation(obs, session.status))


@router.post(
    "/sessions/{session_id}/pause", response=responses({200: SessionOut}, 403, 404, 409), summary="Pause"
)
@needs(Perm.SESSION_RECORD)
def session_pause(request: HttpRequest, session_id: Id) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="paused a session")
    return _session(services.session_pause(actor=actor, session=session))


@router.post(
    "/sessions/{session_id}/resume", response=responses({200: SessionOut}, 403, 404, 409), summary="Resume"
)
@needs(Perm.SESSION_RECORD)
def session_resume(request: HttpRequest, session_id: Id) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="resumed a session")
    return _session(services.session_resume(actor=actor, session=session))


@router.post(
    "/sessions/{session_id}/stop",
    response=responses({200: SessionOut}, 403, 404, 409),
    summary="Stop the session, with the reason",
)
@needs(Perm.SESSION_RECORD)
def session_stop(request: HttpRequest, session_id: Id, payload: ReasonIn) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="stopped a session")
    return _session(services.session_stop(actor=actor, session=session, reason=payload.reason))


@router.post(
    "/sessions/{session_id}/complete",
    response=responses({200: SessionOut}, 403, 404, 409),
    summary="Complete the session (every step done or skipped)",
)
@needs(Perm.SESSION_RECORD)
def session_complete(request: HttpRequest, session_id: Id) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="completed a session")
    return _session(services.session_complete(actor=actor, session=session))


# --- notes ----------------------------------------------------------------------------------------------
@router.get(
    "/sessions/{session_id}/note", response=responses({200: NoteOut}, 403, 404), summary="The session note"
)
@needs(Perm.CLIENT_VIEW)
def note_get(request: HttpRequest, session_id: Id) -> NoteOut:
    session = selectors.session_get(actor=actor_of(request), session_id=session_id, purpose="read the note")
    note = selectors.note_of(session=session)
    if note is None:
        raise NotFound("No note yet.")
    return _note(note)


@router.put(
    "/sessions/{session_id}/note",
    response=responses({200: NoteOut}, 403, 404, 409),
    summary="Write or change the draft note (the version you loaded is required to change it)",
)
@needs(Perm.NOTE_SIGN)
def note_put(request: HttpRequest, session_id: Id, payload: NoteIn) -> NoteOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="wrote the note")
    data = payload.model_dump()
    version = data.pop("version")
    note = services.note_save(actor=actor, session=session, expected_version=version, **data)
    return _note(note)


@router.post(
    "/sessions/{session_id}/note/sign",
    response=responses({200: NoteOut}, 403, 404, 409),
    summary="Sign and lock the note",
)
@needs(Perm.NOTE_SIGN)
def note_sign(request: HttpRequest, session_id: Id, payload: SignIn) -> NoteOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="signed the note")
    note = selectors.note_of(session=session)
    if note is None:
        raise NotFound("No note yet.")
    return _note(services.note_sign(actor=actor, note=note, expected_version=payload.version))


@router.post(
    "/sessions/{session_id}/note/amendments",
    response=responses({201: NoteOut}, 403, 404),
    summary="Amend a signed note (the original is kept)",
)
@needs(Perm.NOTE_SIGN)
def note_amend(request: HttpRequest, session_id: Id, payload: AmendIn) -> Status[NoteOut]:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="amended the note")
    note = selectors.note_of(session=session)
    if note is None:
        raise NotFound("No note yet.")
    services.note_amend(actor=actor, note=note, text=payload.text, reason=payload.reason)
    refreshed = selectors.note_of(session=session)
    assert refreshed is not None
    return Status(201, _note(refreshed))


# --- adverse events -------------------------------------------------------------------------------------
@router.get(
    "/clients/{client_id}/adverse-events",
    response=responses({200: list[AdverseOut]}, 403, 404),
    summary="A client's adverse events",
)
@needs(Perm.CLIENT_VIEW)
def adverse_list(request: HttpRequest, client_id: Id) -> list[AdverseOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="listed adverse events")
    return [_adverse(e) for e in selectors.adverse_events_of(client=client)[:200]]


@router.post(
    "/clients/{client_id}/adverse-events",
    response=responses({201: AdverseOut}, 403, 404),
    summary="Report an adverse event",
)
@needs(Perm.SESSION_RECORD)
def adverse_create(request: HttpRequest, client_id: Id, payload: AdverseIn) -> Status[AdverseOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="reported an adverse event")
    data = payload.model_dump()
    session_id = data.pop("session_id")
    session = selectors.session_get(actor=actor, session_id=session_id) if session_id else None
    return Status(
        201, _adverse(services.adverse_event_record(actor=actor, client=client, session=session, **data))
    )


# --- export ---------------------------------------------------------------------------------------------
SESSION_CSV_COLUMNS = (
    "session_id",
    "client_id",
    "client_identifier",
    "protocol_id",
    "plan_id",
    "status",
    "started_at",
    "ended_at",
    "steps_planned",
    "steps_done",
    "steps_skipped",
    "minutes",
    "pauses",
    "stop_check",
    "stop_reason",
    "content_version",
)


def sessions_csv(sessions: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SESSION_CSV_COLUMNS)
    for s in sessions:
        logs = list(s.step_logs.all())
        writer.writerow(
            [
                s.pk,
                s.client_id,
                s.client.identifier,
                s.protocol_id,
                s.plan_id or "",
                s.status,
                s.started_at.isoformat(),
                s.ended_at.isoformat() if s.ended_at else "",
                len(s.steps),
                sum(1 for x in logs if x.outcome == "done"),
                sum(1 for x in logs if x.outcome == "skipped"),
                round(sum(x.seconds for x in logs) / 60, 2),
                s.pauses,
                s.stop_check,
                s.stop_reason,
                s.content_version,
            ]
        )
    return out.getvalue()


@router.get(
    "/sessions.csv",
    response={200: str, 401: ErrorOut, 403: ErrorOut},
    summary="All sessions as CSV (administrators: a bulk file, like the page's CSV download)",
    openapi_extra={"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
@needs(Perm.EXPORT_DATA)
def sessions_export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    sessions = (
        Session.objects.filter(client__in=client_queryset(actor=actor, include_archived=True))
        .select_related("client")
        .prefetch_related("step_logs")
        .order_by("started_at")[:100_000]
    )
    from kneadwell.audit.services import Action
    from kneadwell.audit.writes import audit_action

    audit_action(actor=actor, action=Action.EXPORT, entity="session", summary="exported sessions as CSV")
    response = HttpResponse(sessions_csv(sessions), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kneadwell-sessions.csv"'
    return response
