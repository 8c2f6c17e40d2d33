import datetime as dt

from kneadwell.care.adherence import SessionFact, SlotFact, compute

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def slot(days_ago: int, done: bool) -> SlotFact:
    return SlotFact(due_at=NOW - dt.timedelta(days=days_ago), done=done)


def test_doses_done_against_those_due_and_the_whole_plan() -> None:
    slots = [slot(3, True), slot(2, False), slot(1, True), slot(-1, False), slot(-2, False)]
    figures = compute(slots=slots, sessions=[], planned_phase_minutes={}, now=NOW)
    assert (figures.planned_total, figures.due_so_far, figures.done) == (5, 3, 2)
    assert round(figures.percent_of_due or 0, 1) == 66.7
    assert figures.percent_of_plan == 40


def test_minutes_per_phase_average_only_completed_sessions() -> None:
    sessions = [
        SessionFact("completed", {"Tactile": 600, "Kinesthetic": 300}),
        SessionFact("completed", {"Tactile": 480, "Kinesthetic": 240}),
        SessionFact("stopped", {"Tactile": 60}, "Heart rate low: 85 bpm"),
    ]
    figures = compute(
        slots=[], sessions=sessions, planned_phase_minutes={"Tactile": 10, "Kinesthetic": 5}, now=NOW
    )
    tactile, kinesthetic = figures.phases
    assert tactile.actual_minutes == 9.0
    assert tactile.percent == 90.0
    assert kinesthetic.actual_minutes == 4.5
    assert figures.stop_reasons == (("Heart rate low: 85 bpm", 1),)
    assert (figures.completed_sessions, figures.stopped_sessions) == (2, 1)


def test_no_sessions_yet_gives_no_percentages_rather_than_zero() -> None:
    figures = compute(slots=[slot(-1, False)], sessions=[], planned_phase_minutes={"Tactile": 10}, now=NOW)
    assert figures.percent_of_due is None
    assert figures.phases[0].actual_minutes is None
