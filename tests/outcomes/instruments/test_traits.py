"""What code asks an instrument instead of its id (traits.py): each property as the catalogue gives it for
the instruments that use it, its default for those that do not, and the load-time check of bad data."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from kneadwell.interop import fhir_instruments
from kneadwell.outcomes import measures
from kneadwell.outcomes.instruments import (
    SCORERS,
    CatalogueError,
    Chart,
    Instrument,
    TraitError,
    get_instrument,
    list_instruments,
    listed_groups,
    scorer_for,
)
from kneadwell.outcomes.instruments.fugl_meyer import score_fugl_meyer
from kneadwell.outcomes.instruments.pain import score_nrs, score_pipp


def with_extra(instrument: Instrument, **changes: Any) -> Instrument:
    """A copy of a catalogue instrument with some extra keys changed (traits are read again)."""
    extra = {**instrument.extra, **changes}
    return type(instrument)(**{**instrument.__dict__, "extra": MappingProxyType(extra)})


# --- scoring --------------------------------------------------------------------------------------


def test_instruments_with_their_own_rules_name_their_scoring_function() -> None:
    assert scorer_for(get_instrument("nrs")) is score_nrs
    assert scorer_for(get_instrument("pipp")) is score_pipp
    assert scorer_for(get_instrument("fugl_meyer")) is score_fugl_meyer


def test_an_instrument_without_a_scoring_key_is_scored_by_its_kind() -> None:
    assert get_instrument("nips").scoring == "item_sum"
    assert get_instrument("bristol_stool").scoring == "category"
    assert get_instrument("weight").scoring == "measurement"


def test_every_catalogue_instrument_names_a_scoring_function_that_exists() -> None:
    assert all(i.scoring in SCORERS for i in list_instruments())


def test_an_unknown_scoring_name_is_a_catalogue_error_naming_the_instrument() -> None:
    broken = with_extra(get_instrument("nips"), scoring="no_such_rule")
    with pytest.raises(CatalogueError, match=r"nips: scoring 'no_such_rule'"):
        scorer_for(broken)


# --- chart ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument_id", "chart"),
    [
        ("fugl_meyer", Chart.DOMAINS),  # said in its data
        ("modified_ashworth", Chart.GRADES),  # the rest from their kind
        ("range_of_motion", Chart.PERCENT_OF_NORMAL),
        ("infant_day_diary", Chart.DIARY),
        ("weight", Chart.VALUE),
        ("nips", Chart.TOTAL),
        ("bristol_stool", Chart.TOTAL),
    ],
)
def test_each_instrument_has_its_chart(instrument_id: str, chart: Chart) -> None:
    assert get_instrument(instrument_id).chart is chart


def test_a_chart_that_does_not_exist_stops_the_catalogue() -> None:
    with pytest.raises(TraitError, match=r"nips\.chart"):
        with_extra(get_instrument("nips"), chart="pie")


def test_a_domains_chart_needs_the_domains() -> None:
    with pytest.raises(TraitError, match="domains"):
        with_extra(get_instrument("nips"), chart="domains")


def test_domains_and_their_motor_part_come_from_the_data() -> None:
    fm = get_instrument("fugl_meyer")
    assert fm.domains == ("ue_motor", "le_motor", "sensory", "balance", "joint_range", "joint_pain")
    motor_max = sum(fm.section(str(d)).max_score or 0 for d in fm.extra["motor_domains"])
    assert motor_max == 100  # the "Motor total (of 100)" the trend shows
    assert get_instrument("nips").domains == ()


# --- names and listing ----------------------------------------------------------------------------


def test_short_names_where_the_data_gives_them_and_the_full_name_otherwise() -> None:
    assert get_instrument("weight").short_name == "Weight"
    assert get_instrument("length_height").short_name == "Length/height"
    assert get_instrument("head_circumference").short_name == "Head circumference"
    assert get_instrument("nips").short_name == get_instrument("nips").name


def test_the_add_page_groups_come_from_the_listing_data() -> None:
    groups = {title: [i.id for i in members] for title, members in listed_groups()}
    assert list(groups) == [
        "Growth and body",
        "Pain and comfort",
        "Tone, movement and range",
        "Strength, function and fitness",
        "Sleep, crying and stools",
        "Breathing",
        "Feelings and behaviour",
        "Hospital and laboratory",
        "Other",
    ]
    assert groups["Growth and body"] == [
        "weight",
        "length_height",
        "head_circumference",
        "fat_mass",
        "lean_mass",
        "bone_mineral_density",
    ]
    assert groups["Pain and comfort"] == ["nips", "pipp", "flacc", "nrs"]
    assert groups["Tone, movement and range"] == ["modified_ashworth", "fugl_meyer", "range_of_motion"]
    assert groups["Sleep, crying and stools"] == ["infant_day_diary", "bristol_stool", "amsterdam_stool"]
    assert groups["Strength, function and fitness"] == [
        "muscle_strength_mrc",
        "patient_specific_function",
        "running_economy",
    ]
    assert groups["Breathing"] == ["peak_flow", "nasal_congestion"]
    assert groups["Feelings and behaviour"] == [
        "childrens_fear_scale",
        "touch_aversion_observation",
        "parent_infant_observation",
    ]
    assert groups["Hospital and laboratory"] == ["bilirubin", "length_of_stay"]
    assert groups["Other"] == ["goal_attainment"]  # no listing in its data


def test_a_listing_without_its_order_stops_the_catalogue() -> None:
    with pytest.raises(TraitError, match=r"nips\.listing\.order"):
        with_extra(get_instrument("nips"), listing={"group": "Pain"})


# --- growth and units -----------------------------------------------------------------------------


def test_the_growth_measures_and_their_methods_in_order() -> None:
    found = [(i.id, i.growth.method if i.growth else None) for i in measures.growth_instruments()]
    assert found == [("weight", "weight"), ("length_height", "height"), ("head_circumference", "ofc")]
    assert measures.velocity_instrument().id == "weight"
    assert measures.growth_method("nips") is None
    assert measures.growth_method("no_such_instrument") is None
    assert get_instrument("fat_mass").growth is None


def test_a_growth_measure_in_another_unit_than_its_reference_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalogue = list(list_instruments())
    head = get_instrument("head_circumference")
    wrong = with_extra(head, growth={"method": "weight", "order": 3})  # stored in cm, compared as kg
    swapped = tuple(wrong if i.id == head.id else i for i in catalogue)
    monkeypatch.setattr(measures.instruments, "list_instruments", lambda: swapped)
    with pytest.raises(CatalogueError, match="stored in cm, but the weight reference uses kg"):
        measures.growth_instruments()


def test_a_growth_method_the_references_lack_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    head = get_instrument("head_circumference")
    wrong = with_extra(head, growth={"method": "arm_span", "order": 3})
    monkeypatch.setattr(measures.instruments, "list_instruments", lambda: (wrong,))
    with pytest.raises(CatalogueError, match="arm_span"):
        measures.growth_instruments()


def test_only_a_measurement_can_be_a_growth_measure() -> None:
    with pytest.raises(TraitError, match="only a measurement"):
        with_extra(get_instrument("nips"), growth={"method": "weight"})


def test_a_baby_weight_is_entered_and_shown_in_grams_until_two_years() -> None:
    weight = get_instrument("weight")
    assert weight.unit_for_age(729) == "g"
    assert weight.unit_for_age(730) == "kg"
    assert get_instrument("length_height").unit_for_age(10) == "cm"  # no young unit: canonical
    assert measures.format_measure(weight, 1.45, age_days=40) == "1 450 g"
    assert measures.format_measure(weight, 12.3456, age_days=900) == "12.346 kg"
    assert measures.format_measure(get_instrument("head_circumference"), 33.25, age_days=40) == "33.2 cm"


def test_a_young_unit_must_be_one_of_the_instrument_units() -> None:
    with pytest.raises(TraitError, match="young_unit"):
        with_extra(get_instrument("weight"), young_unit={"unit": "lb", "under_days": 730})


def test_the_usual_method_of_measuring_length_depends_on_age() -> None:
    length = get_instrument("length_height")
    assert length.method_for_age(729) == "length"
    assert length.method_for_age(730) == "height"
    assert get_instrument("weight").method_for_age(10) == ""


def test_a_method_by_age_must_name_the_instrument_methods() -> None:
    with pytest.raises(TraitError, match="method_by_age"):
        with_extra(
            get_instrument("length_height"), method_by_age={"under_days": 1, "under": "x", "over": "y"}
        )


# --- display and entry ----------------------------------------------------------------------------


def test_the_diary_total_is_shown_as_minutes() -> None:
    shown = get_instrument("infant_day_diary").total_display
    assert shown is not None
    assert (shown.suffix, shown.decimals) == ("min crying and fussing", 0)
    assert get_instrument("nips").total_display is None


def test_fugl_meyer_answers_sit_side_by_side() -> None:
    assert get_instrument("fugl_meyer").inline_options
    assert not get_instrument("nips").inline_options


def test_the_nrs_form_fills_in_the_age() -> None:
    assert dict(get_instrument("nrs").prefill) == {"age_years": "age_years"}
    assert dict(get_instrument("nips").prefill) == {}


def test_a_prefill_from_an_unknown_fact_stops_the_catalogue() -> None:
    with pytest.raises(TraitError, match="unknown client facts"):
        with_extra(get_instrument("nrs"), prefill={"age_years": "shoe_size"})


def test_traits_are_read_again_when_an_instrument_is_copied() -> None:
    nips = get_instrument("nips")
    copy = with_extra(nips, chart="total", short_name="NIPS")
    assert copy.short_name == "NIPS"
    assert nips.short_name != "NIPS"


# --- FHIR -----------------------------------------------------------------------------------------


def test_fhir_codes_and_categories_come_from_the_data() -> None:
    weight = fhir_instruments.observation_coding(get_instrument("weight"), method="", age_days=40)
    assert [c.code for c in weight.codes] == ["29463-7"]
    assert weight.category.code == "vital-signs"
    lying = fhir_instruments.observation_coding(get_instrument("length_height"), method="", age_days=40)
    standing = fhir_instruments.observation_coding(get_instrument("length_height"), method="", age_days=900)
    assert [c.code for c in lying.codes] == ["8306-3"]  # by age when no method was recorded
    assert [c.code for c in standing.codes] == ["8302-2"]
    told = fhir_instruments.observation_coding(get_instrument("length_height"), method="height", age_days=40)
    assert [c.code for c in told.codes] == ["8302-2"]
    fat = fhir_instruments.observation_coding(get_instrument("fat_mass"), method="", age_days=40)
    assert (fat.codes, fat.category.code) == ((), "exam")
    nips = fhir_instruments.observation_coding(get_instrument("nips"), method="", age_days=40)
    assert (nips.codes, nips.category.code) == ((), "survey")  # no fhir data: a scored instrument


def test_what_is_imported_comes_from_the_data() -> None:
    table = fhir_instruments.import_table()
    loinc = "http://loinc.org"
    assert table[(loinc, "29463-7")].instrument_id == "weight"
    assert (table[(loinc, "8306-3")].instrument_id, table[(loinc, "8306-3")].method) == (
        "length_height",
        "length",
    )
    assert table[(loinc, "8287-5")].instrument_id == "head_circumference"  # read, never written
    assert (loinc, "72514-3") not in table  # NRS is written, not imported
    assert fhir_instruments.written_not_imported() == frozenset({(loinc, "72514-3")})
    assert fhir_instruments.import_units(get_instrument("weight")) == frozenset({"kg", "g"})


def test_every_external_code_in_the_catalogue_is_a_verified_one() -> None:
    assert fhir_instruments.unverified_codes() == []


def test_an_observation_category_that_does_not_exist_stops_the_catalogue() -> None:
    with pytest.raises(TraitError, match=r"fhir\.category"):
        with_extra(get_instrument("nips"), fhir={"category": "imaging"})
