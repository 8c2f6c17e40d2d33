"""Properties that must hold for any data, checked with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize
from statsmodels.stats.meta_analysis import combine_effects

from kneadwell.evidence.meta.effect_sizes import FloatArray, binary_effects
from kneadwell.evidence.meta.pooling import (
    Method,
    meta_analyse,
    pool,
    reml_log_likelihood,
    tau2_paule_mandel,
    tau2_reml,
)

RANDOM_EFFECTS = (Method.DL, Method.REML, Method.PM)
Tables = tuple[list[int], list[int], list[int], list[int]]


@st.composite
def studies(draw: st.DrawFn, min_k: int = 1, max_k: int = 15) -> tuple[FloatArray, FloatArray]:
    k = draw(st.integers(min_k, max_k))
    yi = draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=k, max_size=k))
    vi = draw(st.lists(st.floats(1e-3, 5, allow_nan=False), min_size=k, max_size=k))
    return np.array(yi), np.array(vi)


@st.composite
def two_by_two_tables(draw: st.DrawFn) -> Tables:
    k = draw(st.integers(1, 8))
    a, n1, c, n2 = [], [], [], []
    for _ in range(k):
        n_t = draw(st.integers(1, 400))
        n_c = draw(st.integers(1, 400))
        a.append(draw(st.integers(0, n_t)))
        c.append(draw(st.integers(0, n_c)))
        n1.append(n_t)
        n2.append(n_c)
    return a, n1, c, n2


@settings(max_examples=150, deadline=None)
@given(studies())
def test_tau2_is_never_negative_and_i2_is_a_percentage(data: tuple[FloatArray, FloatArray]) -> None:
    yi, vi = data
    for method in RANDOM_EFFECTS:
        p = pool(yi, vi, method)
        if p.k == 1:
            assert p.tau2 is None
            continue
        assert p.tau2 is not None
        assert p.tau2 >= 0
        assert p.i2 is not None
        assert 0 <= p.i2 < 100


@settings(max_examples=150, deadline=None)
@given(studies(), st.sampled_from([Method.FE, *RANDOM_EFFECTS]))
def test_the_confidence_interval_contains_the_estimate_and_weights_sum_to_100(
    data: tuple[FloatArray, FloatArray], method: Method
) -> None:
    yi, vi = data
    p = pool(yi, vi, method)
    assert p.ci_low < p.mu < p.ci_high
    assert p.ci_high - p.mu == pytest.approx(p.mu - p.ci_low, rel=1e-9, abs=1e-12)
    assert float(np.sum(p.weights)) == pytest.approx(100.0)
    assert 0 <= p.p_value <= 1


@settings(max_examples=100, deadline=None)
@given(studies(min_k=2))
def test_reml_finds_the_maximum_of_the_restricted_likelihood(data: tuple[FloatArray, FloatArray]) -> None:
    yi, vi = data
    est = tau2_reml(yi, vi)
    assert est.converged
    # An independent search: bounded scalar minimisation of -log L_R over [0, a generous upper bound].
    upper = 10 * (float(np.var(yi)) + float(np.max(vi))) + 1
    brute = optimize.minimize_scalar(
        lambda t: -reml_log_likelihood(t, yi, vi),
        bounds=(0, upper),
        method="bounded",
        options={"xatol": 1e-10},
    )
    best = max(-brute.fun, reml_log_likelihood(0.0, yi, vi))
    assert reml_log_likelihood(est.tau2, yi, vi) >= best - 1e-8


@settings(max_examples=100, deadline=None)
@given(studies(min_k=2))
def test_paule_mandel_solves_its_estimating_equation(data: tuple[FloatArray, FloatArray]) -> None:
    yi, vi = data
    est = tau2_paule_mandel(yi, vi)
    k = yi.shape[0]

    def generalised_q(tau2: float) -> float:
        w = 1 / (vi + tau2)
        mu = np.sum(w * yi) / np.sum(w)
        return float(np.sum(w * (yi - mu) ** 2))

    if est.tau2 > 0:
        assert generalised_q(est.tau2) == pytest.approx(k - 1, rel=1e-6)
    else:
        assert generalised_q(0.0) <= k - 1 + 1e-9


@settings(max_examples=100, deadline=None)
@given(studies(min_k=2))
def test_dersimonian_laird_agrees_with_statsmodels(data: tuple[FloatArray, FloatArray]) -> None:
    yi, vi = data
    ours = pool(yi, vi, Method.DL)
    with np.errstate(all="ignore"):  # statsmodels divides by vi + tau2 even when its tau2 is < 0
        sm = combine_effects(yi, vi, method_re="dl")
    # statsmodels leaves a negative DL value untruncated; compare where it is positive.
    assume(sm.tau2 > 0)
    assert ours.tau2 == pytest.approx(sm.tau2, rel=1e-8)
    assert ours.mu == pytest.approx(sm.mean_effect_re, rel=1e-8, abs=1e-12)
    assert ours.se == pytest.approx(sm.sd_eff_w_re, rel=1e-8)


@settings(max_examples=100, deadline=None)
@given(studies(), st.floats(-10, 10, allow_nan=False), st.sampled_from(RANDOM_EFFECTS))
def test_shifting_every_study_shifts_the_pooled_estimate_and_leaves_tau2_alone(
    data: tuple[FloatArray, FloatArray], shift: float, method: Method
) -> None:
    yi, vi = data
    before = pool(yi, vi, method)
    after = pool(yi + shift, vi, method)
    assert after.mu == pytest.approx(before.mu + shift, abs=1e-8)
    if before.tau2 is None:
        assert after.tau2 is None
    else:
        assert after.tau2 == pytest.approx(before.tau2, rel=1e-6, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(two_by_two_tables(), st.sampled_from(["RR", "OR"]), st.sampled_from(RANDOM_EFFECTS))
def test_swapping_the_arms_inverts_a_pooled_ratio(tables: Tables, measure: str, method: Method) -> None:
    a, n1, c, n2 = tables
    forward = binary_effects(measure, a, n1, c, n2)
    assume(forward.k > 0)  # every table may be double-zero
    backward = binary_effects(measure, c, n2, a, n1)
    f = meta_analyse(forward, method)
    b = meta_analyse(backward, method)
    assert f.estimate * b.estimate == pytest.approx(1.0, rel=1e-6)
    assert f.ci_low * b.ci_high == pytest.approx(1.0, rel=1e-6)
    assert f.pooled.p_value == pytest.approx(b.pooled.p_value, rel=1e-6, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(two_by_two_tables(), st.sampled_from(RANDOM_EFFECTS))
def test_swapping_the_arms_negates_a_pooled_risk_difference(tables: Tables, method: Method) -> None:
    a, n1, c, n2 = tables
    f = meta_analyse(binary_effects("RD", a, n1, c, n2), method)
    b = meta_analyse(binary_effects("RD", c, n2, a, n1), method)
    assert f.estimate == pytest.approx(-b.estimate, abs=1e-9)
