"""Each family's course at a glance, and who the instructor might follow up. Pure: no Django import; the
selectors hand in plain values (courses/selectors/overview.py).

The follow-up reasons are our design choice for a class series (no source sets them); each one says why
and what the instructor might do, and the instructor decides:
- absent from the last class held: the strokes taught that week are not in the family's home routine
  until they are taught, so offer the handout and a catch-up;
- left the last class early (the reason is shown);
- strong disengagement cues in the last class (the player's potent cues: Barnard's, S23): ask how
  massage is going at home;
- no home practice in the last PRACTICE_GAP_DAYS days although the family shares it and has been to a
  class: a gentle check-in, never a reproach (practice at home is the family's choice);
- home practice mostly unsettled (at least half of the last PRACTICE_WINDOW_DAYS days' entries).
A family that does not share its practice is never flagged for it: the instructor does not see it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PRACTICE_GAP_DAYS = 7
PRACTICE_WINDOW_DAYS = 7

RESPONSE_LABELS = {
    "enjoyed": "Enjoyed it",
    "mixed": "Some \u201cnot so much\u201d signs",
    "unsettled": "Unsettled",
}


@dataclass(frozen=True)
class Practice:
    """One practice: a day the family noted, or a session in the guided player."""

    day: dt.date
    minutes: float
    response: str  # enjoyed | mixed | unsettled
    source: str  # "noted" | "player"
    note: str = ""


@dataclass(frozen=True)
class ClassLine:
    week: int
    status: str  # present | absent | left_early | "" (not recorded)
    reason: str = ""
    strong_cues: tuple[str, ...] = ()  # labels of potent disengagement cues seen


@dataclass(frozen=True)
class FamilyFacts:
    shares: bool
    classes: Sequence[ClassLine]  # every class held, in week order
    practice: Sequence[Practice] = ()


@dataclass(frozen=True)
class FamilySummary:
    attended: int
    held: int
    practice_days: int
    practice_minutes: int
    days_last_week: int
    last_response: str
    follow_up: tuple[str, ...] = field(default=())


def session_response(kinds: Iterable[tuple[str, str | None]], stopped: bool) -> str:
    """How a baby responded in a player session, from the cues tapped ((kind, strength) pairs): a strong
    disengagement cue or a stopped session is "unsettled", a subtle one "mixed", otherwise "enjoyed"."""
    seen = list(kinds)
    if stopped or any(k == "disengagement" and s == "potent" for k, s in seen):
        return "unsettled"
    if any(k in ("disengagement", "stress") for k, _ in seen):
        return "mixed"
    return "enjoyed"


def summarise(facts: FamilyFacts, *, today: dt.date) -> FamilySummary:
    held = list(facts.classes)
    attended = sum(1 for c in held if c.status in ("present", "left_early"))
    practice = sorted(facts.practice, key=lambda p: p.day) if facts.shares else []
    days = {p.day for p in practice}
    since = today - dt.timedelta(days=PRACTICE_WINDOW_DAYS - 1)
    recent = [p for p in practice if p.day >= since]
    reasons: list[str] = []
    last = held[-1] if held else None
    if last is not None:
        if last.status == "absent":
            reasons.append(
                f"Missed week {last.week}: offer the week's handout and a catch-up (its strokes join the "
                "home routine once taught)."
            )
        elif last.status == "left_early":
            why = f" ({last.reason})" if last.reason else ""
            reasons.append(f"Left week {last.week} early{why}.")
        if last.strong_cues:
            reasons.append(
                f"Strong \u201cstop\u201d cues in week {last.week} ({', '.join(last.strong_cues)}): ask "
                "how massage is going at home."
            )
    if facts.shares and attended:
        last_day = max(days) if days else None
        if last_day is None or (today - last_day).days >= PRACTICE_GAP_DAYS:
            reasons.append(f"No home practice in the last {PRACTICE_GAP_DAYS} days: a gentle check-in.")
        unsettled = sum(1 for p in recent if p.response == "unsettled")
        if recent and unsettled * 2 >= len(recent):
            reasons.append("Home practice mostly unsettled this week: talk through the baby's cues.")
    return FamilySummary(
        attended=attended,
        held=len(held),
        practice_days=len(days),
        practice_minutes=round(sum(p.minutes for p in practice)),
        days_last_week=len({p.day for p in recent}),
        last_response=RESPONSE_LABELS.get(practice[-1].response, "") if practice else "",
        follow_up=tuple(reasons),
    )
