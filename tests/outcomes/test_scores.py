"""What a measurement row stores from a score (pure): JSON-safe details, the value in the canonical unit,
the single site of a MAS or ROM entry, and confirmed messages kept apart from other warnings."""

from __future__ import annotations

import datetime as dt
import json
import math

from kneadwell.outcomes import instruments
from kneadwell.outcomes.scores import score_columns, to_json


def test_to_json_makes_every_score_detail_json_safe() -> None:
    diary = instruments.score(
        "infant_day_diary",
        {
            "days": [
                {
                    "day": "2026-11-20",
                    "entries": [
                        {"category": "sleep", "start": "2026-11-20T00:00", "end": "2026-11-20T12:00"},
                        {"category": "crying", "start": "2026-11-20T12:00", "end": "2026-11-21T00:00"},
                    ],
                }
            ],
            "birth_date": "2026-10-01",
        },
    )
    plain = to_json(diary.details)
    text = json.dumps(plain)  # would raise on dataclasses, dates, enums or mapping proxies
    assert '"wessel"' in text
    assert '"2026-11-20"' in text
    assert to_json({"a": math.nan, "b": (1, 2), "c": {3}}) == {"a": None, "b": [1, 2], "c": [3]}
    assert to_json(dt.date(2026, 1, 2)) == "2026-01-02"


def test_a_weight_in_grams_is_stored_in_kilograms() -> None:
    weight = instruments.get_instrument("weight")
    cols = score_columns(weight, instruments.score("weight", {"value": "1450", "unit": "g"}))
    assert (cols.value, cols.unit) == (1.45, "kg")
    assert cols.details["entered_unit"] == "g"


def test_a_single_site_entry_names_its_site_and_side() -> None:
    mas = instruments.get_instrument("modified_ashworth")
    one = score_columns(mas, instruments.score("modified_ashworth", {"wrist_flexors.right": "2"}))
    assert (one.site, one.side) == ("wrist_flexors", "right")
    two = score_columns(
        mas, instruments.score("modified_ashworth", {"wrist_flexors.right": "2", "wrist_flexors.left": "1"})
    )
    assert (two.site, two.side) == ("", "")
    assert two.subscores["wrist_flexors.left"]["score"] == 1.0


def test_confirmed_messages_are_not_repeated_as_warnings() -> None:
    rom = instruments.get_instrument("range_of_motion")
    score = instruments.score("range_of_motion", {"knee_flexion.left": 175, "confirmed": True})
    assert any(w.startswith("confirmed: ") for w in score.warnings)
    assert score_columns(rom, score).warnings == []


def test_a_band_is_stored_with_its_label() -> None:
    nips = instruments.get_instrument("nips")
    cols = score_columns(
        nips,
        instruments.score("nips", {"face": 1, "cry": 2, "breathing": 1, "arms": 1, "legs": 0, "arousal": 0}),
    )
    assert cols.total == 5.0
    assert cols.band
    assert cols.band_label
