"""Reads for the evidence area: the library, the claims that apply to a client or a protocol, pooled
library outcomes, and an organisation's own meta-analyses.

Public for other areas (the PDF report, the client page, the protocol page):
- `claims_for_client(client=...)` → ClaimsForScope: the claims for a client's population and conditions;
- `claims_for_protocol(protocol_id=..., populations=...)` → ClaimsForScope for a library protocol;
- `certainty_label(claim.certainty)` → "low certainty" (words, always shown next to a benefit).
Client-bound calls take a client already loaded through `clients.selectors.client_get`, which checked
access and audited the read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.core.errors import NotFound, ValidationFailed
from kneadwell.evidence import analysis_rows, mapping, outcome_pool
from kneadwell.evidence.library import CERTAINTY_ORDER, Claim, EvidenceLibrary, load_evidence
from kneadwell.evidence.meta.csv_input import StudyTableError
from kneadwell.evidence.meta.pooling import MetaResult
from kneadwell.evidence.models import MetaAnalysis

MAX_ID = 2**63 - 1  # BigAutoField

# GRADE's four levels in words (Balshem et al. 2011, J Clin Epidemiol 64:401-406, Table 2, in our words).
CERTAINTY_WORDS: dict[str, str] = {
    "high": gettext_noop("high certainty"),
    "moderate": gettext_noop("moderate certainty"),
    "low": gettext_noop("low certainty"),
    "very_low": gettext_noop("very low certainty"),
}
CERTAINTY_MEANING: dict[str, str] = {
    "high": gettext_noop("We are very confident that the true effect is close to what the studies found."),
    "moderate": gettext_noop(
        "The true effect is probably close to what the studies found, but it may be quite different."
    ),
    "low": gettext_noop("The true effect may be quite different from what the studies found."),
    "very_low": gettext_noop("The true effect is likely to be quite different from what the studies found."),
}
EVIDENCE_WORDS: dict[str, str] = {
    "some_benefit": gettext_noop("some benefit found"),
    "uncertain": gettext_noop("unclear"),
    "no_benefit_shown": gettext_noop("no benefit shown"),
    "no_evidence_found": gettext_noop("no study found"),
}
POPULATION_WORDS: dict[str, str] = {
    "infant-term": gettext_noop("babies born at term"),
    "infant-preterm": gettext_noop("preterm babies"),
    "child": gettext_noop("children"),
    "adult-stroke": gettext_noop("adults after a stroke"),
    "adult-sports": gettext_noop("people after exercise or a sports injury"),
    "adult-post-operative": gettext_noop("people after an operation"),
}
CONDITION_WORDS: dict[str, str] = {
    "colic": gettext_noop("colic"),
    "asthma": gettext_noop("asthma"),
    "juvenile_idiopathic_arthritis": gettext_noop("juvenile arthritis"),
    "autism": gettext_noop("autism"),
    "adhd": gettext_noop("ADHD"),
    "cystic_fibrosis": gettext_noop("cystic fibrosis"),
    "cerebral_palsy": gettext_noop("cerebral palsy"),
    "down_syndrome": gettext_noop("Down syndrome"),
    "ptsd": gettext_noop("post-traumatic stress"),
    "stroke": gettext_noop("stroke"),
    "preterm": gettext_noop("born preterm"),
    "jaundice": gettext_noop("jaundice"),
    "diabetes": gettext_noop("diabetes"),
    "cancer": gettext_noop("cancer"),
}
CATEGORY_WORDS: dict[str, str] = {
    "interaction": gettext_noop("Interaction: closeness and communication"),
    "stimulation": gettext_noop("Stimulation: growth and development"),
    "relief": gettext_noop("Relief: discomfort, pain and symptoms"),
    "relaxation": gettext_noop("Relaxation: calm, sleep and stress"),
}
DESIGN_WORDS: dict[str, str] = {
    "rct": gettext_noop("randomised controlled trial"),
    "systematic_review": gettext_noop("systematic review"),
    "non_randomised_controlled": gettext_noop("controlled study, not randomised"),
    "cohort": gettext_noop("cohort study"),
    "case_series": gettext_noop("case series"),
    "case_report": gettext_noop("case report"),
    "expert_opinion": gettext_noop("expert opinion"),
    "protocol": gettext_noop("trial protocol (no results)"),
}
RISK_OF_BIAS_WORDS: dict[str, str] = {
    "low": gettext_noop("low risk of bias"),
    "some_concerns": gettext_noop("some concerns about bias"),
    "high": gettext_noop("high risk of bias"),
    "unclear": gettext_noop("risk of bias unclear"),
}
# A GRADE level as a plain word ("high", not "high certainty"), for start levels and ceilings.
LEVEL_WORDS: dict[str, str] = {
    "high": gettext_noop("high"),
    "moderate": gettext_noop("moderate"),
    "low": gettext_noop("low"),
    "very_low": gettext_noop("very low"),
}
DOMAIN_WORDS: dict[str, str] = {
    "risk_of_bias": gettext_noop("risk of bias"),
    "inconsistency": gettext_noop("inconsistency"),
    "indirectness": gettext_noop("indirectness"),
    "imprecision": gettext_noop("imprecision"),
    "publication_bias": gettext_noop("publication bias"),
    "large_effect": gettext_noop("large effect"),
    "dose_response": gettext_noop("dose-response"),
    "plausible_confounding": gettext_noop("confounding that would shrink the effect"),
}


def library() -> EvidenceLibrary:
    return load_evidence()


def certainty_label(certainty: str) -> str:
    return CERTAINTY_WORDS[certainty]


@dataclass(frozen=True)
class ClaimsForScope:
    """The claims that apply to a client or protocol: `supported` (a study behind them, most certain
    first) and `unsupported` (claims someone may have heard, for which we found no study)."""

    scope: mapping.Scope
    supported: list[Claim]
    unsupported: list[Claim]
    content_version: str

    @property
    def all(self) -> list[Claim]:
        return [*self.supported, *self.unsupported]


def _split(lib: EvidenceLibrary, scope: mapping.Scope) -> ClaimsForScope:
    claims = mapping.claims_in_scope(lib, scope)
    return ClaimsForScope(
        scope=scope,
        supported=[c for c in claims if c.evidence != "no_evidence_found"],
        unsupported=[c for c in claims if c.evidence == "no_evidence_found"],
        content_version=lib.content_version,
    )


def client_population(*, client: Client) -> str:
    """The client's content-library population: the one chosen on the intake, else the suggestion from
    age, gestation and conditions (the intake page suggests the same)."""
    from kneadwell.library.population import suggest_population
    from kneadwell.library.selectors import intake_for

    intake = intake_for(client=client)
    if intake is not None:
        return intake.population
    return suggest_population(
        birth_date=client.birth_date,
        on=timezone.localdate(),
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
        conditions=client.conditions,
    )


def claims_for_client(*, client: Client) -> ClaimsForScope:
    """The claims for a client's population and recorded conditions."""
    scope = mapping.person_scope(client_population(client=client), client.conditions or [])
    return _split(library(), scope)


