"""The content library, intake, today's readiness check and clinician releases."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Date, Id, LongText
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import NotFound
from kneadwell.library import selectors, services
from kneadwell.library.models import Intake, ReadinessCheck, Release

router = Router(tags=["library"])
ContentId = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
Answers = Annotated[dict[Annotated[str, Field(max_length=60)], Any], Field(max_length=200)]


class TechniqueOut(Schema):
    id: str
    name: str
    kind: str
    description_parent: str
    description_clinician: str
    regions: list[str]
    pressure: list[str]
    populations: list[str]
    min_age_days: int | None
    min_pma_weeks: float | None
    precautions: list[str]
    sources: list[str]


class DoseOut(Schema):
    sessions_per_day: int | None
    session_minutes: float | None
    days: int | None
    sessions_per_week: int | None
    weeks: int | None
    timing: str | None
    sources: list[str]


class StepOut(Schema):
    technique: str
    regions: list[str]
    phase: str | None
    minutes: float | None
    repetitions: int | None
    pressure: str | None
    optional: bool


class ProtocolOut(Schema):
    id: str
    name: str
    population: str
    populations: list[str]
    summary_parent: str
    summary_clinician: str
    dose: DoseOut
    steps: list[StepOut]
    outcome_measures: list[str]
    rules: list[str]
    evidence_parent: str
    evidence_clinician: str
    sources: list[str]


class RuleOut(Schema):
    id: str
    title: str
    category: str
    action: str
    text_parent: str
    text_clinician: str
    instead: str
    basis: str
    sources: list[str]


class QuestionOut(Schema):
    id: str
    label: str
    help: str
    type: str
    unit: str | None
    min: float | None
    max: float | None
    choices: list[str]
    required: bool
    ask_if: dict[str, Any] | None
    sources: list[str]


class QuestionParams(Schema):
    population: Literal["preterm_infant", "infant", "child", "stroke", "rehab"]
    scope: Literal["intake", "today"]


class IntakeIn(BodyIn):
    population: Literal["preterm_infant", "infant", "child", "stroke", "rehab"]
    answers: Answers
    version: int | None = Field(
        None, ge=1, description="The version you loaded; required to change an intake"
    )


class IntakeOut(Schema):
    id: int
    population: str
    answers: dict[str, Any]
    version: int
    content_version: str
    updated_at: dt.datetime


class CheckIn(BodyIn):
    protocol_id: ContentId
    answers: Answers


class CheckOut(Schema):
    id: int
    protocol_id: str
    population: str
    action: str
    blocks: bool
    stale: str | None = Field(
        None,
        description="Why this check can no longer start a session: another day, too old, record changed",
    )
    verdict: dict[str, Any]
    answers: dict[str, Any]
    content_version: str
    created_at: dt.datetime


class ReleaseIn(BodyIn):
    check_id: int = Field(
        ..., ge=1, description="The readiness check that found the rule: the release covers its finding"
    )
    rule_id: ContentId
    note: LongText = Field(
        ..., description="What was checked and why massage is safe (15 characters or more)"
    )
    valid_until: Date | None = Field(
        None, description="Last day of the release; default and maximum: 7 days or the plan's end, if sooner"
    )


class ReleaseOut(Schema):
    id: int
    protocol_id: str
    rule_id: str
    note: str
    check_id: int | None
    finding: dict[str, Any] | None
    valid_until: dt.date | None
    revoked_at: dt.datetime | None
    created_at: dt.datetime


def _technique(t: Any) -> TechniqueOut:
    return TechniqueOut(
        id=t.id,
        name=t.name,
        kind=t.kind,
        description_parent=t.description_parent,
        description_clinician=t.description_clinician,
        regions=list(t.regions),
        pressure=list(t.pressure),
        populations=list(t.suits.populations),
        min_age_days=t.suits.min_age_days,
        min_pma_weeks=t.suits.min_pma_weeks,
        precautions=list(t.precautions),
        sources=list(t.sources),
    )


def _protocol(p: Any) -> ProtocolOut:
    lib = selectors.library()
    steps = [s for r in p.routines for s in lib.routines[r].steps]
    return ProtocolOut(
        id=p.id,
        name=p.name,
        population=p.population,
        populations=list(p.populations),
        summary_parent=p.summary_parent,
        summary_clinician=p.summary_clinician,
        dose=DoseOut(
            sessions_per_day=p.dose.sessions_per_day,
            session_minutes=p.dose.session_minutes,
            days=p.dose.days,
            sessions_per_week=p.dose.sessions_per_week,
            weeks=p.dose.weeks,
            timing=p.dose.timing,
            sources=list(p.dose.sources),
        ),
        steps=[
            StepOut(
                technique=s.technique,
                regions=list(s.regions),
                phase=s.phase,
                minutes=s.minutes,
                repetitions=s.repetitions,
                pressure=s.pressure,
                optional=s.optional,
            )
            for s in steps
        ],
        outcome_measures=list(p.outcome_measures),
        rules=[r.id for r in lib.rules_for(p.id, p.population)],
        evidence_parent=p.evidence.summary_parent,
        evidence_clinician=p.evidence.summary_clinician,
        sources=list(p.sources),
    )


def _check(c: ReadinessCheck, client: Any) -> CheckOut:
    return CheckOut(
        id=c.pk,
        protocol_id=c.protocol_id,
        population=c.population,
        action=c.action,
        blocks=c.blocks,
        stale=selectors.check_stale_reason(check=c, client=client),
        verdict=c.verdict,
        answers=c.answers,
        content_version=c.content_version,
        created_at=c.created_at,
    )


def _intake(i: Intake) -> IntakeOut:
    return IntakeOut(
        id=i.pk,
        population=i.population,
        answers=i.answers,
        version=i.version,
        content_version=i.content_version,
        updated_at=i.updated_at,
    )


def _release(r: Release) -> ReleaseOut:
    return ReleaseOut(
        id=r.pk,
        protocol_id=r.protocol_id,
        rule_id=r.rule_id,
        note=r.note,
        check_id=r.readiness_check_id,
        finding=r.finding,
        valid_until=r.valid_until,
        revoked_at=r.revoked_at,
        created_at=r.created_at,
    )


@router.get(
    "/library/techniques", response=responses({200: list[TechniqueOut]}, 403), summary="All techniques"
)
@needs(Perm.LIBRARY_VIEW)
def technique_list(request: HttpRequest) -> list[TechniqueOut]:
    return [_technique(t) for t in selectors.library().techniques.values()]


@router.get(
    "/library/techniques/{technique_id}",
    response=responses({200: TechniqueOut}, 403, 404),
    summary="One technique",
)
@needs(Perm.LIBRARY_VIEW)
def technique_get(request: HttpRequest, technique_id: ContentId) -> TechniqueOut:
    item = selectors.library().techniques.get(technique_id)
    if item is None:
        raise NotFound(_("No such technique."))
    return _technique(item)


@router.get("/library/protocols", response=responses({200: list[ProtocolOut]}, 403), summary="All protocols")
@needs(Perm.LIBRARY_VIEW)
def protocol_list(request: HttpRequest) -> list[ProtocolOut]:
    return [_protocol(p) for p in selectors.library().protocols.values()]


@router.get(
    "/library/protocols/{protocol_id}",
    response=responses({200: ProtocolOut}, 403, 404),
    summary="One protocol: dose, steps, rules, evidence",
)
@needs(Perm.LIBRARY_VIEW)
def protocol_get(request: HttpRequest, protocol_id: ContentId) -> ProtocolOut:
    item = selectors.library().protocols.get(protocol_id)
    if item is None:
        raise NotFound(_("No such protocol."))
    return _protocol(item)


@router.get("/library/rules", response=responses({200: list[RuleOut]}, 403), summary="All safety rules")
@needs(Perm.LIBRARY_VIEW)
def rule_list(request: HttpRequest) -> list[RuleOut]:
    return [
        RuleOut(
            id=r.id,
            title=r.title,
            category=r.category,
            action=str(r.action),
            text_parent=r.text_parent,
            text_clinician=r.text_clinician,
            instead=r.instead,
            basis=r.basis,
            sources=list(r.sources),
        )
        for r in selectors.library().rules.values()
    ]


@router.get(
    "/library/questions",
    response=responses({200: list[QuestionOut]}, 403),
    summary="The intake or today's-check questions for a population",
)
@needs(Perm.LIBRARY_VIEW)
def question_list(request: HttpRequest, params: Query[QuestionParams]) -> list[QuestionOut]:
    lib = selectors.library()
    out = []
    for q in lib.questions_for(params.population, params.scope):
        choices = (
            list(lib.conditions)
            if q.choices_from == "conditions"
            else list(lib.states)
            if q.choices_from == "states"
            else [c.id for c in q.choices]
        )
        if q.type == "region_multi_choice":
            choices = [r.id for r in lib.regions.values() if r.kind in ("area", "group")]
        out.append(
            QuestionOut(
                id=q.id,
                label=q.label,
                help=q.help,
                type=q.type,
                unit=q.unit,
                min=q.min,
                max=q.max,
                choices=choices,
                required=q.required,
                ask_if=q.ask_if.model_dump() if q.ask_if else None,
                sources=list(q.sources),
            )
        )
    return out


@router.get(
    "/clients/{client_id}/intake",
    response=responses({200: IntakeOut}, 403, 404),
    summary="A client's intake (health history)",
)
@needs(Perm.CLIENT_VIEW)
def intake_get(request: HttpRequest, client_id: Id) -> IntakeOut:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="read the intake")
    intake = selectors.intake_for(client=client)
    if intake is None:
        raise NotFound(_("No intake recorded yet."))
    return _intake(intake)


@router.put(
    "/clients/{client_id}/intake",
    response=responses({200: IntakeOut}, 403, 404, 409),
    summary="Record or replace a client's intake answers",
)
@needs(Perm.CLIENT_EDIT)
def intake_put(request: HttpRequest, client_id: Id, payload: IntakeIn) -> IntakeOut:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="recorded the intake")
    intake = services.intake_save(
        actor=actor,
        client=client,
        population=payload.population,
        answers=payload.answers,
        expected_version=payload.version,
    )
    return _intake(intake)


@router.post(
    "/clients/{client_id}/readiness-checks",
    response=responses({201: CheckOut}, 403, 404, 409),
    summary="Today's check: screen the client for a protocol and return the verdict",
)
@needs(Perm.SESSION_RECORD)
def check_create(request: HttpRequest, client_id: Id, payload: CheckIn) -> Status[CheckOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="ran today's check")
    check = services.readiness_check_run(
        actor=actor, client=client, protocol_id=payload.protocol_id, answers=payload.answers
    )
    return Status(201, _check(check, client))


@router.get(
    "/clients/{client_id}/readiness-checks",
    response=responses({200: list[CheckOut]}, 403, 404),
    summary="A client's readiness checks, newest first",
)
@needs(Perm.CLIENT_VIEW)
def check_list(request: HttpRequest, client_id: Id) -> list[CheckOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="listed readiness checks")
    checks = list(selectors.readiness_check_list(client=client)[:100])
    # Only a check from the last hour reads the record again; older ones are stale by age alone.
    return [_check(c, client) for c in checks]


@router.post(
    "/clients/{client_id}/releases",
    response=responses({201: ReleaseOut}, 403, 404, 422),
    summary="A clinician releases a needs-release rule a check found, for the finding as that check saw it",
)
@needs(Perm.RELEASE_GIVE)
def release_create(request: HttpRequest, client_id: Id, payload: ReleaseIn) -> Status[ReleaseOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="released a rule")
    release = services.release_give(
        actor=actor,
        client=client,
        check=selectors.readiness_check_get(client=client, check_id=payload.check_id),
        rule_id=payload.rule_id,
        note=payload.note,
        valid_until=payload.valid_until,
    )
    return Status(201, _release(release))


@router.post(
    "/clients/{client_id}/releases/{release_id}/revoke",
    response=responses({200: ReleaseOut}, 403, 404),
    summary="Revoke a release",
)
@needs(Perm.RELEASE_GIVE)
def release_revoke(request: HttpRequest, client_id: Id, release_id: Id) -> ReleaseOut:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="revoked a release")
    return _release(
        services.release_revoke(
            actor=actor, release=selectors.release_get(client=client, release_id=release_id)
        )
    )
