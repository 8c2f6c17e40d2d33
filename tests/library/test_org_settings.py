"""Organisation settings: conservative defaults, ranges, and clear errors."""

from __future__ import annotations

from typing import Any

import pytest

from kneadwell.library.catalog import Library
from kneadwell.library.org_settings import ScreeningSettings, SettingError


@pytest.mark.parametrize(
    ("setting", "default"),
    [
        ("vaccination_wait_hours", 72),
        ("feeding_wait_minutes", 30),
        ("preterm_feeding_wait_minutes", 60),
        ("platelet_min_per_microlitre", 50000),
        ("dvt_lookback_months", 6),
        ("min_axillary_temperature_c", 36.5),
        ("bradycardia_hr_bpm", 100),
        ("bradycardia_seconds", 4),
        ("desaturation_spo2_percent", 80),
        ("desaturation_seconds", 10),
        ("tachycardia_hr_bpm", 180),
        ("tks_min_pma_weeks", 35),
    ],
)
def test_defaults_match_the_sources(settings: ScreeningSettings, setting: str, default: float) -> None:
    assert settings.value(setting) == default
    assert settings.use(setting).is_default


def test_a_setting_can_be_loosened_only_where_the_sources_disagree(library: Library) -> None:
    for d in library.settings.values():
        assert d.sources
        assert d.note
        loosest = d.min if d.safer == "higher" else d.max
        if not d.sources_disagree:
            assert d.default == loosest, f"{d.id}: only stricter values than the default may be allowed"
        else:
            assert d.default != loosest, (
                f"{d.id}: where sources disagree the default is not the loosest value"
            )


def test_where_sources_disagree_it_is_said(library: Library) -> None:
    assert library.settings["vaccination_wait_hours"].sources_disagree
    assert "72" in library.settings["vaccination_wait_hours"].note


def test_an_override_within_range_is_used_and_reported(library: Library) -> None:
    org = ScreeningSettings.for_library(library, {"vaccination_wait_hours": 48})
    use = org.use("vaccination_wait_hours")
    assert (use.value, use.is_default, use.default) == (48, False, 72)
    assert "organisation setting; default 72" in use.describe()
    assert org.overrides == {"vaccination_wait_hours": 48.0}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"vaccination_wait_hours": 12}, "vaccination_wait_hours", "between 24 and 72"),
        ({"bradycardia_hr_bpm": 90}, "bradycardia_hr_bpm", "between 100 and 120"),
        ({"feeding_wait_minutes": 30.5}, "feeding_wait_minutes", "whole number"),
        ({"feeding_wait_minutes": "45"}, "feeding_wait_minutes", "expected a number"),
        ({"feeding_wait_minutes": True}, "feeding_wait_minutes", "expected a number"),
        ({"desaturation_seconds": float("inf")}, "desaturation_seconds", "finite"),
        ({"no_such_setting": 1}, "no_such_setting", "no such setting"),
    ],
)
def test_bad_overrides_name_the_setting(
    library: Library, overrides: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(SettingError) as caught:
        ScreeningSettings.for_library(library, overrides)
    assert caught.value.field == field
    assert words in caught.value.message


def test_settings_compare_by_their_values(library: Library) -> None:
    a = ScreeningSettings.for_library(library, {"feeding_wait_minutes": 45})
    b = ScreeningSettings.for_library(library, {"feeding_wait_minutes": 45})
    assert a == b
    assert hash(a) == hash(b)
    assert a != ScreeningSettings.for_library(library)
