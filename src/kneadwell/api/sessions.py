"""Guided sessions: starting, steps, observations (the stop rules answer at once), pause, resume, stop,
complete, and the CSV export of every session.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_care_…`)
before the care router was split, and clients and tests refer to them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.care_types import Key, Vital
from kneadwell.api.errors import ErrorOut, responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Id, LongText, ShortText
from kneadwell.care import selectors, services
from kneadwell.care.models import Observation, Session
from kneadwell.clients.selectors import client_get
from kneadwell.library.selectors import readiness_check_get

router = Router(tags=["care"])


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


@router.post(
    "/clients/{client_id}/sessions",
    operation_id="kneadwell_api_care_session_start",
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
    operation_id="kneadwell_api_care_session_list",
    response=responses({200: list[SessionOut]}, 403, 404),
    summary="A client's sessions, newest first",
)
@needs(Perm.CLIENT_VIEW)
def session_list(request: HttpRequest, client_id: Id) -> list[SessionOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="listed sessions")
    return [_session(s) for s in selectors.sessions_of(client=client)[:200]]


@router.get(
    "/sessions/{session_id}",
    operation_id="kneadwell_api_care_session_get",
    response=responses({200: SessionOut}, 403, 404),
    summary="One session",
)
@needs(Perm.CLIENT_VIEW)
def session_get(request: HttpRequest, session_id: Id) -> SessionOut:
    return _session(selectors.session_get(actor=actor_of(request), session_id=session_id))


@router.post(
    "/sessions/{session_id}/steps",
    operation_id="kneadwell_api_care_session_step",
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
    operation_id="kneadwell_api_care_session_observe",
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
    "/sessions/{session_id}/pause",
    response=responses({200: SessionOut}, 403, 404, 409),
    summary="Pause",
    operation_id="kneadwell_api_care_session_pause",
)
@needs(Perm.SESSION_RECORD)
def session_pause(request: HttpRequest, session_id: Id) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="paused a session")
    return _session(services.session_pause(actor=actor, session=session))


@router.post(
    "/sessions/{session_id}/resume",
    response=responses({200: SessionOut}, 403, 404, 409),
    summary="Resume",
    operation_id="kneadwell_api_care_session_resume",
)
@needs(Perm.SESSION_RECORD)
def session_resume(request: HttpRequest, session_id: Id) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="resumed a session")
    return _session(services.session_resume(actor=actor, session=session))


@router.post(
    "/sessions/{session_id}/stop",
    operation_id="kneadwell_api_care_session_stop",
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
    operation_id="kneadwell_api_care_session_complete",
    response=responses({200: SessionOut}, 403, 404, 409),
    summary="Complete the session (every step done or skipped)",
)
@needs(Perm.SESSION_RECORD)
def session_complete(request: HttpRequest, session_id: Id) -> SessionOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="completed a session")
    return _session(services.session_complete(actor=actor, session=session))


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
    operation_id="kneadwell_api_care_sessions_export",
    response={200: str, 401: ErrorOut, 403: ErrorOut},
    summary="All sessions as CSV (administrators: a bulk file, like the page's CSV download)",
    openapi_extra={"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
@needs(Perm.EXPORT_DATA)
def sessions_export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    sessions = selectors.sessions_for_export(actor=actor)
    from kneadwell.audit.services import Action
    from kneadwell.audit.writes import audit_action

    audit_action(actor=actor, action=Action.EXPORT, entity="session", summary="exported sessions as CSV")
    response = HttpResponse(sessions_csv(sessions), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kneadwell-sessions.csv"'
    return response
