"""Pooling the evidence library's own findings: only independent results with an estimate and a CI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kneadwell.evidence.library import EvidenceLibrary, load_evidence
from kneadwell.evidence.meta import generic_effects, meta_analyse
from kneadwell.evidence.outcome_pool import (
    FROM_REVIEW,
    NO_ESTIMATE,
    OTHER_MEASURE,
    SAME_STUDY,
    NotPoolable,
    outcome_status,
    outcome_statuses,
    pool_outcome,
)
from kwtest.evidence import poolable_library


@pytest.fixture
def test_library(tmp_path: Path) -> EvidenceLibrary:
    return poolable_library(tmp_path / "content")


def test_no_outcome_in_the_shipped_library_can_be_pooled() -> None:
    statuses = outcome_statuses(load_evidence())
    assert statuses
    assert not any(s.poolable for s in statuses)
    assert all(s.reason.startswith("Not poolable") for s in statuses)


def test_the_shipped_weight_gain_findings_say_why_they_cannot_be_pooled() -> None:
    status = outcome_status(load_evidence(), "weight_gain")
    reasons = {u.finding.id: u.reason for u in status.uses}
    assert reasons["vickers_2004_weight_gain"] == FROM_REVIEW
    assert reasons["field_1986_weight_gain"] == NO_ESTIMATE
    assert "2 from a systematic review" in status.reason
    with pytest.raises(NotPoolable, match="Not poolable"):
        pool_outcome(load_evidence(), "weight_gain")


def test_an_unknown_outcome_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        outcome_status(load_evidence(), "happiness")


def test_reviews_and_several_results_of_one_study_are_left_out(test_library: EvidenceLibrary) -> None:
    status = outcome_status(test_library, "weight_gain")
    assert status.poolable
    assert [f.id for f in status.used] == ["a_weight", "b_weight", "c_weight"]
    reasons = {u.finding.id: u.reason for u in status.uses if not u.used}
    assert reasons == {"review_weight": FROM_REVIEW, "d_weight_1": SAME_STUDY, "d_weight_2": SAME_STUDY}


def test_a_different_measure_is_left_out(test_library: EvidenceLibrary) -> None:
    status = outcome_status(test_library, "crying")
    assert status.measure == "RR"
    assert {u.finding.id: u.reason for u in status.uses if not u.used} == {"c_crying": OTHER_MEASURE}


def test_pooling_equals_meta_analyse_on_standard_errors_from_the_confidence_intervals(
    test_library: EvidenceLibrary,
) -> None:
    _, result = pool_outcome(test_library, "weight_gain", "REML")
    # SE = CI width / (2 × 1.96), Cochrane Handbook v5.1 §7.7.7.2: worked by hand for the three trials.
    z = 1.959963984540054
    expected = meta_analyse(
        generic_effects("MD", [4.0, 2.0, 6.0], [(6 / (2 * z)) ** 2, (3 / (2 * z)) ** 2, (8 / (2 * z)) ** 2]),
        "REML",
    )
    assert result.to_json_dict() == expected.to_json_dict()
    assert result.effects.labels == ("Tester0 2000", "Tester1 2001", "Tester2 2002")


def test_ratios_are_pooled_on_the_log_scale(test_library: EvidenceLibrary) -> None:
    _, result = pool_outcome(test_library, "crying", "DL")
    yi = [math.log(0.8), math.log(0.5)]
    se = [
        (math.log(1.07) - math.log(0.6)) / 3.919927969080108,
        (math.log(0.83) - math.log(0.3)) / 3.919927969080108,
    ]
    expected = meta_analyse(generic_effects("RR", yi, np.square(se)), "DL")
    assert result.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert result.ci_low == pytest.approx(expected.ci_low, rel=1e-12)
    assert 0.5 < result.estimate < 0.8
