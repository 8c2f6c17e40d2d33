"""Who to follow up (pure): each reason appears exactly when its facts hold, and a family that does not
share its practice is never flagged for it."""

from __future__ import annotations

import datetime as dt

from kneadwell.courses.followup import ClassLine, FamilyFacts, Practice, session_response, summarise

TODAY = dt.date(2026, 3, 10)


def practice(days_ago: int, response: str = "enjoyed", minutes: float = 10) -> Practice:
    return Practice(
        day=TODAY - dt.timedelta(days=days_ago), minutes=minutes, response=response, source="noted"
    )


def test_a_family_that_came_and_practises_needs_no_follow_up() -> None:
    facts = FamilyFacts(shares=True, classes=[ClassLine(1, "present")], practice=[practice(1), practice(2)])
    summary = summarise(facts, today=TODAY)
    assert summary.follow_up == ()
    assert (summary.attended, summary.held, summary.practice_days, summary.practice_minutes) == (1, 1, 2, 20)
    assert summary.days_last_week == 2
    assert summary.last_response == "Enjoyed it"


def test_missing_the_last_class_is_a_reason() -> None:
    facts = FamilyFacts(
        shares=True, classes=[ClassLine(1, "present"), ClassLine(2, "absent")], practice=[practice(0)]
    )
    assert summarise(facts, today=TODAY).follow_up[0].startswith("Missed week 2")


def test_leaving_early_and_strong_cues_are_reasons_with_their_words() -> None:
    facts = FamilyFacts(
        shares=False, classes=[ClassLine(1, "left_early", "feed time", ("Arching the back",))]
    )
    assert summarise(facts, today=TODAY).follow_up == (
        "Left week 1 early (feed time).",
        "Strong \u201cstop\u201d cues in week 1 (Arching the back): ask how massage is going at home.",
    )


def test_no_practice_for_a_week_is_a_reason_only_when_shared_and_after_a_class() -> None:
    gap = FamilyFacts(shares=True, classes=[ClassLine(1, "present")], practice=[practice(7)])
    assert any("No home practice" in r for r in summarise(gap, today=TODAY).follow_up)
    recent = FamilyFacts(shares=True, classes=[ClassLine(1, "present")], practice=[practice(6)])
    assert not any("No home practice" in r for r in summarise(recent, today=TODAY).follow_up)
    private = FamilyFacts(shares=False, classes=[ClassLine(1, "present")])
    assert summarise(private, today=TODAY).follow_up == ()
    before_class = FamilyFacts(shares=True, classes=[])
    assert summarise(before_class, today=TODAY).follow_up == ()


def test_mostly_unsettled_practice_is_a_reason() -> None:
    facts = FamilyFacts(
        shares=True,
        classes=[ClassLine(1, "present")],
        practice=[practice(1, "unsettled"), practice(2, "enjoyed")],
    )
    assert any("mostly unsettled" in r for r in summarise(facts, today=TODAY).follow_up)


def test_unshared_practice_is_not_counted() -> None:
    facts = FamilyFacts(shares=False, classes=[ClassLine(1, "present")], practice=[practice(1)])
    summary = summarise(facts, today=TODAY)
    assert (summary.practice_days, summary.last_response) == (0, "")


def test_a_sessions_response_comes_from_its_cues() -> None:
    assert session_response([("engagement", "potent")], stopped=False) == "enjoyed"
    assert session_response([("disengagement", "subtle")], stopped=False) == "mixed"
    assert session_response([("disengagement", "potent")], stopped=False) == "unsettled"
    assert session_response([], stopped=True) == "unsettled"
