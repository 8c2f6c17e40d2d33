"""24-hour diary: interval checks, daily totals, and the Wessel and Rome IV criteria on made-up diaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kneadwell.outcomes.instruments import (
    ClinicalExclusions,
    CriterionStatus,
    DiaryDay,
    DiaryEntry,
    InstrumentValidationError,
    day_totals,
    evaluate_rome_iv,
    evaluate_wessel,
    score,
    split_at_midnight,
    validate_day,
)
from kneadwell.outcomes.instruments.colic import PENDING_MESSAGE

START = date(2024, 3, 1)


def at(day: date, minutes: float) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)


def full_day(day: date, cry_fuss_minutes: int, *, complete: bool = True) -> DiaryDay:
    """A day with the given crying plus fussing (two thirds crying, one third fussing), the rest asleep."""
    crying = cry_fuss_minutes * 2 // 3
    entries = [
        DiaryEntry("crying", at(day, 0), at(day, crying)),
        DiaryEntry("fussing", at(day, crying), at(day, cry_fuss_minutes)),
    ]
    if complete:
        entries.append(DiaryEntry("sleep", at(day, cry_fuss_minutes), at(day, 24 * 60)))
    return DiaryDay(day, tuple(e for e in entries if e.end > e.start))


def diary(minutes_per_day: list[int], *, complete: bool = True) -> list[DiaryDay]:
    return [full_day(START + timedelta(days=i), m, complete=complete) for i, m in enumerate(minutes_per_day)]


def week(qualifying: int) -> list[int]:
    """Seven days with `qualifying` days of 200 minutes and the rest at 60 minutes."""
    return [200] * qualifying + [60] * (7 - qualifying)


def born(age_at_start_days: int) -> date:
    return START - timedelta(days=age_at_start_days)


# --- validation and totals --------------------------------------------------------------------------------


def test_a_complete_day_totals_24_hours() -> None:
    day = full_day(START, 200)
    totals = day_totals(day)
    assert totals.cry_fuss_minutes == 200
    assert totals.crying_minutes == 133
    assert totals.minutes["sleep"] == 24 * 60 - 200
    assert totals.recorded_minutes == 24 * 60
    assert totals.complete


def test_holding_may_overlap_an_infant_state_and_is_counted_apart() -> None:
    day = DiaryDay(
        START,
        (
            DiaryEntry("crying", at(START, 60), at(START, 120)),
            DiaryEntry("holding", at(START, 50), at(START, 130)),
        ),
    )
    totals = day_totals(day)
    assert totals.holding_minutes == 80
    assert totals.cry_fuss_minutes == 60
    assert totals.unrecorded_minutes == 24 * 60 - 60
    assert not totals.complete


def test_overlapping_infant_states_are_rejected_naming_the_entry() -> None:
    day = DiaryDay(
        START,
        (
            DiaryEntry("sleep", at(START, 0), at(START, 90)),
            DiaryEntry("crying", at(START, 80), at(START, 100)),
        ),
    )
    with pytest.raises(InstrumentValidationError) as exc:
        validate_day(day)
    assert exc.value.field == "entries[1]"
    assert "overlaps" in exc.value.message


def test_an_entry_crossing_midnight_must_be_split() -> None:
    night = DiaryEntry("sleep", at(START, 23 * 60), at(START, 26 * 60))
    with pytest.raises(InstrumentValidationError) as exc:
        validate_day(DiaryDay(START, (night,)))
    assert "midnight" in exc.value.message
    days = split_at_midnight([night])
    assert [d.day for d in days] == [START, START + timedelta(days=1)]
    assert [day_totals(d).minutes["sleep"] for d in days] == [60, 120]


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (DiaryEntry("crying", at(START, 30), at(START, 30)), "not after its start"),
        (DiaryEntry("screaming", at(START, 0), at(START, 30)), "unknown category"),
    ],
)
def test_bad_entries_are_rejected(entry: DiaryEntry, words: str) -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        validate_day(DiaryDay(START, (entry,)))
    assert words in exc.value.message


def test_a_day_cannot_hold_more_than_24_hours_of_infant_states() -> None:
    # Any extra entry would have to overlap, which is rejected, so the total can never pass 1440 minutes.
    day = full_day(START, 300)
    extra = DiaryEntry("feeding", at(START, 600), at(START, 630))
    with pytest.raises(InstrumentValidationError):
        validate_day(DiaryDay(START, (*day.entries, extra)))


# --- Wessel -----------------------------------------------------------------------------------------------


def test_wessel_is_met_by_three_weeks_of_three_long_days_pending_the_clinician() -> None:
    days = diary(week(3) * 3)
    result = evaluate_wessel(days, born(30))
    assert result.status is CriterionStatus.MET_PENDING_CLINICIAN
    assert result.message == PENDING_MESSAGE
    assert len(result.qualifying_days) == 9
    assert result.source_ids == ("S49",)


def test_wessel_is_met_outright_once_the_clinician_rules_out_the_exclusions() -> None:
    ruled_out = ClinicalExclusions(faltering_growth=False, fever=False, illness=False)
    assert evaluate_wessel(diary(week(3) * 3), born(30), ruled_out).status is CriterionStatus.MET


def test_wessel_is_not_met_when_the_infant_has_a_fever() -> None:
    result = evaluate_wessel(diary(week(4) * 3), born(30), ClinicalExclusions(fever=True))
    assert result.status is CriterionStatus.NOT_MET
    assert "fever" in result.message


def test_wessel_missed_by_one_day_in_one_week() -> None:
    result = evaluate_wessel(diary(week(3) + week(2) + week(3)), born(30))
    assert result.status is CriterionStatus.NOT_MET
    assert result.detail["best_weakest_week"] == 2
    assert "at least 3 days" in result.message


def test_wessel_missed_by_age_when_the_infant_passes_4_months() -> None:
    # Starts at 110 days: by the second and third weeks the infant is older than 4 months (121.75 days).
    result = evaluate_wessel(diary(week(3) * 3), born(110))
    assert result.status is CriterionStatus.NOT_MET
    assert "age window" in result.message


def test_wessel_missed_by_age_when_the_infant_is_under_2_weeks() -> None:
    # From day 8 of life the first week's long days (ages 8-10) are too young to count.
    result = evaluate_wessel(diary(week(3) * 3), born(8))
    assert result.status is CriterionStatus.NOT_MET
    assert "age window" in result.message


def test_wessel_cannot_be_decided_from_two_weeks_of_diary() -> None:
    result = evaluate_wessel(diary(week(3) * 2), born(30))
    assert result.status is CriterionStatus.INSUFFICIENT_DATA


def test_wessel_counts_an_incomplete_day_that_already_reached_3_hours() -> None:
    days = diary(week(3) * 3, complete=False)
    # Short days are unknown (could have had more crying), long ones are certain.
    assert evaluate_wessel(days, born(30)).status is CriterionStatus.MET_PENDING_CLINICIAN


def test_wessel_threshold_is_three_hours_inclusive() -> None:
    exactly = [180, 180, 180, 0, 0, 0, 0] * 3
    just_under = [180, 180, 179, 0, 0, 0, 0] * 3
    assert evaluate_wessel(diary(exactly), born(30)).status is CriterionStatus.MET_PENDING_CLINICIAN
    assert evaluate_wessel(diary(just_under), born(30)).status is CriterionStatus.NOT_MET


# --- Rome IV ----------------------------------------------------------------------------------------------


def test_rome_iv_is_met_as_far_as_the_diary_can_show() -> None:
    result = evaluate_rome_iv(diary(week(3)), born(60))
    assert result.status is CriterionStatus.MET_PENDING_CLINICIAN
    assert result.message == PENDING_MESSAGE
    assert result.source_ids == ("S50",)


def test_rome_iv_is_met_by_the_three_long_days_just_before_5_months() -> None:
    # Long days at ages 150-152; 5 months is 152.2 days.
    assert evaluate_rome_iv(diary(week(3)), born(150)).status is CriterionStatus.MET_PENDING_CLINICIAN


def test_rome_iv_missed_by_one_day() -> None:
    result = evaluate_rome_iv(diary(week(2)), born(60))
    assert result.status is CriterionStatus.NOT_MET
    assert "at most 2 day(s)" in result.message


def test_rome_iv_missed_by_age_when_crying_goes_on_at_5_months() -> None:
    # Long days at ages 151, 152 and 153 days; 5 months is 152.2 days, so the last is at 5 months.
    result = evaluate_rome_iv(diary(week(3)), born(151))
    assert result.status is CriterionStatus.NOT_MET
    assert "5 months" in result.message


def test_rome_iv_cannot_be_decided_from_incomplete_days() -> None:
    result = evaluate_rome_iv(diary(week(2), complete=False), born(60))
    assert result.status is CriterionStatus.INSUFFICIENT_DATA


def test_rome_iv_not_met_with_illness() -> None:
    result = evaluate_rome_iv(diary(week(4)), born(60), ClinicalExclusions(illness=True))
    assert result.status is CriterionStatus.NOT_MET


# --- through the registry ---------------------------------------------------------------------------------


def test_the_registry_scores_a_diary_from_plain_data() -> None:
    entries = [
        {"category": "sleep", "start": "2024-03-01T00:00", "end": "2024-03-01T20:00"},
        {"category": "crying", "start": "2024-03-01T20:00", "end": "2024-03-02T00:00"},
    ]
    result = score("infant_day_diary", {"entries": entries, "birth_date": "2024-01-15"})
    assert result.total == 240
    assert result.details["days"][0].complete
    # One day of diary cannot show 3 long days in 7, nor rule them out.
    assert result.details["rome_iv"].status is CriterionStatus.INSUFFICIENT_DATA


def test_the_registry_names_the_bad_diary_field() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score("infant_day_diary", {"days": [{"day": "2024-03-01", "entries": [{"category": "sleep"}]}]})
    assert exc.value.field == "days[0].entries[0].start"
