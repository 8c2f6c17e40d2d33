"""Property checks over many generated answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kneadwell.outcomes.instruments import DiaryDay, DiaryEntry, day_totals, get_instrument, score

FM = get_instrument("fugl_meyer")
GATED = {"a5_normal_reflex_activity", "e5_normal_reflex_activity"}


@st.composite
def fugl_meyer_answers(draw: st.DrawFn) -> dict[str, int]:
    answers = {
        it.id: draw(st.sampled_from([int(v) for v in it.values])) for it in FM.items if it.id not in GATED
    }
    answers["a5_normal_reflex_activity"] = 0
    answers["e5_normal_reflex_activity"] = 0
    return answers


@settings(max_examples=60, deadline=None)
@given(fugl_meyer_answers())
def test_fugl_meyer_total_is_the_sum_of_its_domains_and_of_its_items(answers: dict[str, int]) -> None:
    result = score("fugl_meyer", answers)
    domains = ("ue_motor", "le_motor", "sensory", "balance", "joint_range", "joint_pain")
    assert result.total == sum(result.subscores[d].score or 0 for d in domains) == sum(answers.values())
    assert 0 <= (result.total or 0) <= 226


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=240), min_size=1, max_size=30), st.data())
def test_diary_totals_never_exceed_a_day(lengths: list[int], data: st.DataObject) -> None:
    day = date(2024, 5, 1)
    cursor = datetime(2024, 5, 1)
    end_of_day = cursor + timedelta(days=1)
    entries = []
    categories = ["sleep", "awake_alert", "feeding", "fussing", "crying", "inconsolable_crying"]
    for minutes in lengths:
        if cursor >= end_of_day:
            break
        stop = min(cursor + timedelta(minutes=minutes), end_of_day)
        entries.append(DiaryEntry(data.draw(st.sampled_from(categories)), cursor, stop))
        cursor = stop
    totals = day_totals(DiaryDay(day, tuple(entries)))
    assert totals.recorded_minutes + totals.unrecorded_minutes == 24 * 60
    assert totals.cry_fuss_minutes <= totals.recorded_minutes <= 24 * 60
    assert totals.complete == (cursor >= end_of_day)
