"""Age arithmetic (AAP 2004 terms), checked against examples worked by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from kneadwell.outcomes.growth.ages import (
    WeeksDays,
    ages,
    chronological_age_days,
    completed_weeks,
    corrected_age_days,
    due_date,
    format_weeks_days,
    gestation_days,
    postmenstrual_age,
)

D = dt.date


def test_a_baby_born_at_30_plus_2_on_new_year_seen_on_1_march() -> None:
    # Born 2026-01-01 at 30+2 weeks (212 days of gestation), seen 2026-03-01.
    # Chronological age: January 31 days + February 28 days = 59 days.
    # Correction: 280 - 212 = 68 days, so corrected age = 59 - 68 = -9 days (9 days before the due date).
    # Postmenstrual age: 212 + 59 = 271 days = 38 weeks 5 days.
    # Due date: 2026-01-01 + 68 days = 2026-03-10 (Jan 1 + 30 = Jan 31, + 28 = Feb 28, + 10 = Mar 10).
    a = ages(D(2026, 1, 1), D(2026, 3, 1), 30, 2)
    assert a.chronological_days == 59
    assert a.corrected_days == -9
    assert a.postmenstrual == WeeksDays(38, 5)
    assert str(a.postmenstrual) == "38+5"
    assert a.due_date == D(2026, 3, 10)
    assert a.gestation_completed_weeks == 30
    assert a.before_due_date
    assert a.preterm
    assert a.describe() == "38+5 weeks postmenstrual age (59 days old)"


@pytest.mark.parametrize(
    ("birth", "seen", "weeks", "days", "chronological", "corrected", "pma"),
    [
        # Term 40+0, seen on the day of birth: no correction, PMA 40+0.
        (D(2026, 1, 1), D(2026, 1, 1), 40, 0, 0, 0, "40+0"),
        # 25+5 (180 days), 10 weeks later: 70 days old; correction 280-180 = 100;
        # corrected -30; PMA 250 = 35+5.
        (D(2025, 6, 1), D(2025, 8, 10), 25, 5, 70, -30, "35+5"),
        # 41+3 (290 days) post-term: correction 280-290 = -10, so 10 days old is corrected 20 days;
        # PMA 300 = 42+6.
        (D(2026, 1, 1), D(2026, 1, 11), 41, 3, 10, 20, "42+6"),
        # 36+0 (252 days), one year later (2024 is a leap year: 366 days): corrected 366 - 28 = 338;
        # PMA 618 = 88+2.
        (D(2024, 1, 1), D(2025, 1, 1), 36, 0, 366, 338, "88+2"),
        # Leap day: born 28 Feb 2024, seen 1 Mar 2024 is 2 days (29 Feb exists).
        (D(2024, 2, 28), D(2024, 3, 1), 40, 0, 2, 2, "40+2"),
        # 23+0 (161 days) on the day of birth: corrected -119 days; PMA 23+0.
        (D(2026, 5, 5), D(2026, 5, 5), 23, 0, 0, -119, "23+0"),
    ],
)
def test_ages_match_hand_worked_examples(
    birth: dt.date, seen: dt.date, weeks: int, days: int, chronological: int, corrected: int, pma: str
) -> None:
    assert chronological_age_days(birth, seen) == chronological
    assert corrected_age_days(birth, seen, weeks, days) == corrected
    assert str(postmenstrual_age(birth, seen, weeks, days)) == pma


def test_gestation_is_counted_in_completed_weeks() -> None:
    # AAP 2004: a 25-week 5-day fetus is "25 weeks", never rounded up to 26.
    assert completed_weeks(25, 5) == 25
    assert completed_weeks(36, 6) == 36
    assert completed_weeks(37, 0) == 37


def test_blank_gestation_means_term() -> None:
    a = ages(D(2026, 1, 1), D(2026, 2, 1))
    assert a.gestation == WeeksDays(40, 0)
    assert a.corrected_days == a.chronological_days == 31
    assert not a.preterm
    assert a.describe() == "31 days old"


def test_a_term_babys_corrected_age_equals_her_chronological_age() -> None:
    assert corrected_age_days(D(2020, 3, 1), D(2023, 7, 9), 40, 0) == chronological_age_days(
        D(2020, 3, 1), D(2023, 7, 9)
    )


def test_the_due_date_is_forty_weeks_after_the_last_menstrual_period() -> None:
    # 32+4 = 228 days; 52 days to go: 2026-02-01 + 52 days = 2026-03-25
    # (February 2026 has 28 days: +27 = Feb 28, +25 more = Mar 25).
    assert due_date(D(2026, 2, 1), 32, 4) == D(2026, 3, 25)


def test_it_rejects_gestation_days_outside_0_to_6() -> None:
    # 40+9 is not a gestation; rcpchgrowth would silently read it as 41+2.
    with pytest.raises(ValueError, match="0-6"):
        gestation_days(40, 9)
    with pytest.raises(ValueError, match="0-6"):
        corrected_age_days(D(2026, 1, 1), D(2026, 2, 1), 40, -1)


def test_an_observation_before_birth_has_a_negative_chronological_age() -> None:
    assert chronological_age_days(D(2026, 1, 10), D(2026, 1, 1)) == -9


def test_weeks_and_days_format() -> None:
    assert format_weeks_days(266) == "38+0"
    assert WeeksDays.from_days(271).total_days == 271
    assert ages(D(2026, 1, 1), D(2026, 4, 1), 30, 2).describe() == "90 days old, 22 days corrected"
