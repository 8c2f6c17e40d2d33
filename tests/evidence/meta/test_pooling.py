"""Pooling checked against published reference results and against statsmodels.

Tolerances: a value printed to 4 decimals is matched to ±0.00005 (half a unit in the last printed
digit), to 2 decimals ±0.005; that is, we reproduce every printed digit after rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import _fit_tau_iter_mm, combine_effects

from kneadwell.evidence.meta.effect_sizes import (
    EffectSizes,
    Measure,
    binary_effects,
    continuous_effects,
    generic_effects,
)
from kneadwell.evidence.meta.pooling import (
    ConvergenceError,
    Method,
    meta_analyse,
    pool,
    reml_log_likelihood,
    tau2_dersimonian_laird,
    tau2_paule_mandel,
    tau2_reml,
)

FOUR_DP = 5e-5
TWO_DP = 5e-3


def bcg_effects(bcg: Any, measure: str) -> EffectSizes:
    return binary_effects(
        measure, bcg.events_treatment, bcg.n_treatment, bcg.events_control, bcg.n_control, bcg.labels
    )


# --- BCG vaccine data, log risk ratio ---------------------------------------------------------------


def test_it_reproduces_metafors_published_reml_result_for_the_bcg_log_risk_ratio(bcg: Any) -> None:
    # Expected: metafor `rma(yi, vi, data=dat)` on dat.bcg with measure "RR" (REML, the default), as
    # printed in Viechtbauer (2010), "Conducting meta-analyses in R with the metafor package",
    # J Stat Softw 36(3), and reproduced in the RoBMA vignette "Bayesian Meta-Analysis"
    # (stat.ethz.ch/CRAN/web/packages/RoBMA/vignettes/v02-bayesian-meta-analysis.html):
    # tau^2 0.3132 (SE 0.1664), I^2 92.22%, H^2 12.86, Q(df=12) 152.2330,
    # estimate -0.7145, se 0.1798, zval -3.9744, ci -1.0669 to -0.3622.
    result = meta_analyse(bcg_effects(bcg, "RR"), Method.REML)
    p = result.pooled
    assert p.mu == pytest.approx(-0.7145, abs=FOUR_DP)
    assert p.se == pytest.approx(0.1798, abs=FOUR_DP)
    assert p.z == pytest.approx(-3.9744, abs=FOUR_DP)
    assert p.ci_low == pytest.approx(-1.0669, abs=FOUR_DP)
    assert p.ci_high == pytest.approx(-0.3622, abs=FOUR_DP)
    assert p.tau2 == pytest.approx(0.3132, abs=FOUR_DP)
    assert p.i2 == pytest.approx(92.22, abs=TWO_DP)
    assert p.h2 == pytest.approx(12.86, abs=TWO_DP)
    assert p.q == pytest.approx(152.2330, abs=FOUR_DP)
    assert p.q_df == 12
    assert p.p_value < 1e-4  # printed as "<.0001"
    assert result.estimate == pytest.approx(math.exp(-0.7145), rel=1e-4)
    assert result.log_estimate == p.mu


def test_it_reproduces_the_bcg_fixed_effect_and_dersimonian_laird_results(bcg: Any) -> None:
    # Expected: metafor's test file tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r, where
    # these values are checked against Stata's metan (github.com/wviechtb/metafor).
    effects = bcg_effects(bcg, "RR")
    fe = meta_analyse(effects, Method.FE)
    assert fe.pooled.mu == pytest.approx(-0.4303, abs=FOUR_DP)
    assert fe.pooled.ci_low == pytest.approx(-0.5097, abs=FOUR_DP)
    assert fe.pooled.ci_high == pytest.approx(-0.3509, abs=FOUR_DP)
    assert fe.pooled.z == pytest.approx(-10.6247, abs=FOUR_DP)
    assert fe.pooled.q == pytest.approx(152.2330, abs=FOUR_DP)
    assert fe.estimate == pytest.approx(0.6503, abs=FOUR_DP)
    assert fe.ci_low == pytest.approx(0.6007, abs=FOUR_DP)
    assert fe.ci_high == pytest.approx(0.7040, abs=FOUR_DP)

    dl = meta_analyse(effects, Method.DL)
    assert dl.pooled.mu == pytest.approx(-0.7141, abs=FOUR_DP)
    assert dl.pooled.ci_low == pytest.approx(-1.0644, abs=FOUR_DP)
    assert dl.pooled.ci_high == pytest.approx(-0.3638, abs=FOUR_DP)
    assert dl.pooled.z == pytest.approx(-3.9952, abs=FOUR_DP)
    assert dl.pooled.tau2 == pytest.approx(0.3088, abs=FOUR_DP)
    assert dl.pooled.i2 == pytest.approx(92.1173, abs=FOUR_DP)
    assert dl.estimate == pytest.approx(0.4896, abs=FOUR_DP)
    assert dl.ci_low == pytest.approx(0.3449, abs=FOUR_DP)
    assert dl.ci_high == pytest.approx(0.6950, abs=FOUR_DP)


def test_it_reproduces_the_bcg_odds_ratio_and_risk_difference_results(bcg: Any) -> None:
    # Expected: the same metafor test file (metan comparison), measures "OR" and "RD".
    odds = bcg_effects(bcg, "OR")
    fe = meta_analyse(odds, Method.FE)
    assert fe.pooled.mu == pytest.approx(-0.4361, abs=FOUR_DP)
    assert fe.pooled.q == pytest.approx(163.1649, abs=FOUR_DP)
    assert fe.estimate == pytest.approx(0.6465, abs=FOUR_DP)
    dl = meta_analyse(odds, Method.DL)
    assert dl.pooled.mu == pytest.approx(-0.7474, abs=FOUR_DP)
    assert dl.pooled.ci_low == pytest.approx(-1.1242, abs=FOUR_DP)
    assert dl.pooled.ci_high == pytest.approx(-0.3706, abs=FOUR_DP)
    assert dl.pooled.tau2 == pytest.approx(0.3663, abs=FOUR_DP)
    assert dl.pooled.i2 == pytest.approx(92.6455, abs=FOUR_DP)
    assert dl.estimate == pytest.approx(0.4736, abs=FOUR_DP)

    rd = bcg_effects(bcg, "RD")
    fe = meta_analyse(rd, Method.FE)
    assert fe.pooled.mu == pytest.approx(-0.0009, abs=FOUR_DP)
    assert fe.pooled.z == pytest.approx(-4.0448, abs=FOUR_DP)
    assert fe.pooled.q == pytest.approx(276.4737, abs=FOUR_DP)
    dl = meta_analyse(rd, Method.DL)
    assert dl.pooled.mu == pytest.approx(-0.0071, abs=FOUR_DP)
    assert dl.pooled.ci_low == pytest.approx(-0.0101, abs=FOUR_DP)
    assert dl.pooled.ci_high == pytest.approx(-0.0040, abs=FOUR_DP)
    assert dl.pooled.z == pytest.approx(-4.5128, abs=FOUR_DP)
    assert dl.pooled.i2 == pytest.approx(95.6596, abs=FOUR_DP)


def test_it_reproduces_the_paule_mandel_tau2_for_the_bcg_log_risk_ratio(bcg: Any) -> None:
    # Expected: 0.3181, metafor test file tests/testthat/test_misc_rma_uni.r (method "DLIT", the
    # DerSimonian-Laird estimator iterated to convergence). Iterated DL has the Paule-Mandel
    # estimating equation as its fixed point (DerSimonian & Kacker 2007), so PM must give it too.
    est = tau2_paule_mandel(bcg_effects(bcg, "RR").yi, bcg_effects(bcg, "RR").vi)
    assert est.converged
    assert est.tau2 == pytest.approx(0.3181, abs=FOUR_DP)


# --- CLASP example: the three estimators side by side ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "tau", "mu", "se"),
    [
        # DerSimonian & Kacker (2007) Contemp Clin Trials 28:105-114, Tables 3 and 4 (pp. 111-112),
        # as encoded in metafor's tests/testthat/test_analysis_example_dersimonian2007.r.
        (Method.PM, 0.3681, -0.3811, 0.2060),
        (Method.DL, 0.2323, -0.3240, 0.1540),
        (Method.REML, 0.1843, -0.2980, 0.1343),
    ],
)
def test_it_reproduces_dersimonian_and_kacker_for_the_clasp_log_odds_ratios(
    clasp: Any, method: Method, tau: float, mu: float, se: float
) -> None:
    effects = binary_effects(
        "OR", clasp.events_treatment, clasp.n_treatment, clasp.events_control, clasp.n_control, clasp.labels
    )
    p = meta_analyse(effects, method).pooled
    assert p.tau2 is not None
    assert math.sqrt(p.tau2) == pytest.approx(tau, abs=FOUR_DP)
    assert p.mu == pytest.approx(mu, abs=FOUR_DP)
    assert p.se == pytest.approx(se, abs=FOUR_DP)


# --- Normand (1999): continuous outcome ----------------------------------------------------------------


def test_it_reproduces_normand_1999_table_ix_for_mean_differences_in_length_of_stay(normand: Any) -> None:
    # Expected: Normand (1999) Stat Med 18:321-359, Table VIII (p. 351: yi, vi) and Table IX (p. 352:
    # pooled results), as checked in metafor's tests/testthat/test_analysis_example_normand1999.r.
    # Normand used the pooled SD in both arms, so we pass it as both arms' SD.
    n1, n2 = np.array(normand.n_treatment), np.array(normand.n_control)
    s1, s2 = np.array(normand.sd_treatment), np.array(normand.sd_control)
    sp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    effects = continuous_effects(
        "MD", normand.mean_treatment, sp, n1, normand.mean_control, sp, n2, normand.labels
    )
    assert list(effects.yi) == [-20, -2, -55, -71, -4, 1, 11, -10, 7]
    assert np.round(effects.vi, 2).tolist() == [40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69]
    fe = meta_analyse(effects, Method.FE).pooled
    assert (fe.mu, fe.ci_low, fe.ci_high) == pytest.approx((-3.49, -5.03, -1.96), abs=TWO_DP)
    dl = meta_analyse(effects, Method.DL).pooled
    assert (dl.mu, dl.ci_low, dl.ci_high) == pytest.approx((-14.10, -24.45, -3.75), abs=TWO_DP)
    assert dl.tau2 == pytest.approx(218.72, abs=TWO_DP)
    reml = meta_analyse(effects, Method.REML).pooled
    assert (reml.mu, reml.ci_low, reml.ci_high) == pytest.approx((-15.12, -32.67, 2.43), abs=TWO_DP)
    assert reml.tau2 == pytest.approx(685.20, abs=TWO_DP)


def test_it_reproduces_metafors_reml_tau2_for_hedges_g_in_the_first_four_normand_studies(
    normand: Any,
) -> None:
    # Expected: tau^2 = 1.0090, metafor tests/testthat/test_misc_rma_uni.r ("rma() works directly with
    # input for measure='SMD'", dat.normand1999 subset 1:4, REML).
    effects = continuous_effects(
        "SMD",
        normand.mean_treatment[:4],
        normand.sd_treatment[:4],
        normand.n_treatment[:4],
        normand.mean_control[:4],
        normand.sd_control[:4],
        normand.n_control[:4],
        normand.labels[:4],
    )
    assert meta_analyse(effects, Method.REML).pooled.tau2 == pytest.approx(1.0090, abs=FOUR_DP)


def test_it_reproduces_cochrans_q_for_normand_mean_differences_with_separate_sds(normand: Any) -> None:
    # Expected: Q = 238.9158 for escalc(measure="MD") with each arm's own SD (vi = sd1²/n1 + sd2²/n2),
    # the Q printed in the metadat documentation of dat.normand1999.
    effects = continuous_effects(
        "MD",
        normand.mean_treatment,
        normand.sd_treatment,
        normand.n_treatment,
        normand.mean_control,
        normand.sd_control,
        normand.n_control,
    )
    assert meta_analyse(effects, Method.REML).pooled.q == pytest.approx(238.9158, abs=FOUR_DP)


# --- Cross-checks against statsmodels ------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["RR", "OR", "RD"])
def test_dersimonian_laird_agrees_with_statsmodels_on_bcg(bcg: Any, measure: str) -> None:
    effects = bcg_effects(bcg, measure)
    sm = combine_effects(effects.yi, effects.vi, method_re="dl")
    ours = meta_analyse(effects, Method.DL).pooled
    # statsmodels does not truncate the DL value at 0; every value here is positive anyway.
    assert sm.tau2 > 0
    assert ours.tau2 == pytest.approx(sm.tau2, rel=1e-9)
    assert ours.mu == pytest.approx(sm.mean_effect_re, rel=1e-9)
    assert ours.se == pytest.approx(sm.sd_eff_w_re, rel=1e-9)
    assert ours.q == pytest.approx(sm.q, rel=1e-12)


@pytest.mark.parametrize("measure", ["RR", "OR", "RD"])
def test_paule_mandel_agrees_with_statsmodels_iterated_moments_on_bcg(bcg: Any, measure: str) -> None:
    # statsmodels' public PM (`combine_effects(method_re="pm")`) takes Newton-type steps up from
    # tau2_start and gives up with tau2 = 0 when a step overshoots; it does so on the BCG log OR (and
    # from several starting values on the log RR), so it cannot serve as the reference there. Its
    # iterated method-of-moments estimator has the PM estimating equation as its fixed point
    # (DerSimonian & Kacker 2007) and converges reliably, so we compare with that.
    effects = bcg_effects(bcg, measure)
    ours = meta_analyse(effects, Method.PM).pooled
    sm_tau2, sm_converged = _fit_tau_iter_mm(effects.yi, effects.vi, atol=1e-14, maxiter=10_000)
    assert sm_converged
    assert ours.tau2 == pytest.approx(float(sm_tau2), rel=1e-7)
    # And the defining equation holds: generalised Q at tau2 equals k - 1.
    assert ours.tau2 is not None
    assert ours.tau2 > 0
    w = 1 / (effects.vi + ours.tau2)
    mu = np.sum(w * effects.yi) / np.sum(w)
    assert ours.mu == pytest.approx(mu, rel=1e-12)
    assert np.sum(w * (effects.yi - mu) ** 2) == pytest.approx(effects.k - 1, rel=1e-9)


def test_statsmodels_paule_mandel_from_zero_matches_where_it_converges(bcg: Any) -> None:
    effects = bcg_effects(bcg, "RR")
    sm = combine_effects(effects.yi, effects.vi, method_re="pm", atol=1e-12, maxiter=1000)
    assert meta_analyse(effects, Method.PM).pooled.tau2 == pytest.approx(sm.tau2, rel=1e-7)


def test_reml_is_the_maximum_of_the_restricted_likelihood_on_bcg(bcg: Any) -> None:
    effects = bcg_effects(bcg, "RR")
    est = tau2_reml(effects.yi, effects.vi)
    assert est.converged
    ll = reml_log_likelihood(est.tau2, effects.yi, effects.vi)
    for delta in (1e-4, 1e-3, 1e-2):
        assert ll >= reml_log_likelihood(est.tau2 + delta, effects.yi, effects.vi)
        assert ll >= reml_log_likelihood(est.tau2 - delta, effects.yi, effects.vi)


# --- Edge cases ----------------------------------------------------------------------------------------


def test_one_study_is_its_own_pooled_estimate_with_no_heterogeneity_statistics() -> None:
    effects = generic_effects("MD", [2.5], [0.25], ["Only"])
    for method in (Method.DL, Method.REML, Method.PM):
        p = meta_analyse(effects, method).pooled
        assert p.k == 1
        assert p.mu == 2.5
        assert p.se == pytest.approx(0.5)
        assert (p.ci_low, p.ci_high) == pytest.approx((2.5 - 1.959964 * 0.5, 2.5 + 1.959964 * 0.5))
        assert p.tau2 is None
        assert p.i2 is None
        assert p.q_p_value is None
        assert p.q == 0.0


def test_identical_studies_give_zero_heterogeneity_and_the_fixed_effect_answer() -> None:
    yi, vi = np.full(5, 0.3), np.full(5, 0.04)
    fe = pool(yi, vi, Method.FE)
    for method in (Method.DL, Method.REML, Method.PM):
        p = pool(yi, vi, method)
        assert p.tau2 == 0.0
        assert p.i2 == 0.0
        assert p.q == pytest.approx(0.0, abs=1e-12)
        assert p.mu == pytest.approx(0.3)
        assert p.se == pytest.approx(fe.se)
        assert p.se == pytest.approx(math.sqrt(0.04 / 5))


def test_less_spread_than_chance_truncates_tau2_at_zero_for_every_estimator() -> None:
    # Q = 0.5 with 2 df: the raw DL value would be negative.
    yi = np.array([0.0, 0.1, 0.05])
    vi = np.array([0.02, 0.02, 0.02])
    assert tau2_dersimonian_laird(yi, vi) == 0.0
    assert tau2_paule_mandel(yi, vi).tau2 == 0.0
    assert tau2_reml(yi, vi).tau2 == 0.0
    p = pool(yi, vi, Method.REML)
    assert p.i2 == 0.0
    assert p.h2 == 1.0


def test_reml_settles_where_plain_fisher_scoring_would_oscillate_for_ever() -> None:
    # Undamped Fisher scoring from 0 alternates between 0 and 0.0485 here; the maximum is at 0.02135.
    yi = np.array([0.0] * 11 + [2.0])
    vi = np.array([1.0] * 11 + [0.5])
    est = tau2_reml(yi, vi)
    assert est.converged
    assert est.tau2 == pytest.approx(0.0213538, abs=1e-6)
    score_below = reml_log_likelihood(est.tau2 - 1e-4, yi, vi)
    score_above = reml_log_likelihood(est.tau2 + 1e-4, yi, vi)
    assert reml_log_likelihood(est.tau2, yi, vi) > max(score_below, score_above)


def test_reml_takes_the_global_maximum_when_the_likelihood_has_two_peaks() -> None:
    # The restricted likelihood falls away from tau2 = 0 (a local maximum there) but rises to a
    # higher peak further out; climbing from 0 alone would report 0.
    yi = np.array([0.0, 0.0, 3.0])
    vi = np.array([0.125, 0.03125, 1.0])
    est = tau2_reml(yi, vi)
    assert est.tau2 > 1
    assert reml_log_likelihood(est.tau2, yi, vi) > reml_log_likelihood(0.0, yi, vi) + 0.5


def test_reml_that_cannot_converge_in_the_allowed_steps_raises_rather_than_guessing(bcg: Any) -> None:
    effects = bcg_effects(bcg, "RR")
    with pytest.raises(ConvergenceError, match="did not converge"):
        tau2_reml(effects.yi, effects.vi, max_iter=1)


def test_it_rejects_a_zero_or_negative_sampling_variance() -> None:
    with pytest.raises(ValueError, match="greater than 0"):
        pool(np.array([0.1, 0.2]), np.array([0.01, 0.0]))


def test_ratio_measures_are_reported_on_the_natural_scale() -> None:
    result = meta_analyse(generic_effects(Measure.RR, [math.log(0.5)], [0.04]))
    assert result.estimate == pytest.approx(0.5)
    assert result.ci_low == pytest.approx(math.exp(math.log(0.5) - 1.959964 * 0.2), rel=1e-6)
    assert result.log_estimate == pytest.approx(math.log(0.5))
    md = meta_analyse(generic_effects(Measure.MD, [-0.5], [0.04]))
    assert md.estimate == -0.5
    assert md.log_estimate is None


def test_the_json_dict_has_exactly_the_contract_keys(bcg: Any) -> None:
    out = meta_analyse(bcg_effects(bcg, "OR")).to_json_dict()
    assert list(out) == [
        "k",
        "measure",
        "method",
        "estimate",
        "ci_low",
        "ci_high",
        "log_estimate",
        "se",
        "tau2",
        "i2",
        "q",
        "p_value",
    ]
    assert out["measure"] == "OR"
    assert out["method"] == "REML"
    assert out["k"] == 13
