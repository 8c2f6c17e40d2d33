"""Which measurements a plan wants today: each occasion at the edges of its window, and the page's rows."""

from __future__ import annotations

import datetime as dt

import pytest

from kneadwell.care.measures_due import PlanDays, Taken, headline, rows, status
from kneadwell.outcomes.instruments.model import AgeRange, Direction, Instrument, Kind

START = dt.date(2026, 3, 2)  # a Monday
LAST = dt.date(2026, 3, 11)  # a 10-day programme


def plan(**kw: object) -> PlanDays:
    values: dict[str, object] = {
        "start": START,
        "last": LAST,
        "ended": False,
        "session_days": frozenset(),
        "next_session": None,
    }
    values.update(kw)
    return PlanDays(**values)  # type: ignore[arg-type]


def day(n: int) -> dt.date:
    """Day n of the programme (day 0 is the start)."""
    return START + dt.timedelta(days=n)


def taken(*days: int, context: str = "routine") -> list[Taken]:
    return [Taken(day(n), context) for n in days]


# --- baseline -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [-14, -1, 0])
def test_a_baseline_counts_from_two_weeks_before_to_the_first_day(n: int) -> None:
    st = status("baseline", plan=plan(), today=day(3), taken=taken(n))
    assert st.state == "done"
    assert st.text == f"Taken {day(n).day} {day(n):%b %Y}."


def test_a_measurement_fifteen_days_before_is_too_old_for_a_baseline() -> None:
    assert status("baseline", plan=plan(), today=day(-3), taken=taken(-15)).state == "due"


def test_a_measurement_marked_baseline_counts_whenever_it_was_taken() -> None:
    assert status("baseline", plan=plan(), today=day(5), taken=taken(-40, context="baseline")).state == "done"


def test_before_the_start_the_baseline_is_due_on_the_first_day() -> None:
    st = status("baseline", plan=plan(), today=day(-2), taken=[])
    assert (st.state, st.due_on) == ("due", START)


def test_after_the_start_a_missing_baseline_is_overdue() -> None:
    assert status("baseline", plan=plan(), today=day(1), taken=[]).state == "overdue"


def test_after_the_programme_a_missing_baseline_is_missed_not_asked_for() -> None:
    assert status("baseline", plan=plan(), today=LAST + dt.timedelta(days=1), taken=[]).state == "missed"
    assert status("baseline", plan=plan(ended=True, last=day(3)), today=day(3), taken=[]).state == "missed"


def test_a_first_measurement_after_the_start_is_late_not_a_baseline() -> None:
    st = status("baseline", plan=plan(), today=day(4), taken=taken(2))
    assert st.state == "late"
    assert "not a true baseline" in st.text


def test_an_end_measurement_is_never_a_baseline_even_in_a_one_day_programme() -> None:
    one_day = plan(last=START)
    end_only = taken(0, context="end")
    assert status("baseline", plan=one_day, today=START, taken=end_only).state == "due"
    assert status("end", plan=one_day, today=START, taken=end_only).state == "done"
    assert status("end", plan=one_day, today=START, taken=taken(0, context="baseline")).state == "due"


# --- end ------------------------------------------------------------------------------------------------


def test_the_end_opens_in_the_last_quarter_of_a_short_programme() -> None:
    # 10 days (day 0 to day 9): 9 // 4 = 2 days before the last day, so from day 7.
    st = status("end", plan=plan(), today=day(6), taken=taken(*range(7)))
    assert (st.state, st.due_on) == ("upcoming", LAST)
    assert status("end", plan=plan(), today=day(7), taken=taken(*range(7))).state == "due"
    assert status("end", plan=plan(), today=day(8), taken=taken(7)).state == "done"
    assert status("end", plan=plan(), today=day(30), taken=taken(9 + 14)).state == "done"
    assert status("end", plan=plan(), today=day(30), taken=taken(9 + 15)).state == "missed"


def test_the_end_opens_a_week_before_the_last_day_of_a_long_programme() -> None:
    eight_weeks = plan(last=day(55))
    assert status("end", plan=eight_weeks, today=day(47), taken=[]).state == "upcoming"
    assert status("end", plan=eight_weeks, today=day(48), taken=[]).state == "due"
    assert status("end", plan=eight_weeks, today=day(50), taken=taken(48)).state == "done"


def test_the_end_is_missed_more_than_two_weeks_after_the_last_day() -> None:
    assert status("end", plan=plan(), today=LAST + dt.timedelta(days=14), taken=[]).state == "due"
    assert status("end", plan=plan(), today=LAST + dt.timedelta(days=15), taken=[]).state == "missed"


def test_a_plan_with_nothing_scheduled_says_the_end_comes_when_it_ends() -> None:
    assert status("end", plan=plan(last=None), today=day(3), taken=[]).text == "When the plan ends."


# --- daily and weekly -----------------------------------------------------------------------------------


def test_daily_is_due_today_until_taken_and_counts_the_days() -> None:
    due = status("daily", plan=plan(), today=day(3), taken=taken(0, 1, 2))
    assert (due.state, due.due_on, due.covered) == ("due", day(3), (3, 4))
    done = status("daily", plan=plan(), today=day(3), taken=taken(0, 2, 3, 3))
    assert (done.state, done.covered) == ("done", (3, 4))


def test_daily_before_the_start_is_upcoming_and_after_the_end_is_a_count() -> None:
    assert status("daily", plan=plan(), today=day(-1), taken=[]).state == "upcoming"
    after = status("daily", plan=plan(), today=day(20), taken=taken(*range(0, 10, 2), 15))
    assert (after.state, after.covered, after.text) == ("finished", (5, 10), "Taken on 5 of 10 days.")


