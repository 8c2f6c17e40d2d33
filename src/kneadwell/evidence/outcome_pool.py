"""Pooling the evidence library's own findings for one outcome. Pure: no Django.

A finding can be pooled only when the source reported what a meta-analysis needs, and only with
findings it is independent of. We are strict, because a pooled number looks more certain than the
findings behind it:

1. it reports an effect (MD, SMD, RR, OR or RD) with an estimate and both ends of a 95% confidence
   interval; group summaries without spread, medians and narrative results cannot be pooled (we do
   not compute effects the source did not report);
2. it is not a systematic review's result: a review already pools trials, and pooling it again with
   other results could count the same trials twice (the library does not record which trials each
   review includes);
3. its study reports only one such result for the outcome: two results of one study (different
   comparisons, or different body sites) are not independent, and which one belongs in a pool is a
   reviewer's decision;
4. it shares the effect measure (and, for a mean difference, the units) with the others pooled.

An outcome is poolable when at least two findings pass. The standard error comes from the CI width:
SE = (upper − lower) / (2 × 1.96), on the log scale for ratios (Cochrane Handbook v5.1, §7.7.7.2 and
§7.7.7.3, "Obtaining standard errors from confidence intervals and P values").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from kneadwell.core.marking import gettext, gettext_noop, ngettext
from kneadwell.evidence.library import EvidenceLibrary, Finding
from kneadwell.evidence.meta.effect_sizes import EffectSizes, Measure, generic_effects
from kneadwell.evidence.meta.pooling import DEFAULT_METHOD, MetaResult, Method, meta_analyse

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
NUMERIC_MEASURES = frozenset({"MD", "SMD", "RR", "OR", "RD"})

# Why a finding is left out, in words (marked here, translated where a status is built: a request's language).
NO_ESTIMATE = gettext_noop(
    "without an effect estimate and 95% confidence interval (only group summaries, medians or words)"
)
FROM_REVIEW = gettext_noop(
    "from a systematic review, whose pooled result may already include the other studies"
)
SAME_STUDY = gettext_noop(
    "from a study that reports several results for this outcome, which are not independent"
)
OTHER_MEASURE = gettext_noop("with a different effect measure or unit from the results pooled")


class NotPoolable(ValueError):
    """The outcome has fewer than two findings that can be pooled; the message says why, in words."""


@dataclass(frozen=True)
class FindingUse:
    finding: Finding
    used: bool
    reason: str = ""  # why it was left out


@dataclass(frozen=True)
class OutcomeStatus:
    code: str
    label: str
    uses: tuple[FindingUse, ...]
    measure: str | None  # the measure pooled, when poolable
    units: str | None
    poolable: bool
    reason: str

    @property
    def used(self) -> list[Finding]:
        return [u.finding for u in self.uses if u.used]


def _left_out_words(uses: list[FindingUse]) -> str:
    counts = Counter(u.reason for u in uses if not u.used)
    # Translators: a number of findings, then why they were left out ("2 from a systematic review, …").
    words = gettext("%(count)s %(reason)s")
    return "; ".join(words % {"count": n, "reason": reason} for reason, n in counts.most_common())


def outcome_status(library: EvidenceLibrary, outcome_code: str) -> OutcomeStatus:
    """Which findings for `outcome_code` could be pooled, and why the others cannot. KeyError for an
    outcome no finding measures."""
    findings = library.findings_for_outcome(outcome_code)
    if not findings:
        raise KeyError(f"no finding in the evidence library measures outcome '{outcome_code}'")  # not shown
    reasons: dict[str, str] = {}
    candidates: list[Finding] = []
    for f in findings:
        if f.effect_measure not in NUMERIC_MEASURES or None in (f.estimate, f.ci_low, f.ci_high):
            reasons[f.id] = NO_ESTIMATE
        elif library.study(f.study).design == "systematic_review":
            reasons[f.id] = FROM_REVIEW
        else:
            candidates.append(f)
    per_study = Counter(f.study for f in candidates)
    independent = []
    for f in candidates:
        if per_study[f.study] > 1:
            reasons[f.id] = SAME_STUDY
        else:
            independent.append(f)
    groups = Counter((f.effect_measure, f.units if f.effect_measure == "MD" else None) for f in independent)
    measure: str | None = None
    units: str | None = None
    if groups:
        (measure, units), _ = groups.most_common(1)[0]
        for f in independent:
            if (f.effect_measure, f.units if f.effect_measure == "MD" else None) != (measure, units):
                reasons[f.id] = OTHER_MEASURE
    uses = [
        FindingUse(f, f.id not in reasons, gettext(reasons[f.id]) if f.id in reasons else "")
        for f in findings
    ]
    n_used = sum(u.used for u in uses)
    poolable = n_used >= 2
    values = {"used": n_used, "total": len(findings), "measure": measure}
    left_out = _left_out_words(uses)
    if poolable:
        reason = ngettext(
            "%(used)s of %(total)s finding can be pooled (%(measure)s)",
            "%(used)s of %(total)s findings can be pooled (%(measure)s)",
            len(findings),
        )
    else:
        reason = ngettext(
            "Not poolable: %(used)s of %(total)s finding can be used, and at least two are needed",
            "Not poolable: %(used)s of %(total)s findings can be used, and at least two are needed",
            len(findings),
        )
    reason %= values
    if left_out:
        reason = gettext("%(status)s. Left out: %(reasons)s") % {"status": reason, "reasons": left_out}
    return OutcomeStatus(
        code=outcome_code,
        label=findings[0].outcome,
        uses=tuple(uses),
        measure=measure if poolable else None,
        units=units if poolable else None,
        poolable=poolable,
        reason=reason + ".",
    )


def outcome_statuses(library: EvidenceLibrary) -> list[OutcomeStatus]:
    """Every outcome the library's findings measure, poolable ones first, then by code."""
    codes = sorted({f.outcome_code for f in library.findings.values()})
    statuses = [outcome_status(library, code) for code in codes]
    return sorted(statuses, key=lambda s: (not s.poolable, s.code))


