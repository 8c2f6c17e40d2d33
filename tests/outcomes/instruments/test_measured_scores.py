"""Peak flow against the child's own best with the NHLBI zones, and a hospital stay from its dates."""

from __future__ import annotations

import pytest

from kneadwell.outcomes.instruments import InstrumentValidationError, get_instrument, score
from kneadwell.outcomes.instruments.measured_scores import zone_for, zones


def test_peak_flow_zones_are_the_action_plans_80_and_50_percent() -> None:
    inst = get_instrument("peak_flow")
    assert [(z.id, z.minimum) for z in zones(inst)] == [("green", 80), ("yellow", 50), ("red", 0)]
    assert all(z.source_ids == ("NHLBI-ASTHMA-ACTION-PLAN",) for z in zones(inst))
    edges = {100: "green", 80: "green", 79.9: "yellow", 50: "yellow", 49.9: "red", 0: "red"}
    for percent, zone in edges.items():
        found = zone_for(inst, percent)
        assert found is not None, percent
        assert found.id == zone, percent


@pytest.mark.parametrize(
    ("value", "best", "percent", "zone"),
    [
        (400, 400, 100.0, "green"),
        (320, 400, 80.0, "green"),
        (300, 400, 75.0, "yellow"),
        (150, 400, 37.5, "red"),
    ],
)
def test_a_reading_with_a_personal_best_gets_its_percent_and_zone(
    value: int, best: int, percent: float, zone: str
) -> None:
    result = score("peak_flow", {"value": value, "personal_best": best})
    assert result.total == value
    assert result.details["percent_of_best"] == percent
    assert result.band is not None
    assert result.band.id == zone


def test_without_a_personal_best_there_is_no_zone_yet() -> None:
    result = score("peak_flow", {"value": 300})
    assert result.band is None
    assert "percent_of_best" not in result.details  # the trend reads it against the best recorded


def test_a_reading_above_the_personal_best_says_the_best_may_need_updating() -> None:
    result = score("peak_flow", {"value": 420, "personal_best": 400})
    assert result.band is not None
    assert result.band.id == "green"
    assert any("above the personal best" in w for w in result.warnings)


def test_peak_flow_limits() -> None:
    with pytest.raises(InstrumentValidationError):
        score("peak_flow", {"value": 5})
    with pytest.raises(InstrumentValidationError) as exc:
        score("peak_flow", {"value": 300, "personal_best": 5000})
    assert exc.value.field == "personal_best"


def test_a_stay_is_counted_from_its_dates() -> None:
    result = score("length_of_stay", {"admitted": "2024-03-01", "discharged": "2024-03-20"})
    assert result.total == 19
    assert result.details["context_inputs"] == {"admitted": "2024-03-01", "discharged": "2024-03-20"}
    assert result.details["counted_from_dates"] is True
    assert score("length_of_stay", {"admitted": "2024-03-01", "discharged": "2024-03-02"}).total == 1


def test_a_stay_may_be_given_in_days_and_must_agree_with_dates_given_too() -> None:
    assert score("length_of_stay", {"value": 12}).total == 12
    assert (
        score("length_of_stay", {"value": "19", "admitted": "2024-03-01", "discharged": "2024-03-20"}).total
        == 19
    )
    with pytest.raises(InstrumentValidationError) as exc:
        score("length_of_stay", {"value": 10, "admitted": "2024-03-01", "discharged": "2024-03-20"})
    assert exc.value.field == "value"
    assert "19 days" in exc.value.message


def test_a_stay_refuses_a_discharge_before_admission_and_half_its_dates() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("length_of_stay", {"admitted": "2024-03-20", "discharged": "2024-03-01"})
    assert exc.value.field == "discharged"
    with pytest.raises(InstrumentValidationError) as exc:
        score("length_of_stay", {"admitted": "2024-03-01"})
    assert exc.value.field == "discharged"
    with pytest.raises(InstrumentValidationError):
        score("length_of_stay", {})
    with pytest.raises(InstrumentValidationError):
        score(
            "length_of_stay", {"admitted": "2022-01-01", "discharged": "2024-06-01"}
        )  # 882 days: impossible