def test_weekly_counts_seven_day_blocks_from_the_start() -> None:
    # Day 8 is in week 2 (days 7-9, as the plan's last day is day 9).
    st = status("weekly", plan=plan(), today=day(8), taken=taken(1))
    assert (st.state, st.due_on, st.covered) == ("due", LAST, (1, 2))
    assert status("weekly", plan=plan(), today=day(8), taken=taken(1, 7)).state == "done"
    # A measurement later this week than today does not exist yet; one from last week does not count.
    assert status("weekly", plan=plan(), today=day(7), taken=taken(6)).state == "due"


def test_an_ended_plan_stops_asking() -> None:
    ended = plan(ended=True, last=day(4))
    st = status("weekly", plan=ended, today=day(8), taken=taken(0))
    assert (st.state, st.covered) == ("finished", (1, 1))
    assert status("daily", plan=ended, today=day(8), taken=taken(0, 1)).covered == (2, 5)


# --- each session ---------------------------------------------------------------------------------------


def test_each_session_is_due_with_todays_session_and_counts_session_days() -> None:
    p = plan(session_days=frozenset({day(0), day(1), day(3)}), next_session=day(3))
    st = status("each_session", plan=p, today=day(3), taken=taken(0, 3))
    assert (st.state, st.covered) == ("done", (2, 3))
    st = status("each_session", plan=p, today=day(3), taken=taken(0))
    assert (st.state, st.covered, st.due_on) == ("due", (1, 3), day(3))


def test_each_session_points_at_the_next_session_on_other_days() -> None:
    p = plan(session_days=frozenset({day(0)}), next_session=day(4))
    st = status("each_session", plan=p, today=day(2), taken=taken(0))
    assert (st.state, st.due_on) == ("upcoming", day(4))
    assert "1 of 1 session days" in st.text


def test_the_headline_is_the_most_urgent_occasion() -> None:
    p = plan()
    sts = [status(o, plan=p, today=day(3), taken=taken(0)) for o in ("baseline", "daily", "end")]
    assert [s.state for s in sts] == ["done", "due", "upcoming"]
    top = headline(sts)
    assert top is not None
    assert top.occasion == "daily"
    assert headline([]) is None


# --- rows -----------------------------------------------------------------------------------------------


def inst(id_: str, name: str, min_days: int | None, population: str) -> Instrument:
    return Instrument(
        id_, name, Kind.MEASUREMENT, "", population, AgeRange(min_days, None), Direction.NEITHER, (), ""
    )


INSTRUMENTS = {
    "weight": inst("weight", "Body weight", None, "All ages."),
    "length_height": inst("length_height", "Length/height", None, "All ages."),
    "amsterdam_stool": inst("amsterdam_stool", "Amsterdam stool scale", 0, "Infants."),
    "bristol_stool": inst("bristol_stool", "Bristol stool form scale", None, "Adults."),
    "nrs": inst("nrs", "Numeric rating scale", 2192, "From about 6 years."),
}
MEASURES = {
    "gain": ("Daily weight gain", ("weight",), False, False),
    "z": ("Z-scores", ("weight", "length_height"), False, False),
    "stool": ("Stool form", ("amsterdam_stool", "bristol_stool"), True, False),
    "pain": ("Pain 0-10", ("nrs",), False, False),
    "state": ("Behavioural state", (), False, True),
    "stay": ("Length of stay", (), False, False),
}


def test_rows_merge_what_one_instrument_serves_and_keep_the_reasons() -> None:
    out = rows(
        timings=[
            ("gain", ["baseline", "daily", "end"], "daily gain needs daily weights", ["S34"], False),
            ("z", ["baseline", "weekly"], "weekly is our choice", ["S65"], True),
            ("stool", ["daily"], "counted per day", ["S53"], True),
            ("pain", ["each_session"], "", ["S47"], True),
            ("state", ["each_session"], "player", ["S28"], False),
            ("stay", ["end"], "discharge date", ["S34"], False),
        ],
        measures=MEASURES,
        instruments=INSTRUMENTS,
        taken={"weight": taken(0, 3), "bristol_stool": taken(3)},
        plan=plan(),
        today=day(3),
        age_days=60,
    )
    by_key = {r.key: r for r in out}
    assert list(by_key) == [
        "weight",
        "length_height",
        "amsterdam_stool+bristol_stool",
        "nrs",
        "state",
        "stay",
    ]
    weight = by_key["weight"]
    assert [s.occasion for s in weight.statuses] == ["baseline", "daily", "weekly", "end"]
    assert [s.state for s in weight.statuses] == ["done", "done", "done", "upcoming"]
    assert weight.feeds == ("Daily weight gain", "Z-scores")
    assert [w.design_choice for w in weight.why] == [False, True]
    assert [w.measure for w in weight.why] == ["Daily weight gain", "Z-scores"]
    assert by_key["length_height"].headline is not None
    assert by_key["length_height"].headline.state == "overdue"
    # Either stool scale will do: a Bristol entry today satisfies the row.
    stool = by_key["amsterdam_stool+bristol_stool"]
    assert stool.title == "Amsterdam stool scale or Bristol stool form scale"
    assert [s.state for s in stool.statuses] == ["done"]
    assert [i for i, _ in stool.record_with] == ["amsterdam_stool", "bristol_stool"]
    # A two-month-old cannot self-report pain: the row says so instead of asking for it.
    assert (by_key["nrs"].how, by_key["nrs"].statuses, by_key["nrs"].record_with) == ("not_for_age", (), ())
    assert "From about 6 years." in by_key["nrs"].note
    assert by_key["state"].how == "in_session"
    assert by_key["stay"].how == "elsewhere"
