"""Modified Ashworth: string grades per muscle group and side, and the 0-5 ordinal coding."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.outcomes.instruments import (
    InstrumentValidationError,
    get_instrument,
    mas_from_ordinal,
    mas_grades,
    mas_keys,
    mas_to_ordinal,
    score,
)


def test_mas_coding_round_trips_every_grade() -> None:
    grades = [g.grade for g in mas_grades()]
    assert grades == ["0", "1", "1+", "2", "3", "4"]
    assert [mas_to_ordinal(g) for g in grades] == [0, 1, 2, 3, 4, 5]
    for grade in grades:
        assert mas_from_ordinal(mas_to_ordinal(grade)) == grade
    for code in range(6):
        assert mas_to_ordinal(mas_from_ordinal(code)) == code


def test_one_plus_is_coded_two_and_two_is_coded_three() -> None:
    assert mas_to_ordinal("1+") == 2
    assert mas_to_ordinal(2) == 3
    assert mas_to_ordinal(" 1 + ") == 2


@pytest.mark.parametrize("bad", ["5", "2+", "1-", 1.5, True, None, "one"])
def test_a_non_grade_is_rejected(bad: Any) -> None:
    with pytest.raises(InstrumentValidationError):
        mas_to_ordinal(bad)


@pytest.mark.parametrize("bad", [6, -1, "2"])
def test_a_bad_ordinal_is_rejected(bad: Any) -> None:
    with pytest.raises(InstrumentValidationError):
        mas_from_ordinal(bad)


def test_scoring_keeps_the_string_grade_and_the_code_per_group_and_side() -> None:
    result = score(
        "modified_ashworth",
        {"elbow_flexors.left": "1+", "elbow_flexors.right": "0", "ankle_plantarflexors.left": 3},
    )
    assert result.total is None  # grades are never summed
    assert result.details["grades"] == {
        "elbow_flexors.left": "1+",
        "elbow_flexors.right": "0",
        "ankle_plantarflexors.left": "3",
    }
    assert result.details["ordinal"] == {
        "elbow_flexors.left": 2,
        "elbow_flexors.right": 0,
        "ankle_plantarflexors.left": 4,
    }
    assert result.subscores["elbow_flexors.left"].label == "Elbow flexors, left"


def test_scoring_names_a_bad_muscle_group_or_side() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("modified_ashworth", {"elbow_flexors.middle": "1"})
    assert exc.value.field == "elbow_flexors.middle"
    with pytest.raises(InstrumentValidationError) as exc:
        score("modified_ashworth", {"elbow_flexors.left": "1++"})
    assert exc.value.field == "elbow_flexors.left"


def test_scoring_needs_at_least_one_grade() -> None:
    with pytest.raises(InstrumentValidationError):
        score("modified_ashworth", {})


def test_every_group_has_a_left_and_a_right_key() -> None:
    keys = mas_keys(get_instrument("modified_ashworth"))
    assert "elbow_flexors.left" in keys
    assert "elbow_flexors.right" in keys
    assert len(keys) == 2 * len(get_instrument("modified_ashworth").extra["muscle_groups"])
