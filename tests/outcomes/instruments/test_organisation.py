"""An organisation's own measure as pure data: its definition checked (every problem named by its
field), the `Instrument` built from it, and the item_scale rule scoring it (sum or mean, reversed items,
option and numeric items); the version of every instrument and scoring rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kneadwell.outcomes.instruments import SCORERS, InstrumentValidationError, list_instruments, scorer_for
from kneadwell.outcomes.instruments.organisation import (
    build_instrument,
    check_definition,
    parse_measure_id,
    slug_for,
)
from kneadwell.outcomes.instruments.versions import SCORER_VERSIONS, scoring_version

OFTEN = [{"value": v, "label": label} for v, label in enumerate(("never", "sometimes", "often"))]
BASE: dict[str, Any] = {
    "name": "Play and rest",
    "measures": "How a child plays and rests.",
    "items": [
        {"label": "Plays", "options": OFTEN},
        {"label": "Tired", "options": OFTEN, "reversed": True},
        {"label": "Naps", "numeric": {"unit": "h", "minimum": 0, "maximum": 3, "decimals": 1}},
    ],
    "direction": "higher_better",
    "licence": "Ours.",
}


def definition(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    out.update(changes)
    return out


def built(**changes: Any) -> Any:
    clean, problems = check_definition(definition(**changes))
    assert problems == []
    return build_instrument(instrument_id="org-7-play", version=3, definition=clean, organisation="Sunrise")


def test_a_sound_definition_is_numbered_and_its_range_worked_out() -> None:
    clean, problems = check_definition(definition())
    assert problems == []
    assert [it["id"] for it in clean["items"]] == ["q1", "q2", "q3"]
    assert clean["score_range"] == [0, 7]  # 2 + 2 + 3
    assert clean["scoring"] == {"method": "sum", "min_answered": 3}


def test_a_mean_ranges_over_the_lowest_and_highest_item() -> None:
    clean, problems = check_definition(definition(scoring={"method": "mean", "min_answered": 2}))
    assert problems == []
    assert clean["score_range"] == [0, 3]
    assert clean["scoring"]["min_answered"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"licence": "  "}, "licence"),
        ({"direction": "up"}, "direction"),
        ({"items": []}, "items"),
        ({"items": [{"label": "x", "options": [{"value": 0, "label": "a"}]}]}, "items.0.options"),
        ({"items": [{"label": "x", "options": OFTEN, "numeric": {"unit": "h"}}]}, "items.0.options"),
        (
            {"items": [{"label": "x", "numeric": {"unit": "h", "minimum": 5, "maximum": 1}}]},
            "items.0.numeric.maximum",
        ),
        (
            {"items": [{"label": "x", "options": [{"value": 1.5, "label": "a"}, *OFTEN]}]},
            "items.0.options.0.value",
        ),
        ({"scoring": {"method": "median"}}, "scoring.method"),
        ({"scoring": {"method": "mean", "min_answered": 9}}, "scoring.min_answered"),
        ({"score_range": [0, 100]}, "score_range"),
        ({"bands": [{"label": "a", "minimum": 0, "maximum": 9}]}, "bands.0.minimum"),
        (
            {
                "bands": [
                    {"label": "a", "minimum": 0, "maximum": 4},
                    {"label": "b", "minimum": 4, "maximum": 7},
                ]
            },
            "bands",
        ),
        (
            {
                "bands": [
                    {"label": "a", "minimum": 0, "maximum": 2},
                    {"label": "b", "minimum": 5, "maximum": 7},
                ]
            },
            "bands",
        ),
        ({"protocol_measure": "pedsql"}, "protocol_measure"),
    ],
)
def test_each_problem_is_named_by_its_field(changes: dict[str, Any], field: str) -> None:
    _, problems = check_definition(definition(**changes))
    assert field in {f for f, _ in problems}, problems


def test_a_programme_measure_may_be_named_when_it_is_offered() -> None:
    clean, problems = check_definition(definition(protocol_measure="pedsql"), protocol_measures={"pedsql"})
    assert problems == []
    assert clean["protocol_measure"] == "pedsql"


def test_the_built_instrument_answers_what_pages_and_exports_ask() -> None:
    inst = built(
        short_name="Play",
        bands=[{"label": "Low", "minimum": 0, "maximum": 3.9}, {"label": "Good", "minimum": 4, "maximum": 7}],
    )
    assert (inst.id, inst.version, inst.scoring, inst.short_name) == ("org-7-play", "3", "item_scale", "Play")
    assert (inst.score_min, inst.score_max) == (0, 7)
    assert inst.listing.group == "Your organisation's own measures"
    assert inst.fhir is None
    assert inst.source_ids == ()
    assert "Defined by Sunrise (version 3)" in inst.notes[0]
    assert [b.label for b in inst.bands] == ["Low", "Good"]


def test_a_sum_reverses_the_reversed_items() -> None:
    inst = built()
    score = scorer_for(inst)(inst, {"q1": "2", "q2": 0, "q3": "1.5"})
    assert score.total == 2 + 2 + 1.5
    assert score.details["reversed"] == ["q2"]
    assert score.details["item_scores"] == {"q1": 2, "q2": 2, "q3": 1.5}


def test_a_sum_needs_every_item() -> None:
    inst = built()
    with pytest.raises(InstrumentValidationError) as caught:
        scorer_for(inst)(inst, {"q1": 2, "q2": 1})
    assert caught.value.field == "q3"


def test_a_mean_is_taken_over_the_answered_items_when_enough_are_answered() -> None:
    inst = built(scoring={"method": "mean", "min_answered": 2})
    score = scorer_for(inst)(inst, {"q1": 2, "q2": 2})
    assert score.total == 1.0  # 2 and (0 + 2 - 2) = 0
    assert score.warnings == ("1 of 3 items not answered: the score is the mean of the 2 answered.",)
    with pytest.raises(InstrumentValidationError) as caught:
        scorer_for(inst)(inst, {"q1": 2})
    assert "at least 2 of the 3 items" in caught.value.message


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"q1": 5, "q2": 1, "q3": 1}, "q1"),
        ({"q1": True, "q2": 1, "q3": 1}, "q1"),
        ({"q1": 1, "q2": 1, "q3": 4}, "q3"),
        ({"q1": 1, "q2": 1, "q3": "1.25"}, "q3"),
        ({"q1": 1, "q2": 1, "q3": "a lot"}, "q3"),
        ({"q1": 1, "q2": 1, "q3": 1, "q9": 1}, "q9"),
    ],
)
def test_answers_outside_the_definition_are_refused_naming_the_item(
    answers: dict[str, Any], field: str
) -> None:
    inst = built()
    with pytest.raises(InstrumentValidationError) as caught:
        scorer_for(inst)(inst, answers)
    assert field in {f for f, _ in caught.value.errors}


def test_ids_name_the_organisation_and_a_slug() -> None:
    assert parse_measure_id("org-12-pedsql-4") == (12, "pedsql-4")
    assert parse_measure_id("nips") is None
    assert parse_measure_id("org-0-x") is None
    assert parse_measure_id("org-12-") is None
    assert slug_for("PedsQL 4.0 (Generic)") == "pedsql-4-0-generic"
    assert slug_for("!!!") == "measure"


def test_every_catalogue_instrument_has_a_version_and_every_named_scoring_rule_exists() -> None:
    assert set(SCORER_VERSIONS) <= set(SCORERS)
    for inst in list_instruments():
        assert inst.version
        assert scoring_version(inst)
