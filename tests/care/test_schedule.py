import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from kneadwell.care.schedule import generate

LONDON = ZoneInfo("Europe/London")


@dataclass
class Phase:
    label: str
    weeks: int
    sessions: int


@dataclass
class Dose:
    sessions_per_day: int | None = None
    days: int | None = None
    sessions_per_week: int | None = None
    weeks: int | None = None
    phases: list[Phase] = field(default_factory=list)


START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)


def test_tks_is_three_sessions_at_consecutive_hours_for_ten_days() -> None:
    slots = generate(Dose(sessions_per_day=3, days=10), start=START)
    assert len(slots) == 30
    assert [s.due_at.hour for s in slots[:4]] == [9, 10, 11, 9]
    assert slots[3].due_at.date() == dt.date(2026, 3, 3)
    assert slots[-1].due_at == dt.datetime(2026, 3, 11, 11, 0, tzinfo=LONDON)
    assert [s.sequence for s in slots] == list(range(1, 31))


def test_twice_a_week_spreads_the_sessions_through_each_week() -> None:
    slots = generate(Dose(sessions_per_week=2, weeks=2), start=START)
    assert [(s.due_at.date() - START.date()).days for s in slots] == [0, 3, 7, 10]


def test_phases_taper_one_after_the_other() -> None:
    dose = Dose(phases=[Phase("twice a week", 2, 4), Phase("weekly", 4, 4), Phase("fortnightly", 8, 4)])
    slots = generate(dose, start=START)
    days = [(s.due_at.date() - START.date()).days for s in slots]
    assert days == [0, 3, 7, 10, 14, 21, 28, 35, 42, 56, 70, 84]
    assert slots[4].phase == "weekly"


def test_open_ended_daily_practice_runs_for_the_plans_weeks() -> None:
    assert len(generate(Dose(sessions_per_day=1), start=START)) == 28
    assert len(generate(Dose(sessions_per_day=1), start=START, open_weeks=6)) == 42


def test_daily_sessions_keep_their_clock_time_across_the_spring_clock_change() -> None:
    start = dt.datetime(2026, 3, 27, 19, 0, tzinfo=LONDON)  # British Summer Time starts 29 March 2026
    slots = generate(Dose(sessions_per_day=1, days=5), start=start)
    assert all(s.due_at.hour == 19 for s in slots)


def test_it_refuses_a_start_without_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        generate(Dose(sessions_per_day=1, days=1), start=dt.datetime(2026, 3, 2, 9, 0))