def effects_from_findings(findings: list[Finding], measure: Measure | str, labels: list[str]) -> EffectSizes:
    """Effect sizes (yi, vi) from reported estimates and 95% CIs, on the log scale for ratios."""
    measure = Measure(measure)
    yi: list[float] = []
    vi: list[float] = []
    for f in findings:
        if f.estimate is None or f.ci_low is None or f.ci_high is None:
            raise ValueError(f"finding '{f.id}' has no estimate with a confidence interval")
        est, lo, hi = f.estimate, f.ci_low, f.ci_high
        if measure.is_ratio:
            est, lo, hi = math.log(est), math.log(lo), math.log(hi)
        se = (hi - lo) / (2 * Z_95)
        if not se > 0:
            raise ValueError(f"finding '{f.id}' has a confidence interval of zero width")
        yi.append(est)
        vi.append(se**2)
    return generic_effects(measure, yi, vi, labels)


def effects_for_outcome(library: EvidenceLibrary, status: OutcomeStatus) -> EffectSizes:
    """The effect sizes of a poolable outcome's usable findings, labelled by short citation."""
    if not status.poolable or status.measure is None:
        raise NotPoolable(status.reason)
    used = status.used
    labels = [library.study(f.study).citation.short() for f in used]
    labels = [
        f"{label} ({f.study})" if labels.count(label) > 1 else label
        for label, f in zip(labels, used, strict=True)
    ]
    return effects_from_findings(used, status.measure, labels)


def pool_outcome(
    library: EvidenceLibrary, outcome_code: str, method: Method | str = DEFAULT_METHOD
) -> tuple[OutcomeStatus, MetaResult]:
    """Pool the usable findings for an outcome. NotPoolable (with the reason) when fewer than two are
    usable; KeyError for an unknown outcome."""
    status = outcome_status(library, outcome_code)
    return status, meta_analyse(effects_for_outcome(library, status), method)
