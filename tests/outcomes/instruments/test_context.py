"""Context inputs: facts kept beside a score and never scored (a baby's age at a bilirubin sample, a
treadmill speed, who rated), checked by their type and stored in details["context_inputs"]."""

from __future__ import annotations

import datetime as dt

import pytest

from kneadwell.content.sources import source_registry
from kneadwell.outcomes.instruments import (
    ConfirmationRequired,
    InstrumentValidationError,
    get_instrument,
    list_instruments,
    score,
)
from kneadwell.outcomes.instruments.context import context_inputs, read_context, shown_context


def test_every_instruments_context_inputs_are_well_formed_and_cite_known_sources() -> None:
    known = set(source_registry())
    found = 0
    for inst in list_instruments():
        for spec in context_inputs(inst):
            found += 1
            assert spec.label, (inst.id, spec.id)
            assert spec.type in ("number", "choice", "text", "date"), (inst.id, spec.id)
            assert spec.source_ids, (inst.id, spec.id)
            assert set(spec.source_ids) <= known, (inst.id, spec.id)
    assert found >= 10


def test_bilirubin_in_mg_per_dl_is_stored_in_micromol_per_litre_at_17_point_1() -> None:
    result = score("bilirubin", {"value": "12.5", "unit": "mg/dL", "age_hours": 60})
    assert result.total == pytest.approx(12.5 * 17.1)
    assert result.details["unit"] == "µmol/L"
    assert (result.details["entered_value"], result.details["entered_unit"]) == (12.5, "mg/dL")
    assert result.details["context_inputs"] == {"age_hours": 60}
    assert result.band is None  # no treatment bands: the guideline curves are not implemented


def test_bilirubin_limits_hold_in_either_unit_and_mg_per_dl_takes_one_decimal() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("bilirubin", {"value": 60, "unit": "mg/dL"})  # 1026 µmol/L: beyond the possible 1000
    assert exc.value.field == "value"
    with pytest.raises(ConfirmationRequired):
        score("bilirubin", {"value": 520})  # above the usual 500 µmol/L: asks to confirm
    assert score("bilirubin", {"value": 520, "confirmed": True}).total == 520
    with pytest.raises(InstrumentValidationError):
        score("bilirubin", {"value": "12.55", "unit": "mg/dL"})
    with pytest.raises(InstrumentValidationError):
        score("bilirubin", {"value": 200, "unit": "mmol/L"})


def test_the_age_at_the_sample_is_checked_and_reads_beside_the_value() -> None:
    inst = get_instrument("bilirubin")
    with pytest.raises(InstrumentValidationError) as exc:
        score("bilirubin", {"value": 200, "age_hours": -3})
    assert exc.value.field == "age_hours"
    with pytest.raises(ConfirmationRequired) as unusual:
        score("bilirubin", {"value": 200, "age_hours": 400})  # over two weeks: confirm
    assert unusual.value.field == "age_hours"
    assert shown_context(inst, {"age_hours": 60}) == ["at 60 hours old"]
    assert "context_inputs" not in score("bilirubin", {"value": 200}).details  # optional


def test_errors_in_the_value_and_the_context_come_back_together() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("bilirubin", {"value": "lots", "age_hours": "soon"})
    assert {field for field, _ in exc.value.errors} == {"value", "age_hours"}


def test_running_economy_needs_the_treadmill_speed() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("running_economy", {"value": 44.5})
    assert exc.value.field == "speed_kmh"
    result = score("running_economy", {"value": "44.5", "speed_kmh": "14"})
    assert result.total == 44.5
    assert result.details["context_inputs"] == {"speed_kmh": 14.0}
    assert result.direction.value == "higher_worse"  # less oxygen at the same speed is better economy


def test_choice_text_and_date_inputs_are_read_by_their_type() -> None:
    cfs = get_instrument("childrens_fear_scale")
    assert read_context(cfs, {"rated_by": "parent"}) == ({"rated_by": "parent"}, ())
    with pytest.raises(InstrumentValidationError):
        read_context(cfs, {"rated_by": "teacher"})
    with pytest.raises(InstrumentValidationError):
        read_context(cfs, {})  # required
    psfs = get_instrument("patient_specific_function")
    assert read_context(psfs, {"activity_1": "  climbing   stairs "})[0] == {"activity_1": "climbing stairs"}
    with pytest.raises(InstrumentValidationError):
        read_context(psfs, {"activity_1": "x" * 61})
    stay = get_instrument("length_of_stay")
    assert read_context(stay, {"admitted": dt.date(2024, 3, 1)})[0] == {"admitted": "2024-03-01"}
    with pytest.raises(InstrumentValidationError):
        read_context(stay, {"admitted": "1st March"})


def test_an_unknown_answer_is_refused_by_a_measurement() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("peak_flow", {"value": 300, "age_hours": 3})
    assert exc.value.field == "age_hours"
