"""The evidence library's item models (pydantic): studies, findings, claims with their GRADE steps,
certainty ceilings and the claims left out, with the checks each item makes on its own. Checks across
items (ids unique, references known, GRADE start matching the designs behind a claim, ceilings) are made
by library.load_evidence_from, which can see every file.

Pure: pydantic only, no Django.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Population = Literal[
    "infant-term", "infant-preterm", "child", "adult-stroke", "adult-sports", "adult-post-operative",
]
POPULATIONS: tuple[str, ...] = get_args(Population)

# Juvenile rheumatoid arthritis (the term in the older studies) is coded as its current name.
Condition = Literal[
    "colic", "asthma", "juvenile_idiopathic_arthritis", "autism", "adhd", "cystic_fibrosis",
    "cerebral_palsy", "down_syndrome", "ptsd", "stroke", "preterm", "jaundice", "diabetes", "cancer",
]
CONDITIONS: tuple[str, ...] = get_args(Condition)

# The four benefit categories of infant massage as taught by the IAIM (seed text 000).
Category = Literal["interaction", "stimulation", "relief", "relaxation"]
CATEGORIES: tuple[str, ...] = get_args(Category)

Certainty = Literal["very_low", "low", "moderate", "high"]
CERTAINTY_ORDER: tuple[str, ...] = ("very_low", "low", "moderate", "high")

Design = Literal[
    "rct", "systematic_review", "non_randomised_controlled", "cohort", "case_series", "case_report",
    "expert_opinion", "protocol",
]
RANDOMISED_DESIGNS = frozenset({"rct", "systematic_review"})
OBSERVATIONAL_DESIGNS = frozenset({"non_randomised_controlled", "cohort", "case_series", "case_report"})

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, Field(min_length=3)]
Reason = Annotated[str, Field(min_length=15)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Citation(_Model):
    authors: tuple[Text, ...] = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    title: Text
    journal: Text
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, Field(pattern=r"^\d{5,9}$")] | None = None
    pmcid: Annotated[str, Field(pattern=r"^PMC\d+$")] | None = None
    registry_id: str | None = None  # trial registry (NCT…) or Cochrane review number (CD…)

    def short(self) -> str:
        first = self.authors[0].split()[0]
        etal = " et al." if len(self.authors) > 1 else ""
        return f"{first}{etal} {self.year}"


class RiskOfBias(_Model):
    level: Literal["low", "some_concerns", "high", "unclear"]
    reason: Reason
    basis: Text  # whose judgement and on what: "Cochrane review authors", "our reading of the abstract"


class Study(_Model):
    id: Slug
    citation: Citation
    design: Design
    population: Text
    populations: tuple[Population, ...] = Field(min_length=1)
    conditions: tuple[Condition, ...] = ()
    n: int | None = Field(default=None, ge=1)  # participants
    n_studies: int | None = Field(default=None, ge=1)  # for reviews
    comparison: str | None = None
    risk_of_bias: RiskOfBias
    limitations: tuple[Reason, ...] = Field(min_length=1)
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    verified: bool
    verification_note: str | None = None
    cited_in: tuple[str, ...] = ()  # where this project met it: "seed 003", "clinical-facts S34"

    @model_validator(mode="after")
    def _unverified_says_why(self) -> Study:
        if not self.verified and not (self.verification_note and len(self.verification_note) >= 15):
            raise ValueError("a study with verified: false needs a verification_note saying what is "
                             "uncertain")
        if self.verified and self.url is None:
            raise ValueError("a verified study needs the url where it was checked")
        if self.design == "systematic_review" and self.n_studies is None:
            raise ValueError("a systematic review needs n_studies")
        return self


EffectMeasure = Literal["MD", "SMD", "RR", "OR", "RD", "group_summaries", "narrative"]
SummaryType = Literal["effect_estimate", "means", "medians", "not_stated", "narrative"]


class Finding(_Model):
    id: Slug
    study: Slug
    outcome: Text
    outcome_code: Slug
    population: Text
    comparison: Text
    effect_measure: EffectMeasure
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    units: str | None = None
    summary_type: SummaryType
    summary_as_reported: str | None = None
    p_value: float | None = Field(default=None, ge=0, le=1)
    p_value_as_reported: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Finding:
        numeric = self.effect_measure in ("MD", "SMD", "RR", "OR", "RD")
        if self.estimate is not None and not numeric:
            raise ValueError(f"an estimate needs a numeric effect_measure, not {self.effect_measure}")
        if self.estimate is None and not self.summary_as_reported:
            raise ValueError("without an estimate, give summary_as_reported (the result as the "
                             "source states it)")
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("give both ends of the confidence interval or neither")
        if self.ci_low is not None and self.ci_high is not None:
            if self.estimate is None:
                raise ValueError("a confidence interval needs its estimate")
            if not self.ci_low <= self.estimate <= self.ci_high:
                raise ValueError(f"estimate {self.estimate} lies outside its CI "
                                 f"[{self.ci_low}, {self.ci_high}]")
        if self.effect_measure in ("RR", "OR"):
            for value in (self.estimate, self.ci_low, self.ci_high):
                if value is not None and value <= 0:
                    raise ValueError("a ratio and its CI must be greater than 0")
        return self


DowngradeDomain = Literal["risk_of_bias", "inconsistency", "indirectness", "imprecision",
                          "publication_bias"]
UpgradeDomain = Literal["large_effect", "dose_response", "plausible_confounding"]


class Downgrade(_Model):
    domain: DowngradeDomain
    levels: int = Field(ge=1, le=2)
    reason: Reason


class Upgrade(_Model):
    domain: UpgradeDomain
    levels: int = Field(ge=1, le=2)
    reason: Reason


class Grade(_Model):
    # GRADE: randomised evidence starts high, observational low; with no study behind a claim (only
    # opinion, mechanism or anecdote) we start at very low.
    start: Literal["high", "low", "very_low"]
    start_reason: Reason
    downgrades: tuple[Downgrade, ...] = ()
    upgrades: tuple[Upgrade, ...] = ()
    reason: Annotated[str, Field(min_length=20)]

    def resulting_certainty(self) -> str:
        level = CERTAINTY_ORDER.index(self.start)
        level -= sum(d.levels for d in self.downgrades)
        level += sum(u.levels for u in self.upgrades)
        return CERTAINTY_ORDER[max(0, min(level, len(CERTAINTY_ORDER) - 1))]


EvidenceStatus = Literal["some_benefit", "uncertain", "no_benefit_shown", "no_evidence_found"]


class Claim(_Model):
    id: Slug
    statement: Text
    category: Category | None = None
    populations: tuple[Population, ...] = Field(min_length=1)
    conditions: tuple[Condition, ...] = ()
    outcome_codes: tuple[Slug, ...] = ()
    evidence: EvidenceStatus
    certainty: Certainty
    grade: Grade
    supporting_findings: tuple[Slug, ...] = ()
    supporting_studies: tuple[Slug, ...] = ()
    caveats: tuple[Reason, ...] = Field(min_length=1)
    parent_text: Text
    clinician_text: Text
    seed_sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _graded_consistently(self) -> Claim:
        computed = self.grade.resulting_certainty()
        if computed != self.certainty:
            raise ValueError(
                f"certainty '{self.certainty}' does not follow from the GRADE assessment "
                f"(start '{self.grade.start}' with these downgrades/upgrades gives '{computed}')"
            )
        if self.evidence == "no_evidence_found":
            if self.certainty != "very_low":
                raise ValueError("a claim with no evidence found must be very_low certainty")
            if self.supporting_findings:
                raise ValueError("a claim with no evidence found cannot cite supporting findings")
        elif not (self.supporting_findings or self.supporting_studies):
            raise ValueError("cite at least one supporting finding or study, or set evidence: "
                             "no_evidence_found")
        return self


class Ceiling(_Model):
    population: Population
    outcome_code: Slug
    max_certainty: Certainty
    study: Slug
    reason: Reason


class ExcludedClaim(_Model):
    seed_source: Text
    seed_text: Text
    reason: Reason


class ContentFile(_Model):
    studies: tuple[Study, ...] = ()
    findings: tuple[Finding, ...] = ()
    claims: tuple[Claim, ...] = ()
    ceilings: tuple[Ceiling, ...] = ()
    excluded: tuple[ExcludedClaim, ...] = ()
