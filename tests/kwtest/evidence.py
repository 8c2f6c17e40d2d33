"""Helpers for the evidence tests: a small evidence library whose findings can be pooled (the shipped
one has none), and a way to read claims and their certainty badges out of a page."""

from __future__ import annotations

import re
from pathlib import Path

from kneadwell.evidence.library import EvidenceLibrary, load_evidence_from

_STUDY = """
  - id: {id}
    citation: {{authors: [{author}], year: {year}, title: A made-up trial for tests, journal: Test Journal}}
    design: {design}
    population: Preterm infants in a test
    populations: [infant-preterm]
    conditions: [preterm]
    n: {n}
    {extra}
    risk_of_bias: {{level: high, reason: Made up for the tests; not a real study., basis: the tests}}
    limitations: [Invented numbers used only to test pooling.]
    verified: false
    verification_note: Not a real study; invented for the tests.
"""
_FINDING = """
  - id: {id}
    study: {study}
    outcome: Daily weight gain
    outcome_code: {outcome}
    population: Preterm infants
    comparison: {comparison}
    effect_measure: {measure}
    estimate: {est}
    ci_low: {lo}
    ci_high: {hi}
    units: {units}
    summary_type: effect_estimate
"""

# (id, study, outcome, measure, estimate, ci_low, ci_high, units, comparison)
POOLABLE_FINDINGS = [
    ("a_weight", "trial_a", "weight_gain", "MD", 4.0, 1.0, 7.0, "g/day", "Massage versus usual care"),
    ("b_weight", "trial_b", "weight_gain", "MD", 2.0, 0.5, 3.5, "g/day", "Massage versus usual care"),
    ("c_weight", "trial_c", "weight_gain", "MD", 6.0, 2.0, 10.0, "g/day", "Massage versus usual care"),
    ("review_weight", "review_x", "weight_gain", "MD", 5.1, 3.5, 6.7, "g/day", "Massage versus usual care"),
    ("d_weight_1", "trial_d", "weight_gain", "MD", 3.0, 1.0, 5.0, "g/day", "Massage versus usual care"),
    ("d_weight_2", "trial_d", "weight_gain", "MD", 1.0, -1.0, 3.0, "g/day", "Still touch versus usual care"),
    ("a_crying", "trial_a", "crying", "RR", 0.8, 0.6, 1.07, "null", "Massage versus usual care"),
    ("b_crying", "trial_b", "crying", "RR", 0.5, 0.3, 0.83, "null", "Massage versus usual care"),
    ("c_crying", "trial_c", "crying", "OR", 0.7, 0.4, 1.2, "null", "Massage versus usual care"),
]


def write_poolable_content(directory: Path) -> Path:
    """Write a small valid evidence library to `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    studies = (
        "studies:\n"
        + "".join(
            _STUDY.format(id=sid, author=f"Tester{i} A", year=2000 + i, design="rct", n=40 + 10 * i, extra="")
            for i, sid in enumerate(["trial_a", "trial_b", "trial_c", "trial_d"])
        )
        + _STUDY.format(
            id="review_x",
            author="Reviewer R",
            year=2010,
            design="systematic_review",
            n=500,
            extra="n_studies: 5",
        )
    )
    findings = "findings:\n" + "".join(
        _FINDING.format(id=i, study=s, outcome=o, measure=m, est=e, lo=lo, hi=hi, units=u, comparison=c)
        for i, s, o, m, e, lo, hi, u, c in POOLABLE_FINDINGS
    )
    claims = """claims:
  - id: test_weight_gain
    statement: In the test library, massage goes with a little more weight gain.
    category: stimulation
    populations: [infant-preterm]
    conditions: [preterm]
    outcome_codes: [weight_gain]
    evidence: some_benefit
    certainty: low
    grade:
      start: high
      start_reason: Randomised trials invented for the tests.
      downgrades:
        - domain: risk_of_bias
          levels: 2
          reason: Invented trials with a high risk of bias, for the tests.
      reason: Randomised but biased trials, rated down two levels for the tests.
    supporting_findings: [a_weight, b_weight]
    caveats: [Only a test library; none of these numbers are real.]
    parent_text: A test claim in plain words for parents.
    clinician_text: A test claim in clinical words.
"""
    (directory / "studies.yaml").write_text(studies, encoding="utf-8")
    (directory / "findings.yaml").write_text(findings, encoding="utf-8")
    (directory / "claims.yaml").write_text(claims, encoding="utf-8")
    return directory


def poolable_library(directory: Path) -> EvidenceLibrary:
    return load_evidence_from(write_poolable_content(directory))


def claim_blocks(html: str) -> list[str]:
    """The HTML of each `<li class="claim">` item on a page (up to the next one)."""
    parts = html.split('<li class="claim">')
    return parts[1:]


def certainties(html: str) -> list[str]:
    """Every certainty a badge on the page shows (`data-certainty`)."""
    return re.findall(r'data-certainty="([a-z_]+)"', html)