def claims_for_protocol(*, protocol_id: str, populations: Iterable[str]) -> ClaimsForScope:
    """The claims for a library protocol (`populations`: its content-library populations)."""
    return _split(library(), mapping.protocol_scope(protocol_id, populations))


# --- pooling the library's findings -------------------------------------------------------------------
def outcome_statuses() -> list[outcome_pool.OutcomeStatus]:
    return outcome_pool.outcome_statuses(library())


def related_claims(outcome_code: str) -> list[Claim]:
    """Library claims about an outcome, most certain first (their certainty belongs next to any pooled
    number for it)."""
    claims = [c for c in library().claims.values() if outcome_code in c.outcome_codes]
    return sorted(claims, key=lambda c: (-CERTAINTY_ORDER.index(c.certainty), c.id))


def outcome_pool_result(*, outcome_code: str, method: str) -> tuple[outcome_pool.OutcomeStatus, MetaResult]:
    """Pool the library's findings for an outcome; NotFound for an unknown outcome, ValidationFailed
    (with the reason in words) when it cannot be pooled."""
    lib = library()
    try:
        status = outcome_pool.outcome_status(lib, outcome_code)
    except KeyError:
        raise NotFound(
            _("No finding in the evidence library measures the outcome '%(outcome_code)s'.")
            % {"outcome_code": outcome_code}
        ) from None
    if not status.poolable:
        raise ValidationFailed({"outcome_code": [status.reason]})
    effects = outcome_pool.effects_for_outcome(lib, status)
    try:
        result = analysis_rows.analyse(effects, method)
    except analysis_rows.AnalysisError as exc:
        raise ValidationFailed({"method": [str(exc)]}) from None
    return status, result


# --- an organisation's own meta-analyses ---------------------------------------------------------------
def meta_analysis_queryset(*, actor: Actor) -> QuerySet[MetaAnalysis]:
    actor.require(Perm.EVIDENCE_VIEW)
    return MetaAnalysis.objects.for_organisation(actor.organisation_id).select_related(
        "created_by", "updated_by"
    )


def meta_analysis_get(*, actor: Actor, analysis_id: int) -> MetaAnalysis:
    """An analysis of the actor's organisation; another organisation's is simply not found."""
    if not 1 <= analysis_id <= MAX_ID:  # a typed URL beyond the database's integers is not found either
        raise NotFound(_("No such meta-analysis in your organisation."))
    try:
        return meta_analysis_queryset(actor=actor).get(pk=analysis_id)
    except (MetaAnalysis.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such meta-analysis in your organisation.")) from None


def meta_analysis_result(*, analysis: MetaAnalysis, method: str | None = None) -> MetaResult:
    """The pooled result of stored rows, with the analysis's method unless another is asked for.
    ValidationFailed when it cannot be computed (for example τ² does not converge with that method)."""
    try:
        effects = analysis_rows.effects_for(analysis.rows, analysis.measure)
        return analysis_rows.analyse(effects, method or analysis.method)
    except (StudyTableError, analysis_rows.AnalysisError) as exc:
        raise ValidationFailed({"method" if method else "rows": [str(exc)]}) from None
