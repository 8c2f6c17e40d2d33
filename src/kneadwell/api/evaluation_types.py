"""Schemas of the evaluation API (issue 13). A participant's schema carries the arm only for the study
roles; the assessor's schemas (EvaluationTaskOut) are built field by field and carry nothing of the arm."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from kneadwell.api.types import BodyIn, DateOrDateTime, Id, LongText, Name, ShortText
from kneadwell.evaluation.methods import analysis as an
from kneadwell.evaluation.methods import consort as co
from kneadwell.evaluation.models import Arm, Participant, Study, StudyOutcome

Day = Annotated[int, Field(ge=0, le=3650)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
Factor = Literal["site", "gestation_band", "sex"]
Measure = Literal["value", "change", "gain_per_day", "velocity", "event"]
Population = Literal["itt", "per_protocol"]


class EvaluationStudyIn(BodyIn):
    code: Annotated[str, Field(min_length=2, max_length=12)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    question: LongText
    population: LongText
    eligibility: LongText = Field("", description="One criterion per line, e.g. 'gestation_weeks < 32'")
    screener_checks: list[ShortText] = Field(default_factory=list, max_length=20)
    target_size: Annotated[int, Field(ge=2, le=10_000)]
    registration: Annotated[str, Field(max_length=80)] = ""
    strata: list[Factor] = Field(default_factory=list, max_length=3)
    sites: list[Name] = Field(default_factory=list, max_length=20)
    gestation_cuts: list[Annotated[int, Field(ge=23, le=42)]] = Field(default_factory=list, max_length=5)
    block_sizes: list[Annotated[int, Field(ge=1, le=24)]] = Field(
        default_factory=lambda: [2, 4], max_length=6
    )


class EvaluationArmIn(BodyIn):
    code: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z][a-z0-9_]*$")]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: LongText = ""
    protocol_id: Annotated[str, Field(max_length=60)] = ""
    ratio: Annotated[int, Field(ge=1, le=10)] = 1
    is_control: bool = False


class EvaluationOutcomeIn(BodyIn):
    code: Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[a-z][a-z0-9_]*$")]
    name: Annotated[str, Field(min_length=1, max_length=150)]
    instrument_id: Annotated[str, Field(min_length=1, max_length=64)]
    measure: Measure
    days: list[Day] = Field(..., min_length=1, max_length=20)
    analysis_day: Day
    baseline_day: Day | None = None
    window_days: Annotated[int, Field(ge=0, le=30)] = 1
    primary: bool = False
    threshold: Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)] | None = None
    direction: Literal["ge", "le"] = "ge"


class EvaluationVersionIn(BodyIn):
    version: Version = Field(..., description="The version you loaded; a newer one on the server is a 409")


class EvaluationGenerateIn(BodyIn):
    seed: Annotated[str, Field(max_length=128)] = Field(
        "", description="Empty: a new random seed. Give one only to reproduce a list made with it."
    )


class EvaluationUploadIn(BodyIn):
    csv: Annotated[str, Field(min_length=1, max_length=2_000_000)]
    filename: Annotated[str, Field(max_length=100)] = ""


class EvaluationScreenIn(BodyIn):
    client_id: Id
    checks_confirmed: list[bool] = Field(default_factory=list, max_length=20)
    site: Annotated[str, Field(max_length=80)] = ""
    decision: Literal["enrol", "declined", "excluded"] = "enrol"
    reason: Annotated[str, Field(max_length=1000)] = ""


class EvaluationReceivedIn(BodyIn):
    received: bool
    note: Annotated[str, Field(max_length=1000)] = ""


class EvaluationWithdrawIn(BodyIn):
    kind: Literal["consent", "lost", "clinical", "adverse", "discharged", "other"]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    data_kept: bool = True


class EvaluationAssessmentIn(BodyIn):
    instrument_id: Annotated[str, Field(min_length=1, max_length=64)]
    day: Day
    taken_at: DateOrDateTime
    answers: dict[str, Any] = Field(..., description="As POST /clients/{id}/measurements takes them")
    confirm_unusual: bool = False
    notes: Annotated[str, Field(max_length=5000)] = ""


class EvaluationArmOut(Schema):
    code: str
    name: str
    description: str
    protocol_id: str
    ratio: int
    is_control: bool


class EvaluationOutcomeOut(Schema):
    code: str
    name: str
    instrument_id: str
    measure: str
    days: list[int]
    analysis_day: int
    baseline_day: int | None
    window_days: int
    primary: bool
    unit: str


class EvaluationStudyOut(Schema):
    id: int
    code: str
    title: str
    question: str
    population: str
    status: str
    target_size: int
    registration: str
    eligibility: list[dict[str, Any]]
    screener_checks: list[str]
    strata: list[str]
    sites: list[str]
    gestation_cuts: list[int]
    block_sizes: list[int]
    version: int
    arms: list[EvaluationArmOut]
    outcomes: list[EvaluationOutcomeOut]


def study_out(study: Study, arms: list[Arm], outcomes: list[StudyOutcome]) -> EvaluationStudyOut:
    return EvaluationStudyOut(
        id=study.pk,
        code=study.code,
        title=study.title,
        question=study.question,
        population=study.population,
        status=study.status,
        target_size=study.target_size,
        registration=study.registration,
        eligibility=study.eligibility,
        screener_checks=study.screener_checks,
        strata=study.strata,
        sites=study.sites,
        gestation_cuts=study.gestation_cuts,
        block_sizes=study.block_sizes,
        version=study.version,
        arms=[
            EvaluationArmOut(
                code=a.code,
                name=a.name,
                description=a.description,
                protocol_id=a.protocol_id,
                ratio=a.ratio,
                is_control=a.is_control,
            )
            for a in arms
        ],
        outcomes=[
            EvaluationOutcomeOut(
                code=o.code,
                name=o.name,
                instrument_id=o.instrument_id,
                measure=o.measure,
                days=o.days,
                analysis_day=o.analysis_day,
                baseline_day=o.baseline_day,
                window_days=o.window_days,
                primary=o.primary,
                unit=o.unit,
            )
            for o in outcomes
        ],
    )


class EvaluationParticipantOut(Schema):
    id: int
    code: str
    client_id: int | None = Field(None, description="Only for roles that may read client records")
    status: str
    screened_at: dt.datetime
    exclusion_reason: str
    site: str
    stratum: str
    arm: str | None
    randomised_at: dt.datetime | None
    received: bool | None
    withdrawn_at: dt.datetime | None
    withdrawal: str
    withdrawal_reason: str
    data_kept: bool
    version: int


def participant_out(p: Participant, *, named: bool) -> EvaluationParticipantOut:
    return EvaluationParticipantOut(
        id=p.pk,
        code=p.code,
        client_id=p.client_id if named else None,
        status=p.status,
        screened_at=p.screened_at,
        exclusion_reason=p.exclusion_reason,
        site=p.site,
        stratum=p.stratum,
        arm=p.arm.code if p.arm else None,
        randomised_at=p.randomised_at,
        received=p.received,
        withdrawn_at=p.withdrawn_at,
        withdrawal=p.withdrawal,
        withdrawal_reason=p.withdrawal_reason,
        data_kept=p.data_kept,
        version=p.version,
    )


class EvaluationSlotOut(Schema):
    stratum: str
    position: int
    block: int
    block_size: int
    arm: str
    participant: str | None
    used_at: dt.datetime | None


class EvaluationAllocationOut(Schema):
    method: str | None
    algorithm: str
    seed: str
    table_sha256: str
    reproduces: bool | None
    balance_problems: list[str]
    slots: list[EvaluationSlotOut]


class EvaluationDueOut(Schema):
    participant: str
    instrument_id: str
    day: int
    opens: dt.date
    due: dt.date
    closes: dt.date
    status: str
    value: float | None
    blinded: bool | None


class EvaluationMissingOut(Schema):
    outcome: str
    arm: str
    randomised: int
    with_data: int
    reasons: dict[str, int]


class EvaluationFollowUpOut(Schema):
    time_points: list[EvaluationDueOut]
    missing: list[EvaluationMissingOut]


class EvaluationArmFlowOut(Schema):
    label: str
    allocated: int
    received: int
    not_received: int
    received_unknown: int
    lost: int
    discontinued: int
    analysed: int
    not_analysed: int


class EvaluationConsortOut(Schema):
    analysis: str
    assessed: int
    excluded: int
    not_eligible: int
    declined: int
    excluded_other: int
    awaiting: int
    randomised: int
    arms: list[EvaluationArmFlowOut]


def consort_out(flow: co.Flow) -> EvaluationConsortOut:
    return EvaluationConsortOut(
        analysis=flow.analysis,
        assessed=flow.assessed,
        excluded=flow.excluded,
        not_eligible=flow.not_eligible,
        declined=flow.declined,
        excluded_other=flow.excluded_other,
        awaiting=flow.awaiting,
        randomised=flow.randomised,
        arms=[EvaluationArmFlowOut(**vars(a)) for a in flow.arms],
    )


class EvaluationArmSummaryOut(Schema):
    code: str
    label: str
    randomised: int
    analysed: int
    missing: int
    mean: float | None
    sd: float | None
    events: int | None
    baseline_mean: float | None


class EvaluationComparisonOut(Schema):
    arm: str
    control: str
    measure: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n: int
    model: str
    note: str


class EvaluationOutcomeResultOut(Schema):
    outcome: str
    name: str
    primary: bool
    kind: str
    unit: str
    arms: list[EvaluationArmSummaryOut]
    comparisons: list[EvaluationComparisonOut]
    notes: list[str]


class EvaluationAnalysisOut(Schema):
    population: str
    outcomes: list[EvaluationOutcomeResultOut]


def result_out(outcome: StudyOutcome, result: an.OutcomeResult) -> EvaluationOutcomeResultOut:
    return EvaluationOutcomeResultOut(
        outcome=outcome.code,
        name=outcome.name,
        primary=outcome.primary,
        kind=result.kind,
        unit=outcome.unit,
        arms=[
            EvaluationArmSummaryOut(
                code=a.code,
                label=a.label,
                randomised=a.randomised,
                analysed=a.analysed,
                missing=a.missing,
                mean=a.mean,
                sd=a.sd,
                events=a.events,
                baseline_mean=a.baseline_mean,
            )
            for a in result.arms
        ],
        comparisons=[EvaluationComparisonOut(**vars(c)) for c in result.comparisons],
        notes=result.notes,
    )


class EvaluationTaskOut(Schema):
    """One time point for an assessor: who and what, never the arm."""

    participant_id: int
    participant_code: str
    study_code: str
    client_name: str
    client_identifier: str
    birth_date: dt.date
    instrument_id: str
    instrument_name: str
    day: int
    opens: dt.date
    due: dt.date
    closes: dt.date
    status: str


class EvaluationAssessmentOut(Schema):
    id: int
    participant_code: str
    instrument_id: str
    day: int
    measurement_id: int
    blinded: bool
    entered_role: str
