"""Goal attainment (one goal on the GAS levels -2 to +2): the level is the score, 0 is the goal reached."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import InstrumentValidationError, get_instrument, score


@pytest.mark.parametrize(
    ("level", "band"),
    [(-2, "below"), (-1, "below"), (0, "achieved"), (1, "achieved"), (2, "achieved")],
)
def test_each_level_scores_as_itself_with_its_band(level: int, band: str) -> None:
    result = score("goal_attainment", {"level": level})
    assert result.total == level
    assert result.band is not None
    assert result.band.id == band
    assert result.details["labels"]["level"].startswith(f"{level:+d}" if level else "0")


@pytest.mark.parametrize("bad", [-3, 3, "0.5", None])
def test_a_level_outside_the_five_is_refused(bad: object) -> None:
    with pytest.raises(InstrumentValidationError):
        score("goal_attainment", {"level": bad})


def test_it_is_cited_and_higher_is_better() -> None:
    inst = get_instrument("goal_attainment")
    assert inst.direction.value == "higher_better"
    assert set(inst.source_ids) == {"GAS-KS-1968", "GAS-TS-2009"}
    assert (inst.score_min, inst.score_max) == (-2.0, 2.0)
