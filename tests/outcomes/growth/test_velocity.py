"""Growth velocity, with every expected figure worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from kneadwell.outcomes.growth.velocity import (
    VelocityError,
    WeightPoint,
    average_two_point_velocity,
    exponential_velocity,
    linear_gain,
    regain_index,
    velocity,
)

D = dt.date


def _series(*pairs: tuple[int, float]) -> list[WeightPoint]:
    """(day after 1 Jan 2026, grams) pairs."""
    return [WeightPoint(D(2026, 1, 1) + dt.timedelta(days=d), w) for d, w in pairs]


def test_exponential_velocity_of_1000_to_1300_g_over_14_days() -> None:
    # 1000 · ln(1300/1000) / 14 = 1000 · 0.262364264467491 / 14 = 18.740304604820790 g/kg/day
    assert exponential_velocity(1000, 1300, 14) == pytest.approx(18.740304604820790, rel=1e-12)


def test_average_two_point_velocity_of_1000_to_1300_g_over_14_days() -> None:
    # 1000 · (1300 − 1000) / {[(1300 + 1000)/2] · 14} = 300000 / (1150 · 14) = 300000 / 16100
    # = 18.633540372670808
    assert average_two_point_velocity(1000, 1300, 14) == pytest.approx(18.633540372670808, rel=1e-12)


def test_linear_gain_of_1000_to_1300_g_over_14_days() -> None:
    # (1300 − 1000) / 14 = 21.428571428571427 g/day
    assert linear_gain(1000, 1300, 14) == pytest.approx(21.428571428571427, rel=1e-12)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("exponential", 18.740304604820790), ("average-2-point", 18.633540372670808), ("linear", None)],
)
def test_velocity_reports_its_method_and_the_plain_gain(method: str, expected: float | None) -> None:
    result = velocity(_series((0, 1000), (7, 1120), (14, 1300)), method)  # type: ignore[arg-type]
    assert result.method == method
    assert result.days == 14
    assert (result.start_weight_g, result.end_weight_g) == (1000, 1300)
    assert result.gain_g_per_day == pytest.approx(300 / 14)
    assert result.points_used == 3
    if expected is None:
        assert result.velocity_g_kg_day is None
    else:
        assert result.velocity_g_kg_day == pytest.approx(expected, rel=1e-12)


def test_the_window_can_start_when_birth_weight_is_regained() -> None:
    # Birth 3500 g; 3300 g on day 2 (loss phase starts); 3450 on day 7 (still below); 3600 on day 11
    # (regained: first weight >= 3500 after the loss); 3900 on day 19.
    # Window 11 -> 19 = 8 days: 1000 · ln(3900/3600) / 8 = 1000 · 0.0800427076735366 / 8 = 10.005338459192
    # and the gain is 300 g / 8 days = 37.5 g/day.
    series = _series((0, 3500), (2, 3300), (7, 3450), (11, 3600), (19, 3900))
    result = velocity(series, "exponential", start_after_regain=True)
    assert result.start_date == D(2026, 1, 12)
    assert result.regain_date == D(2026, 1, 12)
    assert result.days == 8
    assert result.velocity_g_kg_day == pytest.approx(10.005338459192, rel=1e-10)
    assert result.gain_g_per_day == 37.5
    # From birth the same series gives 1000 · ln(3900/3500) / 19 = 5.695451823170
    assert velocity(series).velocity_g_kg_day == pytest.approx(5.695451823170, rel=1e-10)


def test_a_baby_who_never_lost_weight_starts_at_birth() -> None:
    series = _series((0, 3000), (3, 3050), (10, 3300))
    assert regain_index(series, 3000) == 0
    result = velocity(series, start_after_regain=True)
    assert result.start_date == D(2026, 1, 1)
    assert result.regain_date is None


def test_a_birth_weight_can_be_given_separately() -> None:
    # Birth weight 1200 g on 1 Jan, not in the series; weights 1150 (day 3), 1210 (day 9), 1400 (day 23).
    # Regained on day 9: 1000 · ln(1400/1210) / 14 = 1000 · 0.145852 / 14 = 10.418
    series = _series((3, 1150), (9, 1210), (23, 1400))
    result = velocity(series, start_after_regain=True, birth_weight_g=1200, birth_date=D(2026, 1, 1))
    assert result.start_date == D(2026, 1, 10)
    assert result.velocity_g_kg_day == pytest.approx(1000 * math.log(1400 / 1210) / 14)


def test_not_yet_regained_is_an_error_in_words() -> None:
    with pytest.raises(VelocityError, match="not been regained"):
        velocity(_series((0, 3500), (3, 3300), (6, 3400)), start_after_regain=True)


def test_same_day_weights_are_averaged() -> None:
    # Day 0: 1000 and 1010 -> 1005; day 10: 1105. Linear gain = 100 / 10 = 10 g/day.
    result = velocity(_series((0, 1000), (0, 1010), (10, 1105)), "linear")
    assert result.start_weight_g == 1005
    assert result.gain_g_per_day == 10


@pytest.mark.parametrize(
    "series",
    [[], _series((0, 1000)), _series((0, 1000), (0, 1100))],
)
def test_it_needs_two_dates(series: list[WeightPoint]) -> None:
    with pytest.raises(VelocityError, match="two different dates"):
        velocity(series)


def test_it_rejects_a_non_positive_weight() -> None:
    with pytest.raises(VelocityError, match="positive"):
        velocity(_series((0, 1000), (5, -3)))


def test_it_rejects_an_unknown_method() -> None:
    with pytest.raises(VelocityError, match="method"):
        velocity(_series((0, 1000), (5, 1100)), "quadratic")  # type: ignore[arg-type]
