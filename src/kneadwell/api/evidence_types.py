"""Types and output shapes shared by the evidence routers: codes, a finding as reported, and a pooled
result with the library's claims about its outcome."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema

from kneadwell.evidence import selectors
from kneadwell.evidence.library import Finding
from kneadwell.evidence.meta.pooling import MetaResult

Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_]*$")]
MethodCode = Literal["REML", "DL", "PM"]


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


def finding_out(f: Finding) -> FindingOut:
    return FindingOut(**f.model_dump(include=set(FindingOut.model_fields)))


def pool_fields(result: MetaResult, outcome_code: str | None) -> dict[str, Any]:
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
