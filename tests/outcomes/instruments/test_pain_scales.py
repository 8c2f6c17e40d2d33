"""NIPS, FLACC, NRS and PIPP scoring at their boundaries, and rejection of bad items."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.outcomes.instruments import ConfirmationRequired, InstrumentValidationError, score

NIPS_ITEMS = ("face", "cry", "breathing", "arms", "legs", "arousal")
FLACC_ITEMS = ("face", "legs", "activity", "cry", "consolability")
PIPP_ITEMS = (
    "gestational_age",
    "behavioural_state",
    "heart_rate",
    "oxygen_saturation",
    "brow_bulge",
    "eye_squeeze",
    "nasolabial_furrow",
)


def nips(total: int) -> dict[str, int]:
    """Answers adding up to `total`, filling cry (max 2) first."""
    answers = dict.fromkeys(NIPS_ITEMS, 0)
    left = total
    for item in ("cry", "face", "breathing", "arms", "legs", "arousal"):
        take = min(left, 2 if item == "cry" else 1)
        answers[item] = take
        left -= take
    assert left == 0
    return answers


def flacc(total: int) -> dict[str, int]:
    answers = dict.fromkeys(FLACC_ITEMS, 0)
    left = total
    for item in FLACC_ITEMS:
        answers[item] = min(left, 2)
        left -= answers[item]
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "below_threshold"), (3, "below_threshold"), (4, "pain"), (7, "pain")],
)
def test_nips_totals_fall_in_the_band_either_side_of_the_pain_threshold(total: int, band: str) -> None:
    result = score("nips", nips(total))
    assert result.total == total
    assert result.band is not None
    assert result.band.id == band
    assert "S40" in result.band.source_ids


def test_nips_rejects_a_cry_score_of_three_naming_the_item() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nips", {**nips(0), "cry": 3})
    assert exc.value.field == "cry"
    assert "not an allowed value" in exc.value.message


def test_nips_rejects_two_on_an_item_that_scores_zero_or_one() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nips", {**nips(0), "face": 2})
    assert exc.value.field == "face"


def test_nips_lists_every_missing_item() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nips", {"face": 0, "cry": 1})
    missing = {field for field, _ in exc.value.errors}
    assert missing == {"breathing", "arms", "legs", "arousal"}


def test_nips_rejects_an_unknown_item() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nips", {**nips(0), "colour": 1})
    assert exc.value.field == "colour"


def test_a_boolean_is_not_accepted_as_a_score() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nips", {**nips(0), "face": True})
    assert exc.value.field == "face"


def test_numeric_strings_from_forms_are_accepted() -> None:
    answers: dict[str, Any] = {k: str(v) for k, v in nips(5).items()}
    assert score("nips", answers).total == 5


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "relaxed"),
        (1, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (10, "severe"),
    ],
)
def test_flacc_band_edges(total: int, band: str) -> None:
    result = score("flacc", flacc(total))
    assert result.total == total
    assert result.band is not None
    assert result.band.id == band


def test_flacc_rejects_one_over_the_item_maximum() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("flacc", {**flacc(10), "consolability": 3})
    assert exc.value.field == "consolability"


@pytest.mark.parametrize(
    ("pain", "band"),
    [
        (0, "none"),
        (1, "none"),
        (2, "mild"),
        (5, "mild"),
        (6, "moderate"),
        (7, "moderate"),
        (8, "severe"),
        (10, "severe"),
    ],
)
def test_nrs_bands_for_a_child_aged_6_to_17(pain: int, band: str) -> None:
    result = score("nrs", {"pain": pain, "age_years": 10})
    assert result.total == pain
    assert result.band is not None
    assert result.band.id == band
    assert result.band.source_ids == ("S48",)


def test_nrs_rejects_eleven() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nrs", {"pain": 11, "age_years": 10})
    assert exc.value.field == "pain"


@pytest.mark.parametrize("age", [18, 45])
def test_nrs_gives_no_band_outside_the_validated_ages(age: int) -> None:
    result = score("nrs", {"pain": 8, "age_years": age})
    assert result.total == 8
    assert result.band is None
    assert any("6-17" in w for w in result.warnings)


def test_nrs_band_ends_are_inclusive_at_6_and_17_years() -> None:
    assert score("nrs", {"pain": 8, "age_years": 6}).band is not None
    assert score("nrs", {"pain": 8, "age_years": 17}).band is not None


def test_nrs_warns_about_self_report_under_6_years() -> None:
    result = score("nrs", {"pain": 3, "age_years": 4})
    assert result.band is None
    assert any("about 6 years" in w for w in result.warnings)


def test_nrs_without_age_gives_no_band_and_says_why() -> None:
    result = score("nrs", {"pain": 3})
    assert result.band is None
    assert any("no age" in w for w in result.warnings)


def test_nrs_rejects_an_impossible_age() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("nrs", {"pain": 3, "age_years": 130})
    assert exc.value.field == "age_years"


# --- PIPP -------------------------------------------------------------------------------------------------


def pipp_raw(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "gestational_age_weeks": 36,
        "gestational_age_days": 0,
        "behavioural_state": 0,
        "heart_rate_baseline_bpm": 150,
        "heart_rate_max_bpm": 150,
        "spo2_baseline_percent": 95,
        "spo2_min_percent": 95,
        "brow_bulge_percent": 0,
        "eye_squeeze_percent": 0,
        "nasolabial_furrow_percent": 0,
    }
    answers.update(overrides)
    return answers


def item_scores(**answers: Any) -> dict[str, int]:
    return dict(score("pipp", pipp_raw(**answers)).details["item_scores"])


def test_pipp_minimum_and_maximum_from_item_scores() -> None:
    assert score("pipp", dict.fromkeys(PIPP_ITEMS, 0)).total == 0
    result = score("pipp", dict.fromkeys(PIPP_ITEMS, 3))
    assert result.total == 21
    assert result.band is None  # interpretation cut-offs could not be confirmed, so none is given


def test_pipp_rejects_four_on_an_item() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("pipp", {**dict.fromkeys(PIPP_ITEMS, 0), "eye_squeeze": 4})
    assert exc.value.field == "eye_squeeze"


@pytest.mark.parametrize(
    ("weeks", "days", "points"),
    [(36, 0, 0), (35, 6, 1), (32, 0, 1), (31, 6, 2), (28, 0, 2), (27, 6, 3), (24, 0, 3), (41, 2, 0)],
)
def test_pipp_gestational_age_bands(weeks: int, days: int, points: int) -> None:
    assert item_scores(gestational_age_weeks=weeks, gestational_age_days=days)["gestational_age"] == points


@pytest.mark.parametrize(
    ("peak", "points"),
    [(150, 0), (154, 0), (155, 1), (164, 1), (165, 2), (174, 2), (175, 3), (210, 3), (140, 0)],
)
def test_pipp_heart_rate_rise_bands(peak: int, points: int) -> None:
    assert item_scores(heart_rate_baseline_bpm=150, heart_rate_max_bpm=peak)["heart_rate"] == points


@pytest.mark.parametrize(
    ("lowest", "points"),
    [(95, 0), (92.6, 0), (92.5, 1), (90.1, 1), (90, 2), (87.6, 2), (87.5, 3), (80, 3), (97, 0)],
)
def test_pipp_saturation_fall_bands(lowest: float, points: int) -> None:
    assert item_scores(spo2_baseline_percent=95, spo2_min_percent=lowest)["oxygen_saturation"] == points


@pytest.mark.parametrize(
    ("percent", "points"), [(0, 0), (9, 0), (10, 1), (39, 1), (40, 2), (69, 2), (70, 3), (100, 3)]
)
def test_pipp_facial_action_bands(percent: float, points: int) -> None:
    scores = item_scores(
        brow_bulge_percent=percent, eye_squeeze_percent=percent, nasolabial_furrow_percent=percent
    )
    assert scores["brow_bulge"] == scores["eye_squeeze"] == scores["nasolabial_furrow"] == points


def test_pipp_from_raw_observations_reaches_the_maximum() -> None:
    result = score(
        "pipp",
        pipp_raw(
            gestational_age_weeks=26,
            behavioural_state=3,
            heart_rate_max_bpm=180,
            spo2_min_percent=85,
            brow_bulge_percent=80,
            eye_squeeze_percent=90,
            nasolabial_furrow_percent=75,
        ),
    )
    assert result.total == 21
    assert result.details["max_for_this_gestation"] == 21


def test_pipp_maximum_at_term_is_18() -> None:
    result = score("pipp", pipp_raw())
    assert result.total == 0
    assert result.details["max_for_this_gestation"] == 18


def test_pipp_rejects_an_item_score_that_contradicts_the_observations() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("pipp", {**pipp_raw(heart_rate_max_bpm=180), "heart_rate": 1})
    assert exc.value.field == "heart_rate"
    assert "observations give 3" in exc.value.message


def test_pipp_needs_both_heart_rates() -> None:
    answers = pipp_raw()
    del answers["heart_rate_max_bpm"]
    with pytest.raises(InstrumentValidationError) as exc:
        score("pipp", answers)
    assert exc.value.field == "heart_rate_max_bpm"


def test_pipp_rejects_a_saturation_above_100() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("pipp", pipp_raw(spo2_baseline_percent=101))
    assert exc.value.field == "spo2_baseline_percent"


def test_pipp_asks_to_confirm_an_unusual_heart_rate_and_accepts_it_when_confirmed() -> None:
    with pytest.raises(ConfirmationRequired) as exc:
        score("pipp", pipp_raw(heart_rate_baseline_bpm=60, heart_rate_max_bpm=70))
    assert exc.value.field == "heart_rate_baseline_bpm"
    result = score("pipp", {**pipp_raw(heart_rate_baseline_bpm=60, heart_rate_max_bpm=70), "confirmed": True})
    assert result.details["item_scores"]["heart_rate"] == 1
    assert any(w.startswith("confirmed:") for w in result.warnings)


def test_pipp_mixes_item_scores_and_observations() -> None:
    answers = {
        "gestational_age": 2,
        "behavioural_state": 1,
        "heart_rate_baseline_bpm": 140,
        "heart_rate_max_bpm": 160,
        "oxygen_saturation": 1,
        "brow_bulge": 2,
        "eye_squeeze_percent": 45,
        "nasolabial_furrow": 0,
    }
    assert score("pipp", answers).total == 2 + 1 + 2 + 1 + 2 + 2 + 0
