"""The evidence library (claims with their GRADE certainty, studies, findings), pooling the library's
findings for an outcome, and an organisation's own meta-analyses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, LongText, Name, ShortText
from kneadwell.core.errors import NotFound
from kneadwell.evidence import selectors, services
from kneadwell.evidence.library import Category, Claim, Condition, Finding, Population, Study
from kneadwell.evidence.meta.pooling import MetaResult
from kneadwell.evidence.models import MetaAnalysis
from kneadwell.evidence.outcome_pool import OutcomeStatus

router = Router(tags=["evidence"])

Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_]*$")]
AnalysisId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
MeasureCode = Literal["RR", "OR", "RD", "MD", "SMD"]
MethodCode = Literal["REML", "DL", "PM"]
OutcomeCodeOrEmpty = Annotated[str, Field(max_length=80, pattern=r"^[a-z0-9_]*$")]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
# Finite and bounded: JSON parsers accept NaN and Infinity, and an effect on a log scale beyond ±1e6
# (or a mean beyond ±1e12) is a typing error, not data.
Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


# --- claims, studies, findings -----------------------------------------------------------------------
class GradeStepOut(Schema):
    domain: str
    levels: int
    reason: str


class GradeOut(Schema):
    start: str
    start_reason: str
    downgrades: list[GradeStepOut]
    upgrades: list[GradeStepOut]
    reason: str


class ClaimOut(Schema):
    id: str
    statement: str
    category: str | None
    populations: list[str]
    conditions: list[str]
    outcome_codes: list[str]
    evidence: str
    certainty: Literal["very_low", "low", "moderate", "high"]
    certainty_label: str = Field(description="The certainty in words, to show next to the claim")
    grade: GradeOut
    caveats: list[str]
    parent_text: str
    clinician_text: str
    supporting_findings: list[str]
    studies: list[str] = Field(description="Every study behind the claim: cited, then those of its findings")


class ClaimParams(Schema):
    population: Population | None = None
    condition: Condition | None = None
    category: Category | None = None
    include_unsupported: bool = Field(True, description="Include claims for which no study was found")


class CitationOut(Schema):
    short: str
    authors: list[str]
    year: int
    title: str
    journal: str
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    pmcid: str | None
    registry_id: str | None


class RiskOfBiasOut(Schema):
    level: str
    reason: str
    basis: str


class FindingOut(Schema):
    id: str
    study: str
    outcome: str
    outcome_code: str
    population: str
    comparison: str
    effect_measure: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    units: str | None
    summary_type: str
    summary_as_reported: str | None
    p_value: float | None
    p_value_as_reported: str | None
    notes: str | None


class StudyOut(Schema):
    id: str
    citation: CitationOut
    design: str
    population: str
    populations: list[str]
    conditions: list[str]
    n: int | None
    n_studies: int | None
    comparison: str | None
    risk_of_bias: RiskOfBiasOut
    limitations: list[str]
    url: str | None
    verified: bool
    verification_note: str | None
    findings: list[FindingOut]
    claims: list[str]


class OutcomeOut(Schema):
    code: str
    label: str
    findings: int
    poolable: bool
    measure: str | None
    reason: str
    used_findings: list[str]


class PooledStudyOut(Schema):
    label: str
    estimate: float
    ci_low: float
    ci_high: float
    weight: float = Field(description="Percent of the total weight")


class RelatedClaimOut(Schema):
    id: str
    statement: str
    certainty: str
    certainty_label: str


class PoolOut(Schema):
    k: int
    measure: str
    method: str
    estimate: float = Field(description="On the natural scale (a ratio for RR and OR)")
    ci_low: float
    ci_high: float
    log_estimate: float | None
    se: float = Field(description="On the analysis scale (log scale for RR and OR)")
    tau2: float | None
    i2: float | None = Field(description="Percent")
    q: float
    q_df: int
    q_p_value: float | None
    p_value: float = Field(description="z test of the pooled effect against no effect")
    studies: list[PooledStudyOut]
    notes: list[str]
    related_claims: list[RelatedClaimOut] = Field(
        description="The library's claims about this outcome, with the certainty that still applies"
    )


class LibraryPoolOut(PoolOut):
    outcome_code: str
    findings: list[str]
    content_version: str


class PoolParams(Schema):
    method: MethodCode = "REML"


def _claim(c: Claim) -> ClaimOut:
    lib = selectors.library()
    return ClaimOut(
        id=c.id,
        statement=c.statement,
        category=c.category,
        populations=list(c.populations),
        conditions=list(c.conditions),
        outcome_codes=list(c.outcome_codes),
        evidence=c.evidence,
        certainty=c.certainty,
        certainty_label=selectors.certainty_label(c.certainty),
        grade=GradeOut(
            start=c.grade.start,
            start_reason=c.grade.start_reason,
            downgrades=[
                GradeStepOut(domain=d.domain, levels=d.levels, reason=d.reason) for d in c.grade.downgrades
            ],
            upgrades=[
                GradeStepOut(domain=u.domain, levels=u.levels, reason=u.reason) for u in c.grade.upgrades
            ],
            reason=c.grade.reason,
        ),
        caveats=list(c.caveats),
        parent_text=c.parent_text,
        clinician_text=c.clinician_text,
        supporting_findings=list(c.supporting_findings),
        studies=[s.id for s in lib.studies_for_claim(c.id)],
    )


def _finding(f: Finding) -> FindingOut:
    return FindingOut(**f.model_dump(include=set(FindingOut.model_fields)))


def _study(s: Study) -> StudyOut:
    lib = selectors.library()
    c = s.citation
    return StudyOut(
        id=s.id,
        citation=CitationOut(short=c.short(), authors=list(c.authors), **c.model_dump(exclude={"authors"})),
        design=s.design,
        population=s.population,
        populations=list(s.populations),
        conditions=list(s.conditions),
        n=s.n,
        n_studies=s.n_studies,
        comparison=s.comparison,
        risk_of_bias=RiskOfBiasOut(**s.risk_of_bias.model_dump()),
        limitations=list(s.limitations),
        url=s.url,
        verified=s.verified,
        verification_note=s.verification_note,
        findings=[_finding(f) for f in lib.findings_for_study(s.id)],
        claims=[cl.id for cl in lib.claims.values() if s in lib.studies_for_claim(cl.id)],
    )


def _outcome(s: OutcomeStatus) -> OutcomeOut:
    return OutcomeOut(
        code=s.code,
        label=s.label,
        findings=len(s.uses),
        poolable=s.poolable,
        measure=s.measure,
        reason=s.reason,
        used_findings=[f.id for f in s.used],
    )


def _pool(result: MetaResult, outcome_code: str | None) -> dict[str, Any]:
    p = result.pooled
    related = selectors.related_claims(outcome_code) if outcome_code else []
    return {
        **result.to_json_dict(),
        "q_df": p.q_df,
        "q_p_value": p.q_p_value,
        "studies": [
            PooledStudyOut(label=label, estimate=est, ci_low=lo, ci_high=hi, weight=wt)
            for label, est, lo, hi, wt in result.study_intervals()
        ],
        "notes": list(result.effects.notes),
        "related_claims": [
            RelatedClaimOut(
                id=c.id,
                statement=c.statement,
                certainty=c.certainty,
                certainty_label=selectors.certainty_label(c.certainty),
            )
            for c in related
        ],
    }


@router.get(
    "/claims",
    response=responses({200: list[ClaimOut]}, 403),
    summary="Claims, most certain first, each with its GRADE certainty and reasons",
)
@needs(Perm.EVIDENCE_VIEW)
def claim_list(request: HttpRequest, params: Query[ClaimParams]) -> list[ClaimOut]:
    claims = selectors.library().claims_for(
        params.population, params.condition, params.category, include_unsupported=params.include_unsupported
    )
    return [_claim(c) for c in claims]


@router.get("/claims/{claim_id}", response=responses({200: ClaimOut}, 403, 404), summary="One claim")
@needs(Perm.EVIDENCE_VIEW)
def claim_get(request: HttpRequest, claim_id: Code) -> ClaimOut:
    item = selectors.library().claims.get(claim_id)
    if item is None:
        raise NotFound("No such claim in the evidence library.")
    return _claim(item)


@router.get(
    "/studies/{study_id}",
    response=responses({200: StudyOut}, 403, 404),
    summary="One study: citation, design, risk of bias, limitations and findings",
)
@needs(Perm.EVIDENCE_VIEW)
def study_get(request: HttpRequest, study_id: Code) -> StudyOut:
    item = selectors.library().studies.get(study_id)
    if item is None:
        raise NotFound("No such study in the evidence library.")
    return _study(item)


@router.get(
    "/outcomes",
    response=responses({200: list[OutcomeOut]}, 403),
    summary="Outcomes the library's findings measure, and whether each can be pooled (and why not)",
)
@needs(Perm.EVIDENCE_VIEW)
def outcome_list(request: HttpRequest) -> list[OutcomeOut]:
    return [_outcome(s) for s in selectors.outcome_statuses()]


@router.get(
    "/outcomes/{outcome_code}/findings",
    response=responses({200: list[FindingOut]}, 403, 404),
    summary="The findings for one outcome, as reported",
)
@needs(Perm.EVIDENCE_VIEW)
def outcome_findings(request: HttpRequest, outcome_code: Code) -> list[FindingOut]:
    findings = selectors.library().findings_for_outcome(outcome_code)
    if not findings:
        raise NotFound(f"No finding in the evidence library measures the outcome '{outcome_code}'.")
    return [_finding(f) for f in findings]


@router.get(
    "/outcomes/{outcome_code}/pool",
    response=responses({200: LibraryPoolOut}, 403, 404),
    summary="Pool the library's findings for an outcome (422 with the reason when they cannot be pooled)",
)
@needs(Perm.EVIDENCE_VIEW)
def outcome_pool(request: HttpRequest, outcome_code: Code, params: Query[PoolParams]) -> LibraryPoolOut:
    status, result = selectors.outcome_pool_result(outcome_code=outcome_code, method=params.method)
    return LibraryPoolOut(
        **_pool(result, outcome_code),
        outcome_code=outcome_code,
        findings=[f.id for f in status.used],
        content_version=selectors.library().content_version,
    )


# --- an organisation's own meta-analyses --------------------------------------------------------------
class AnalysisRowIn(BodyIn):
    """One study, with the columns of one layout: counts (RR, OR, RD), means and SDs (MD, SMD), or
    yi and vi (yi as a log ratio for RR and OR)."""

    study: ShortText
    events_treatment: Count | None = None
    n_treatment: Count | None = None
    events_control: Count | None = None
    n_control: Count | None = None
    mean_treatment: Number | None = None
    sd_treatment: Number | None = None
    mean_control: Number | None = None
    sd_control: Number | None = None
    yi: Number | None = None
    vi: Number | None = None


Rows = Annotated[list[AnalysisRowIn], Field(min_length=1, max_length=200)]


class AnalysisIn(BodyIn):
    title: Name
    outcome: Name
    outcome_code: OutcomeCodeOrEmpty = Field("", description="The evidence library's outcome code, if any")
    measure: MeasureCode
    method: MethodCode = "REML"
    notes: LongText = ""
    rows: Rows


class AnalysisPatch(BodyIn):
    version: Version = Field(..., description="The version you loaded; a newer one on the server is a 409")
    title: Name | None = None
    outcome: Name | None = None
    outcome_code: OutcomeCodeOrEmpty | None = None
    measure: MeasureCode | None = None
    method: MethodCode | None = None
    notes: LongText | None = None
    rows: Rows | None = None


class AnalysisOut(Schema):
    id: int
    title: str
    outcome: str
    outcome_code: str
    measure: str
    method: str
    notes: str
    rows: list[dict[str, Any]]
    version: int
    created_by: str
    updated_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class AnalysisResultOut(PoolOut):
    analysis_id: int
    version: int


class DeletedOut(Schema):
    id: int
    deleted: bool


class ResultParams(Schema):
    method: MethodCode | None = Field(None, description="Another τ² method than the saved one")


class DeleteParams(Schema):
    version: Version = Field(..., description="The version you loaded; a newer one on the server is a 409")


def _analysis(a: MetaAnalysis) -> AnalysisOut:
    return AnalysisOut(
        id=a.pk,
        title=a.title,
        outcome=a.outcome,
        outcome_code=a.outcome_code,
        measure=a.measure,
        method=a.method,
        notes=a.notes,
        rows=a.rows,
        version=a.version,
        created_by=a.created_by.email,
        updated_by=a.updated_by.email,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def _rows(rows: list[AnalysisRowIn]) -> list[dict[str, Any]]:
    return [r.model_dump(exclude_none=True) for r in rows]


@router.get(
    "/analyses",
    response=responses({200: list[AnalysisOut]}, 403),
    summary="Your organisation's meta-analyses, most recently changed first",
)
@needs(Perm.EVIDENCE_VIEW)
def analysis_list(request: HttpRequest) -> list[AnalysisOut]:
    return [_analysis(a) for a in selectors.meta_analysis_queryset(actor=actor_of(request))[:200]]


@router.post(
    "/analyses",
    response=responses({201: AnalysisOut}, 403),
    summary="Enter a meta-analysis (rows in the kneadwell meta columns); a bad row is a 422 naming it",
)
@needs(Perm.EVIDENCE_EDIT)
def analysis_create(request: HttpRequest, payload: AnalysisIn) -> Status[AnalysisOut]:
    item = services.meta_analysis_create(
        actor=actor_of(request),
        title=payload.title,
        outcome=payload.outcome,
        outcome_code=payload.outcome_code,
        measure=payload.measure,
        method=payload.method,
        notes=payload.notes,
        rows=_rows(payload.rows),
    )
    return Status(201, _analysis(item))


@router.get(
    "/analyses/{analysis_id}", response=responses({200: AnalysisOut}, 403, 404), summary="One analysis"
)
@needs(Perm.EVIDENCE_VIEW)
def analysis_get(request: HttpRequest, analysis_id: AnalysisId) -> AnalysisOut:
    return _analysis(selectors.meta_analysis_get(actor=actor_of(request), analysis_id=analysis_id))


@router.patch(
    "/analyses/{analysis_id}",
    response=responses({200: AnalysisOut}, 403, 404, 409),
    summary="Change an analysis (fields left out keep their value)",
)
@needs(Perm.EVIDENCE_EDIT)
def analysis_update(request: HttpRequest, analysis_id: AnalysisId, payload: AnalysisPatch) -> AnalysisOut:
    actor = actor_of(request)
    selectors.meta_analysis_get(actor=actor, analysis_id=analysis_id)
    changes = payload.model_dump(exclude={"version", "rows"}, exclude_none=True)
    item = services.meta_analysis_update(
        actor=actor,
        analysis_id=analysis_id,
        expected_version=payload.version,
        rows=_rows(payload.rows) if payload.rows is not None else None,
        **changes,
    )
    return _analysis(item)


@router.delete(
    "/analyses/{analysis_id}",
    response=responses({200: DeletedOut}, 403, 404, 409),
    summary="Delete an analysis (the audit log keeps its rows)",
)
@needs(Perm.EVIDENCE_EDIT)
def analysis_delete(request: HttpRequest, analysis_id: AnalysisId, params: Query[DeleteParams]) -> DeletedOut:
    actor = actor_of(request)
    selectors.meta_analysis_get(actor=actor, analysis_id=analysis_id)
    services.meta_analysis_delete(actor=actor, analysis_id=analysis_id, expected_version=params.version)
    return DeletedOut(id=analysis_id, deleted=True)


@router.get(
    "/analyses/{analysis_id}/result",
    response=responses({200: AnalysisResultOut}, 403, 404),
    summary="The pooled result of an analysis (with its saved method, or another one)",
)
@needs(Perm.EVIDENCE_VIEW)
def analysis_result(
    request: HttpRequest, analysis_id: AnalysisId, params: Query[ResultParams]
) -> AnalysisResultOut:
    item = selectors.meta_analysis_get(actor=actor_of(request), analysis_id=analysis_id)
    result = selectors.meta_analysis_result(analysis=item, method=params.method)
    return AnalysisResultOut(
        **_pool(result, item.outcome_code or None), analysis_id=item.pk, version=item.version
    )
