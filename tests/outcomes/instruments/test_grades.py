"""The grade rule reads each instrument's own grades: MRC strength grades 0-5 beside the MAS ones."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import Chart, InstrumentValidationError, get_instrument, score
from kneadwell.outcomes.instruments.grades import grade_keys, grade_name, instrument_grades


def test_mrc_grades_are_0_to_5_coded_as_themselves() -> None:
    mrc = get_instrument("muscle_strength_mrc")
    assert [(g.grade, g.ordinal) for g in instrument_grades(mrc)] == [(str(n), n) for n in range(6)]
    assert grade_name(mrc) == "MRC grade"
    assert mrc.chart is Chart.GRADES
    assert mrc.direction.value == "higher_better"
    assert "Open Government Licence" in mrc.licence


def test_an_mrc_grade_is_kept_per_muscle_group_and_side_and_never_summed() -> None:
    result = score("muscle_strength_mrc", {"knee_extensors.left": 4, "knee_extensors.right": "5"})
    assert result.total is None
    assert result.details["grades"] == {"knee_extensors.left": "4", "knee_extensors.right": "5"}
    assert result.details["ordinal"] == {"knee_extensors.left": 4, "knee_extensors.right": 5}
    assert result.subscores["knee_extensors.left"].max_score == 5
    assert result.subscores["knee_extensors.left"].label == "Knee extensors (quadriceps), left"


@pytest.mark.parametrize("bad", ["1+", "4-", "6", 3.5, True])
def test_a_grade_outside_the_mrc_scale_is_refused(bad: object) -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("muscle_strength_mrc", {"elbow_flexors.left": bad})
    assert exc.value.field == "elbow_flexors.left"
    assert "MRC grade" in exc.value.message


def test_the_mas_rule_still_reads_the_mas_grades() -> None:
    assert score("modified_ashworth", {"elbow_flexors.left": "1+"}).details["ordinal"] == {
        "elbow_flexors.left": 2
    }
    with pytest.raises(InstrumentValidationError, match="Modified Ashworth grade"):
        score("modified_ashworth", {"elbow_flexors.left": "5"})
    assert len(grade_keys(get_instrument("muscle_strength_mrc"))) == 2 * 13
