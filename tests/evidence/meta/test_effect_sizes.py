"""Each effect-size formula on a small example worked by hand, the zero-cell rules, and cross-checks
against statsmodels' effect sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import effectsize_2proportions, effectsize_smd

from kneadwell.evidence.meta.effect_sizes import (
    EffectSizeError,
    Measure,
    binary_effects,
    continuous_effects,
    generic_effects,
    hedges_correction,
)

# 10/100 events with massage versus 20/100 without: p1 = 0.1, p2 = 0.2.


def test_log_risk_ratio_matches_the_hand_calculation() -> None:
    e = binary_effects("RR", [10], [100], [20], [100])
    # RR = 0.1/0.2 = 0.5; var = 1/10 - 1/100 + 1/20 - 1/100 = 0.13
    assert e.yi[0] == pytest.approx(math.log(0.5))
    assert e.vi[0] == pytest.approx(0.13)


def test_log_odds_ratio_matches_the_hand_calculation() -> None:
    e = binary_effects("OR", [10], [100], [20], [100])
    # OR = (10·80)/(90·20) = 4/9; var = 1/10 + 1/90 + 1/20 + 1/80
    assert e.yi[0] == pytest.approx(math.log(4 / 9))
    assert e.vi[0] == pytest.approx(0.1 + 1 / 90 + 0.05 + 0.0125)


def test_risk_difference_matches_the_hand_calculation() -> None:
    e = binary_effects("RD", [10], [100], [20], [100])
    # RD = 0.1 - 0.2; var = 0.1·0.9/100 + 0.2·0.8/100 = 0.0025
    assert e.yi[0] == pytest.approx(-0.1)
    assert e.vi[0] == pytest.approx(0.0025)


def test_a_zero_cell_gets_half_added_to_every_cell_of_that_study_only() -> None:
    e = binary_effects("RR", [0, 10], [10, 100], [5, 20], [10, 100], ["zero", "plain"])
    # zero: cells 0.5, 10.5 | 5.5, 5.5 → RR = (0.5/11)/(5.5/11) = 1/11; var = 2 - 1/11 + 1/5.5 - 1/11 = 2
    assert e.yi[0] == pytest.approx(math.log(1 / 11))
    assert e.vi[0] == pytest.approx(2.0)
    assert e.yi[1] == pytest.approx(math.log(0.5))  # untouched
    assert e.corrected == ("zero",)
    assert any("0.5 added" in n for n in e.notes)


def test_all_events_in_one_arm_is_also_a_zero_cell() -> None:
    e = binary_effects("OR", [10], [10], [5], [10])
    # cells 10.5, 0.5 | 5.5, 5.5 → OR = (10.5·5.5)/(0.5·5.5) = 21
    assert e.yi[0] == pytest.approx(math.log(21))
    assert e.vi[0] == pytest.approx(1 / 10.5 + 1 / 0.5 + 2 / 5.5)


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_a_study_with_no_events_in_either_arm_is_left_out_of_a_ratio(measure: str) -> None:
    e = binary_effects(measure, [0, 10], [10, 100], [0, 20], [12, 100], ["double zero", "plain"])
    assert e.labels == ("plain",)
    assert e.excluded == ("double zero",)
    assert e.k == 1
    assert any("left out" in n for n in e.notes)


def test_a_study_with_no_events_in_either_arm_stays_in_a_risk_difference() -> None:
    e = binary_effects("RD", [0], [10], [0], [12])
    assert e.k == 1
    assert e.excluded == ()
    assert e.yi[0] == pytest.approx(0.5 / 11 - 0.5 / 13)
    assert e.vi[0] > 0


def test_mean_difference_matches_the_hand_calculation() -> None:
    e = continuous_effects("MD", [10], [2], [20], [8], [3], [30])
    assert e.yi[0] == pytest.approx(2.0)
    assert e.vi[0] == pytest.approx(4 / 20 + 9 / 30)


def test_hedges_g_matches_the_hand_calculation() -> None:
    e = continuous_effects("SMD", [10], [2], [20], [8], [3], [30])
    sp = math.sqrt((19 * 4 + 29 * 9) / 48)
    m = 48
    j = math.exp(math.lgamma(m / 2) - math.lgamma((m - 1) / 2)) / math.sqrt(m / 2)
    g = j * 2 / sp
    assert e.yi[0] == pytest.approx(g, rel=1e-12)
    assert e.vi[0] == pytest.approx(1 / 20 + 1 / 30 + g**2 / (2 * 50), rel=1e-12)


def test_hedges_correction_matches_the_tabulated_value_and_the_usual_approximation() -> None:
    # Hedges & Olkin (1985), Table 2 of chapter 5: J(10) = 0.9227.
    assert float(hedges_correction(10)) == pytest.approx(0.9227, abs=5e-5)
    # The approximation 1 - 3/(4m - 1) is off by O(1/m²).
    for m in (5, 20, 100, 10_000):
        assert float(hedges_correction(m)) == pytest.approx(1 - 3 / (4 * m - 1), abs=0.04 / m**2)


def test_generic_input_is_passed_through_and_checked() -> None:
    e = generic_effects("SMD", [0.2, -0.1], [0.04, 0.09], ["a", "b"])
    assert list(e.yi) == [0.2, -0.1]
    assert list(e.vi) == [0.04, 0.09]
    with pytest.raises(EffectSizeError, match="b: the sampling variance"):
        generic_effects("SMD", [0.2, -0.1], [0.04, 0.0], ["a", "b"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([11], [10], [5], [10]), "between 0 and the arm size"),
        (([-1], [10], [5], [10]), "between 0 and the arm size"),
        (([0], [0], [5], [10]), "at least one participant"),
    ],
)
def test_impossible_counts_are_refused_with_the_study_named(
    args: tuple[list[int], list[int], list[int], list[int]], message: str
) -> None:
    with pytest.raises(EffectSizeError, match=f"Trial A: .*{message}"):
        binary_effects("RR", *args, labels=["Trial A"])


def test_continuous_input_needs_positive_sds_and_two_people_per_arm() -> None:
    with pytest.raises(EffectSizeError, match="greater than 0"):
        continuous_effects("MD", [1], [0], [10], [1], [1], [10])
    with pytest.raises(EffectSizeError, match="at least two"):
        continuous_effects("SMD", [1], [1], [1], [1], [1], [10])


def test_a_measure_for_the_wrong_kind_of_data_is_refused() -> None:
    with pytest.raises(ValueError, match="not a measure for binary"):
        binary_effects("MD", [1], [10], [1], [10])
    with pytest.raises(ValueError, match="not a measure for continuous"):
        continuous_effects(Measure.OR, [1], [1], [10], [1], [1], [10])


# --- statsmodels cross-checks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "statistic"), [("RR", "risk-ratio"), ("OR", "odds-ratio"), ("RD", "diff")]
)
def test_binary_effects_equal_statsmodels_without_and_with_zero_cells(measure: str, statistic: str) -> None:
    # Tables without zero cells: statsmodels with no correction.
    a, n1 = np.array([4, 12, 30, 7]), np.array([50, 40, 300, 70])
    c, n2 = np.array([9, 10, 45, 3]), np.array([52, 41, 290, 68])
    ours = binary_effects(measure, a, n1, c, n2)
    yi, vi = effectsize_2proportions(a, n1, c, n2, statistic=statistic)
    np.testing.assert_allclose(ours.yi, yi, rtol=1e-12)
    np.testing.assert_allclose(ours.vi, vi, rtol=1e-12)
    # Tables that all have a zero cell: statsmodels with zero_correction=0.5. (statsmodels 0.15 adds
    # the 0.5 to the event counts of *every* table but enlarges n only for tables with a zero, so it
    # cannot be compared on a mixed set; within zero-cell tables both apply the usual correction.)
    a, n1 = np.array([0, 12, 3]), np.array([40, 12, 30])
    c, n2 = np.array([6, 10, 0]), np.array([41, 15, 28])
    ours = binary_effects(measure, a, n1, c, n2)
    yi, vi = effectsize_2proportions(a, n1, c, n2, statistic=statistic, zero_correction=0.5)
    np.testing.assert_allclose(ours.yi, yi, rtol=1e-12)
    np.testing.assert_allclose(ours.vi, vi, rtol=1e-12)


def test_hedges_g_is_close_to_statsmodels_which_uses_approximate_corrections() -> None:
    # statsmodels uses J ≈ 1 - 3/(4N - 9) and the RevMan variance term g²/(2(N - 3.94)); we use the
    # exact J and metafor's g²/(2N). The two must agree closely, not exactly.
    m1, s1, n1 = np.array([10.0, 5.0, 3.2]), np.array([2.0, 1.5, 0.8]), np.array([20, 12, 60])
    m2, s2, n2 = np.array([8.0, 5.5, 3.0]), np.array([3.0, 1.2, 0.9]), np.array([30, 11, 58])
    ours = continuous_effects("SMD", m1, s1, n1, m2, s2, n2)
    g, v = effectsize_smd(m1, s1, n1, m2, s2, n2)
    np.testing.assert_allclose(ours.yi, g, rtol=1e-3)
    np.testing.assert_allclose(ours.vi, v, rtol=2e-2)
