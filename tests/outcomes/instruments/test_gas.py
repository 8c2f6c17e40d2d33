"""The GAS T-score across goals (instruments/gas.py) against values worked by hand from Kiresuk and
Sherman's formula, T = 50 + 10·Σ(wx) / √(0.7·Σw² + 0.3·(Σw)²) [GAS-KS-1968, GAS-TS-2009], and the goal
attainment entry that names its goal."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from kneadwell.content.sources import source_get
from kneadwell.outcomes import instruments
from kneadwell.outcomes.instruments import InstrumentValidationError
from kneadwell.outcomes.instruments.gas import (
    FORMULA_SOURCES,
    RHO,
    UNNAMED,
    GoalEntry,
    summarise,
    t_score,
)


def test_rho_is_the_conventional_correlation_and_its_sources_are_registered() -> None:
    assert RHO == 0.3
    for sid in FORMULA_SOURCES:
        assert source_get(sid) is not None


def test_every_goal_at_its_expected_level_is_fifty() -> None:
    assert t_score([(0, 1), (0, 1), (0, 1)]) == 50
    assert t_score([(0, 2), (0, 7)]) == 50


def test_one_goal_moves_ten_points_a_level_whatever_its_weight() -> None:
    # √(0.7·w² + 0.3·w²) = w, so T = 50 + 10·x.
    assert t_score([(1, 1)]) == pytest.approx(60)
    assert t_score([(-2, 1)]) == pytest.approx(30)
    assert t_score([(-1, 4)]) == pytest.approx(40)


def test_three_equally_weighted_goals_a_level_above_expected() -> None:
    # Σwx = 3; Σw² = 3; (Σw)² = 9; √(0.7·3 + 0.3·9) = √4.8 = 2.190890; 50 + 30 / 2.190890 = 63.6931.
    assert t_score([(1, 1), (1, 1), (1, 1)]) == pytest.approx(50 + 30 / math.sqrt(4.8))
    assert t_score([(1, 1), (1, 1), (1, 1)]) == pytest.approx(63.6931, abs=1e-4)


def test_two_equally_weighted_goals_at_minus_one_and_plus_two() -> None:
    # Σwx = 1; √(0.7·2 + 0.3·4) = √2.6 = 1.612452; 50 + 10 / 1.612452 = 56.2017.
    assert t_score([(-1, 1), (2, 1)]) == pytest.approx(56.2017, abs=1e-4)


def test_unequal_weights_count_each_goal_by_its_weight() -> None:
    # w = 1, 2, 3; x = -1, +1, +2: Σwx = 7; Σw² = 14; (Σw)² = 36; √(9.8 + 10.8) = √20.6 = 4.538722;
    # 50 + 70 / 4.538722 = 65.4228.
    assert t_score([(-1, 1), (1, 2), (2, 3)]) == pytest.approx(65.4228, abs=1e-4)
    # The same levels with the weights turned round: Σwx = -3 + 2 + 2 = 1 → 50 + 10 / 4.538722 = 52.2033.
    assert t_score([(-1, 3), (1, 2), (2, 1)]) == pytest.approx(52.2033, abs=1e-4)


def test_all_goals_at_minus_one_at_the_start() -> None:
    # The usual start: three goals at -1, equal weights → 50 − 30 / √4.8 = 36.3069.
    assert t_score([(-1, 1)] * 3) == pytest.approx(36.3069, abs=1e-4)


@pytest.mark.parametrize("goals", [[], [(3, 1)], [(1, 0)], [(1, -1)], [(1, math.nan)], [(0.5, 1)]], ids=str)
def test_impossible_input_is_refused(goals: list[tuple[float, float]]) -> None:
    with pytest.raises(ValueError, match="goal"):
        t_score(goals)


def _at(day: int) -> dt.datetime:
    return dt.datetime(2025, 3, day, 10, tzinfo=dt.UTC)


def test_the_summary_takes_each_goals_first_and_latest_rating() -> None:
    summary = summarise(
        [
            GoalEntry("Walk to the shop", -1, 2, _at(1)),
            GoalEntry("Dress alone", -2, None, _at(1)),
            GoalEntry("walk  to the SHOP", 0, None, _at(8)),  # the same goal, written differently
            GoalEntry("Walk to the shop", 1, 5, _at(15)),  # a later weight is not used
            GoalEntry("Dress alone", 0, None, _at(15)),
        ]
    )
    assert summary is not None
    rows = {r.goal: r for r in summary.goals}
    assert set(rows) == {"Walk to the shop", "Dress alone"}
    walk = rows["Walk to the shop"]
    assert (walk.weight, walk.first_level, walk.latest_level, walk.ratings) == (2, -1, 1, 3)
    assert walk.weight_changed
    assert summary.first_t == pytest.approx(t_score([(-1, 2), (-2, 1)]))
    assert summary.latest_t == pytest.approx(t_score([(1, 2), (0, 1)]))
    assert summary.change == pytest.approx(summary.latest_t - summary.first_t)
    assert any("first weight is used" in n for n in summary.notes)


def test_entries_without_a_name_are_one_goal() -> None:
    summary = summarise([GoalEntry("", -1, None, _at(1)), GoalEntry("  ", 1, None, _at(9))])
    assert summary is not None
    assert [(r.goal, r.first_level, r.latest_level) for r in summary.goals] == [(UNNAMED, -1, 1)]
    assert summary.latest_t == pytest.approx(60)
    assert summarise([]) is None


def test_an_entry_names_its_goal_and_weight() -> None:
    score = instruments.score("goal_attainment", {"level": -1, "goal": "  Walk  to the shop ", "weight": "3"})
    assert score.total == -1
    assert score.band is not None
    assert score.band.id == "below"
    assert score.details["goal"] == "Walk to the shop"
    assert score.details["weight"] == 3
    plain = instruments.score("goal_attainment", {"level": 0})
    assert (plain.details["goal"], plain.details["weight"]) == ("", None)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"level": 1, "goal": "x" * 65}, "goal"),
        ({"level": 1, "goal": 7}, "goal"),
        ({"level": 1, "weight": 0}, "weight"),
        ({"level": 1, "weight": 11}, "weight"),
        ({"level": 1, "weight": "1.5"}, "weight"),
        ({"level": 3, "goal": "Walk"}, "level"),
    ],
)
def test_a_bad_goal_or_weight_is_refused_naming_it(answers: dict[str, object], field: str) -> None:
    with pytest.raises(InstrumentValidationError) as caught:
        instruments.score("goal_attainment", answers)
    assert caught.value.field == field
