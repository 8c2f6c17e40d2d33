"""The evidence library: claims with their GRADE certainty, and studies with their findings.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_evidence_…`)
before the evidence router was split, and clients and tests refer to them."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.errors import responses
from kneadwell.api.evidence_types import Code, FindingOut, finding_out
from kneadwell.api.permissions import needs
from kneadwell.core.errors import NotFound
from kneadwell.evidence import selectors
from kneadwell.evidence.library import Category, Claim, Condition, Population, Study

router = Router(tags=["evidence"])


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
        findings=[finding_out(f) for f in lib.findings_for_study(s.id)],
        claims=[cl.id for cl in lib.claims.values() if s in lib.studies_for_claim(cl.id)],
    )


@router.get(
    "/claims",
    operation_id="kneadwell_api_evidence_claim_list",
    response=responses({200: list[ClaimOut]}, 403),
    summary="Claims, most certain first, each with its GRADE certainty and reasons",
)
@needs(Perm.EVIDENCE_VIEW)
def claim_list(request: HttpRequest, params: Query[ClaimParams]) -> list[ClaimOut]:
    claims = selectors.library().claims_for(
        params.population, params.condition, params.category, include_unsupported=params.include_unsupported
    )
    return [_claim(c) for c in claims]


@router.get(
    "/claims/{claim_id}",
    operation_id="kneadwell_api_evidence_claim_get",
    response=responses({200: ClaimOut}, 403, 404),
    summary="One claim",
)
@needs(Perm.EVIDENCE_VIEW)
def claim_get(request: HttpRequest, claim_id: Code) -> ClaimOut:
    item = selectors.library().claims.get(claim_id)
    if item is None:
        raise NotFound(_("No such claim in the evidence library."))
    return _claim(item)


@router.get(
    "/studies/{study_id}",
    operation_id="kneadwell_api_evidence_study_get",
    response=responses({200: StudyOut}, 403, 404),
    summary="One study: citation, design, risk of bias, limitations and findings",
)
@needs(Perm.EVIDENCE_VIEW)
def study_get(request: HttpRequest, study_id: Code) -> StudyOut:
    item = selectors.library().studies.get(study_id)
    if item is None:
        raise NotFound(_("No such study in the evidence library."))
    return _study(item)
