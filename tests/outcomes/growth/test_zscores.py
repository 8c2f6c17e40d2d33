"""The vectorised SDS path against rcpchgrowth itself, on many random cases and on the edges.

Each property test draws one large seeded numpy sample per example (a few hundred rows) and compares
every row with rcpchgrowth, so a handful of examples cover thousands of cases in about a second."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from kneadwell.outcomes.growth.errors import ErrorCode
from kneadwell.outcomes.growth.references import (
    METHOD_CODE,
    METHODS,
    RCPCH_REFERENCE_NAME,
    REFERENCES,
    SECTIONS,
    SEX_CODE,
    SEXES,
    lms_table,
)
from kneadwell.outcomes.growth.sds import centile_for_sds, sds_for_ages, value_for_sds
from kneadwell.outcomes.growth.zscores import batch_sds, measurement_sds

TOLERANCE = 1e-9
EPOCH = dt.date(1970, 1, 1)
TYPICAL = {"weight": 8.0, "height": 80.0, "ofc": 42.0, "bmi": 16.0}


def _rcpch_measurement(row: dict[str, Any], reference: str) -> dict[str, Any] | None:
    from rcpchgrowth import Measurement

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            values: dict[str, Any] = Measurement(
                reference=RCPCH_REFERENCE_NAME[reference], **row
            ).measurement["measurement_calculated_values"]
        except Exception:  # rcpchgrowth raises at some edges; the batch path must then give an error
            return None
    return values


def _rcpch_sds(reference: str, age: float, method: str, value: float, sex: str) -> float | None:
    from rcpchgrowth import sds_for_measurement

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            z = complex(
                sds_for_measurement(
                    reference=RCPCH_REFERENCE_NAME[reference],
                    age=age,
                    measurement_method=method,
                    observation_value=value,
                    sex=sex,
                )
            )
        except Exception:
            return None
    return z.real if z.imag == 0 and np.isfinite(z.real) else None


def _random_rows(rng: np.random.Generator, n: int) -> dict[str, NDArray[Any]]:
    """Valid inputs across the range: both sexes, every measurement, preterm to post-term, newborn to
    adult (some outside each reference on purpose), values from far below to far above the median."""
    method = rng.choice(METHODS, n)
    days = np.where(rng.random(n) < 0.5, rng.integers(0, 500, n), rng.integers(0, 7600, n))
    grow = 1 + days / 365.25 * np.where(np.isin(method, ["weight"]), 2.0, 0.4)
    value = np.array([TYPICAL[m] for m in method]) * grow * np.exp(rng.normal(0, 0.45, n)) / 2.5
    value = np.where(method == "bmi", rng.uniform(8, 40, n), value)
    return {
        "sex": rng.choice(SEXES, n),
        "birth": rng.integers(9000, 20000, n),
        "days": days,
        "weeks": rng.integers(22, 45, n),
        "gdays": rng.integers(0, 7, n),
        "method": method,
        "value": np.round(value, 3),
    }


@pytest.mark.parametrize("reference", REFERENCES)
@settings(max_examples=4, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_batch_equals_rcpchgrowth_measurement_for_random_rows(reference: str, seed: int) -> None:
    rows = _random_rows(np.random.default_rng(seed), 250)
    if reference == "turners":  # Turner data: girls' height only; make most rows usable
        rows["sex"][:200] = "female"
        rows["method"][:200] = "height"
        rows["value"][:200] = np.round(np.random.default_rng(seed).uniform(60, 170, 200), 1)
    result = batch_sds(
        rows["sex"],
        rows["birth"],
        rows["birth"] + rows["days"],
        rows["weeks"],
        rows["gdays"],
        rows["method"],
        rows["value"],
        reference,
    )
    compared = 0
    for i in range(len(result)):
        birth = EPOCH + dt.timedelta(days=int(rows["birth"][i]))
        theirs = _rcpch_measurement(
            {
                "birth_date": birth,
                "observation_date": birth + dt.timedelta(days=int(rows["days"][i])),
                "measurement_method": str(rows["method"][i]),
                "observation_value": float(rows["value"][i]),
                "sex": str(rows["sex"][i]),
                "gestation_weeks": int(rows["weeks"][i]),
                "gestation_days": int(rows["gdays"][i]),
            },
            reference,
        )
        # An SDS is a finite real number; rcpchgrowth may return None, a complex number or ±inf (CDC BMI far
        # above the 95th centile), which the batch path reports as an error instead.
        both = theirs is not None and all(
            isinstance(theirs[k], float) and np.isfinite(theirs[k])
            for k in ("corrected_sds", "chronological_sds")
        )
        assert both == bool(result.ok[i]), (i, result.message(i), theirs)
        if both:
            assert theirs is not None
            assert abs(theirs["corrected_sds"] - result.corrected_sds[i]) <= TOLERANCE
            assert abs(theirs["chronological_sds"] - result.chronological_sds[i]) <= TOLERANCE
            assert abs(theirs["corrected_centile"] - result.corrected_centile[i]) <= TOLERANCE
            compared += 1
    assert compared > 0


def _random_ages(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
    """Decimal ages anywhere, and many near the places where rules change."""
    edges = np.array(
        [
            -0.3258,
            -0.2875,
            0.0,
            0.0383,
            1.0,
            1.9986,
            2.0,
            2.0014,
            3.0,
            4.0,
            5.0,
            5.0815,
            10.0,
            17.0,
            18.0,
            18.82,
            19.0,
            20.0,
        ]
    )
    near = rng.choice(edges, n) + rng.normal(0, 0.002, n)
    anywhere = rng.uniform(-0.4, 21, n)
    whole_days = rng.integers(-130, 7700, n) / 365.25
    pick = rng.integers(0, 3, n)
    return np.where(pick == 0, near, np.where(pick == 1, anywhere, whole_days))


@pytest.mark.parametrize("reference", REFERENCES)
@settings(max_examples=4, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_sds_at_decimal_ages_equals_rcpchgrowth_including_its_failures(reference: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 500
    age = _random_ages(rng, n)
    if rng.random() < 0.5:
        age[:50] = 2.0  # the exact 2.0-year boundary has its own rule
    method_code = rng.integers(0, 4, n).astype(np.int8)
    sex_code = rng.integers(0, 2, n).astype(np.int8)
    value = rng.lognormal(0, 0.5, n) * np.array([TYPICAL[m] for m in METHODS])[method_code]
    ours = sds_for_ages(reference, method_code, sex_code, age, value)
    for i in range(n):
        theirs = _rcpch_sds(
            reference, float(age[i]), METHODS[method_code[i]], float(value[i]), SEXES[sex_code[i]]
        )
        assert (theirs is not None) == (ours.status[i] == 0), (float(age[i]), METHODS[method_code[i]], theirs)
        if theirs is not None:
            assert abs(theirs - ours.sds[i]) <= TOLERANCE


@pytest.mark.parametrize("reference", ["uk-who", "who", "cdc", "trisomy-21"])
def test_every_whole_day_age_uses_the_same_lms_as_the_general_path(reference: str) -> None:
    # The per-day table (used for dates) and the search path (any decimal age) must agree exactly.
    days = np.arange(-130, 7400, dtype=np.int64)
    age = days / 365.25
    for method in METHODS:
        for sex in SEXES:
            mc = np.full(days.size, METHOD_CODE[method], dtype=np.int8)
            sc = np.full(days.size, SEX_CODE[sex], dtype=np.int8)
            value = np.full(days.size, TYPICAL[method])
            by_day = sds_for_ages(reference, mc, sc, age, value, days)
            general = sds_for_ages(reference, mc, sc, age, value)
            np.testing.assert_array_equal(by_day.status, general.status)
            np.testing.assert_array_equal(by_day.sds, general.sds)


def test_the_lms_tables_are_rcpchgrowths_own() -> None:
    from rcpchgrowth import cdc, trisomy_21, turner, uk_who, who

    loaded = {
        "uk-who": (
            uk_who.UK90_PRETERM_DATA,
            uk_who.WHO_INFANTS_DATA,
            uk_who.WHO_CHILD_DATA,
            uk_who.UK90_CHILD_DATA,
        ),
        "who": (who.WHO_INFANTS_DATA, who.WHO_CHILD_DATA, who.WHO_2007_DATA),
        "cdc": (cdc.CDC_INFANT_DATA, cdc.WHO_INFANTS_DATA, cdc.CDC_CHILD_DATA),
        "trisomy-21": (trisomy_21.TRISOMY_21_DATA,),
        "turners": (turner.TURNER_DATA,),
    }
    checked = 0
    for reference, sections in SECTIONS.items():
        assert len(sections) == len(loaded[reference])
        for k in range(len(sections)):
            for method in METHODS:
                for sex in SEXES:
                    table = lms_table(reference, k, method, sex)
                    rows = loaded[reference][k]["measurement"].get(method, {}).get(sex, [])
                    if table is None:
                        assert not rows or any(isinstance(r["L"], str) for r in rows)
                        continue
                    assert table.ages.tolist() == [float(r["decimal_age"]) for r in rows]
                    assert table.l.tolist() == [float(r["L"]) for r in rows]
                    assert table.m.tolist() == [float(r["M"]) for r in rows]
                    assert table.s.tolist() == [float(r["S"]) for r in rows]
                    checked += 1
    assert checked > 50


def _one(reference: str = "uk-who", **row: Any) -> tuple[Any, Any]:
    base: dict[str, Any] = {
        "sex": "male",
        "birth_date": dt.date(2026, 1, 1),
        "observation_date": dt.date(2026, 3, 1),
        "gestation_weeks": 30,
        "gestation_days": 2,
        "method": "weight",
        "value": 2.0,
    }
    base.update(row)
    batch = batch_sds(
        np.array([base["sex"]]),
        np.array([base["birth_date"]], dtype="datetime64[D]"),
        np.array([base["observation_date"]], dtype="datetime64[D]"),
        np.array([base["gestation_weeks"]]),
        np.array([base["gestation_days"]]),
        np.array([base["method"]]),
        np.array([base["value"]], dtype=float),
        reference,
    )
    return batch, measurement_sds(reference=reference, **base)


def test_one_measurement_and_the_batch_give_the_same_figures() -> None:
    batch, single = _one()
    assert single.ok
    assert batch.ok[0]
    assert single.chronological_age_days == 59
    assert single.corrected_age_days == -9
    assert single.corrected_sds == pytest.approx(batch.corrected_sds[0], abs=TOLERANCE)
    assert single.chronological_sds == pytest.approx(batch.chronological_sds[0], abs=TOLERANCE)
    assert single.corrected_centile == pytest.approx(batch.corrected_centile[0], abs=TOLERANCE)
    # Corrected for 9 days before the due date the baby is small (about −3 SD), uncorrected at 59 days
    # she would look extremely small: correction matters.
    assert -3.1 < single.corrected_sds < -3.0
    assert single.chronological_sds is not None
    assert single.chronological_sds < -7


@pytest.mark.parametrize(
    ("row", "code"),
    [
        # rcpchgrowth returns a complex SDS for a negative weight.
        ({"value": -2.0}, ErrorCode.VALUE_NOT_POSITIVE),
        ({"value": 0.0}, ErrorCode.VALUE_NOT_POSITIVE),
        ({"value": float("nan")}, ErrorCode.VALUE_NOT_FINITE),
        # rcpchgrowth computes 40+9 as if it were 41+2.
        ({"gestation_weeks": 40, "gestation_days": 9}, ErrorCode.GESTATION_DAYS_OUT_OF_RANGE),
        ({"gestation_weeks": 45, "gestation_days": 0}, ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE),
        ({"gestation_weeks": 21, "gestation_days": 6}, ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE),
        ({"observation_date": dt.date(2025, 12, 31)}, ErrorCode.OBSERVATION_BEFORE_BIRTH),
        ({"sex": "other"}, ErrorCode.UNKNOWN_SEX),
        ({"method": "foot"}, ErrorCode.UNKNOWN_METHOD),
        # 22+0 at 4 days: corrected age is 22+4 weeks, before UK90's first week (23).
        (
            {"gestation_weeks": 22, "gestation_days": 0, "observation_date": dt.date(2026, 1, 5)},
            ErrorCode.CORRECTED_AGE_BELOW_REFERENCE,
        ),
        # BMI: UK-WHO starts 2 weeks after the due date.
        ({"method": "bmi", "value": 13.0}, ErrorCode.CORRECTED_AGE_BELOW_REFERENCE),
        # 21 years: past UK90's 20.
        (
            {
                "observation_date": dt.date(2047, 3, 1),
                "value": 70.0,
                "gestation_weeks": 40,
                "gestation_days": 0,
            },
            ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE,
        ),
    ],
)
def test_rows_rcpchgrowth_would_misread_get_an_explicit_error(row: dict[str, Any], code: ErrorCode) -> None:
    batch, single = _one(**row)
    assert batch.error[0] == code
    assert np.isnan(batch.corrected_sds[0])
    assert np.isnan(batch.corrected_centile[0])
    message = batch.message(0)
    assert message
    assert len(message) > 10
    assert not single.ok
    assert single.corrected_sds is None
    assert single.error == message


def test_rcpchgrowth_itself_accepts_a_negative_weight_and_forty_plus_nine() -> None:
    # The reason for the checks above: rcpchgrowth gives numbers for both.
    negative = _rcpch_measurement(
        {
            "birth_date": dt.date(2026, 1, 1),
            "observation_date": dt.date(2026, 3, 1),
            "measurement_method": "weight",
            "observation_value": -2.0,
            "sex": "male",
            "gestation_weeks": 30,
            "gestation_days": 2,
        },
        "uk-who",
    )
    assert negative is not None
    assert isinstance(negative["corrected_sds"], complex)
    forty_nine = _rcpch_measurement(
        {
            "birth_date": dt.date(2026, 1, 1),
            "observation_date": dt.date(2026, 3, 1),
            "measurement_method": "weight",
            "observation_value": 5.0,
            "sex": "male",
            "gestation_weeks": 40,
            "gestation_days": 9,
        },
        "uk-who",
    )
    assert forty_nine is not None
    assert isinstance(forty_nine["corrected_sds"], float)


@pytest.mark.parametrize("age", [1.9990, 1.9999, 2.0003, 2.0010])
def test_decimal_ages_just_around_two_years_are_errors_not_crashes(age: float) -> None:
    # rcpchgrowth raises IndexError (just below 2.0) or ValueError (just above) for these ages.
    assert _rcpch_sds("uk-who", age, "height", 87.0, "male") is None
    ours = sds_for_ages(
        "uk-who",
        np.array([METHOD_CODE["height"]], dtype=np.int8),
        np.array([0], dtype=np.int8),
        np.array([age]),
        np.array([87.0]),
    )
    assert ours.status[0] != 0
    assert np.isnan(ours.sds[0])


def test_exactly_two_years_uses_the_first_row_of_the_two_to_four_year_table() -> None:
    theirs = _rcpch_sds("uk-who", 2.0, "height", 87.0, "male")
    ours = sds_for_ages(
        "uk-who",
        np.array([METHOD_CODE["height"]], dtype=np.int8),
        np.array([0], dtype=np.int8),
        np.array([2.0]),
        np.array([87.0]),
    )
    table = lms_table("uk-who", 2, "height", "male")
    assert table is not None
    expected = ((87.0 / table.m[0]) ** table.l[0] - 1) / (table.l[0] * table.s[0])
    assert theirs is not None
    assert ours.sds[0] == pytest.approx(theirs, abs=TOLERANCE)
    assert ours.sds[0] == pytest.approx(expected, abs=TOLERANCE)


def test_who_uses_its_restricted_tail_rule_beyond_three_sd() -> None:
    # A very heavy 1-year-old boy: the WHO rule stretches the SDS scale beyond +3 SD, UK-WHO does not.
    age = np.array([365 / 365.25])
    mc = np.array([METHOD_CODE["weight"]], dtype=np.int8)
    sc = np.array([0], dtype=np.int8)
    who = sds_for_ages("who", mc, sc, age, np.array([16.0]))
    table = lms_table("who", 0, "weight", "male")
    assert table is not None
    l, m, s = table.l[365], table.m[365], table.s[365]  # noqa: E741 - the exact row for day 365
    plain = ((16.0 / m) ** l - 1) / (l * s)
    sd3 = m * (1 + l * s * 3) ** (1 / l)
    sd2 = m * (1 + l * s * 2) ** (1 / l)
    assert plain > 3
    assert who.sds[0] == pytest.approx(3 + (16.0 - sd3) / (sd3 - sd2), abs=1e-12)
    assert who.sds[0] != pytest.approx(plain, abs=1e-3)
    assert who.sds[0] == pytest.approx(
        _rcpch_sds("who", float(age[0]), "weight", 16.0, "male"), abs=TOLERANCE
    )


def test_cdc_has_no_corrected_sds_before_the_due_date() -> None:
    batch, single = _one("cdc")
    assert batch.error[0] == ErrorCode.CDC_BEFORE_DUE_DATE
    assert "due date" in (single.error or "")


def test_who_and_cdc_do_not_correct_babies_born_at_37_to_42_weeks() -> None:
    batch, single = _one("who", gestation_weeks=38, gestation_days=3, value=4.5)
    assert batch.ok[0]
    assert single.ok
    assert batch.corrected_age_days[0] == batch.chronological_age_days[0] == 59
    assert batch.corrected_sds[0] == batch.chronological_sds[0]
    ukwho, _ = _one("uk-who", gestation_weeks=38, gestation_days=3, value=4.5)
    assert ukwho.corrected_age_days[0] == 59 - (280 - 269)


def test_turner_reference_has_girls_height_only() -> None:
    boy, _ = _one("turners", sex="male", method="height", value=80.0, observation_date=dt.date(2028, 3, 1))
    weight, _ = _one(
        "turners", sex="female", method="weight", value=10.0, observation_date=dt.date(2028, 3, 1)
    )
    girl, single = _one(
        "turners", sex="female", method="height", value=80.0, observation_date=dt.date(2028, 3, 1)
    )
    assert boy.error[0] == weight.error[0] == ErrorCode.NO_REFERENCE_DATA
    assert girl.ok[0]
    assert single.ok


def test_centiles_are_the_normal_distribution_of_the_sds() -> None:
    np.testing.assert_allclose(
        centile_for_sds([-2.0, 0.0, 2.0]), [2.275013194817921, 50.0, 97.72498680518208]
    )


def test_a_value_made_from_an_sds_gives_that_sds_back() -> None:
    ages = np.array([-0.1, 0.02, 0.5, 1.5, 2.0, 3.3, 4.0, 9.5, 15.25])
    for sds in (-2.0, 0.0, 0.67, 2.5):
        values = value_for_sds("uk-who", "height", "female", ages, sds)
        mask = np.isfinite(values)
        assert mask.sum() >= 8
        back = sds_for_ages(
            "uk-who",
            np.full(mask.sum(), METHOD_CODE["height"], dtype=np.int8),
            np.full(mask.sum(), SEX_CODE["female"], dtype=np.int8),
            ages[mask],
            values[mask],
        )
        np.testing.assert_allclose(back.sds, sds, atol=1e-9)


def test_batch_inputs_must_have_one_length() -> None:
    with pytest.raises(ValueError, match="same length"):
        batch_sds(["male"], ["2026-01-01"] * 2, ["2026-02-01"], [40], [0], ["weight"], [4.0])


def test_unknown_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown reference"):
        batch_sds(["male"], ["2026-01-01"], ["2026-02-01"], [40], [0], ["weight"], [4.0], "fenton")


def test_an_infinite_cdc_bmi_sds_is_an_error_on_both_paths() -> None:
    # BMI 60 at 3 years is so far above the CDC 95th centile that the extended-BMI centile rounds to 100
    # and rcpchgrowth returns an SDS of +inf.
    row = {
        "birth_date": dt.date(2020, 1, 1),
        "observation_date": dt.date(2023, 1, 1),
        "gestation_weeks": 40,
        "gestation_days": 0,
        "method": "bmi",
        "value": 60.0,
    }
    theirs = _rcpch_measurement(
        {
            "birth_date": row["birth_date"],
            "observation_date": row["observation_date"],
            "measurement_method": "bmi",
            "observation_value": 60.0,
            "sex": "female",
            "gestation_weeks": 40,
            "gestation_days": 0,
        },
        "cdc",
    )
    assert theirs is not None
    assert theirs["corrected_sds"] == np.inf
    batch, single = _one("cdc", sex="female", **row)
    assert batch.error[0] == ErrorCode.NOT_COMPUTABLE
    assert not single.ok
    assert single.error == batch.message(0)
