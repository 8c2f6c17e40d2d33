"""Adherence and fidelity figures for a plan (or many). Pure; no Django.

- Doses: sessions completed out of those due so far, and out of the whole plan.
- Minutes per phase: the minutes actually spent in each phase of completed sessions, on average,
  against the protocol's minutes for that phase.
- Stops: sessions stopped, grouped by reason.

`compute` works from every slot and session of a plan (the from-scratch way, kept as the reference);
`from_tally` gives the same figures from a plan's stored tally (`care.models.PlanFigures`) and the count of
sessions due so far, whatever the number of sessions behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlotFact:
    due_at: dt.datetime
    done: bool


@dataclass(frozen=True)
class SessionFact:
    status: str  # completed | stopped | in_progress | paused
    phase_seconds: Mapping[str, float] = field(default_factory=dict)
    stop_reason: str = ""


@dataclass(frozen=True)
class PhaseFidelity:
    phase: str
    planned_minutes: float
    actual_minutes: float | None

    @property
    def percent(self) -> float | None:
        if self.actual_minutes is None or not self.planned_minutes:
            return None
        return 100 * self.actual_minutes / self.planned_minutes


@dataclass(frozen=True)
class Adherence:
    planned_total: int
    due_so_far: int
    done: int
    completed_sessions: int
    stopped_sessions: int
    stop_reasons: tuple[tuple[str, int], ...]
    phases: tuple[PhaseFidelity, ...]

    @property
    def percent_of_due(self) -> float | None:
        return None if not self.due_so_far else 100 * self.done / self.due_so_far

    @property
    def percent_of_plan(self) -> float | None:
        return None if not self.planned_total else 100 * self.done / self.planned_total


NO_REASON = "no reason given"


def stop_reason_label(reason: str) -> str:
    """How a stop reason is grouped: the part before the first colon (a stop rule's label without its
    reading, e.g. "Heart rate low" of "Heart rate low: 85 bpm for 20 s")."""
    return (reason.split(":")[0] if reason else "") or NO_REASON


@dataclass(frozen=True)
class Tally:
    """What a plan's figures are made of, apart from the clock: kept per plan and updated on each write."""

    planned_total: int
    done: int
    completed_sessions: int
    stopped_sessions: int
    stop_reasons: Mapping[str, int]
    phase_seconds: Mapping[str, float]  # summed over the completed sessions


def from_tally(tally: Tally, *, due_so_far: int, planned_phase_minutes: Mapping[str, float]) -> Adherence:
    """The figures `compute` gives, from the stored tally and the number of sessions due so far."""
    completed = tally.completed_sessions
    phases = tuple(
        PhaseFidelity(
            phase,
            planned,
            tally.phase_seconds.get(phase, 0.0) / 60 / completed if completed else None,
        )
        for phase, planned in planned_phase_minutes.items()
    )
    reasons = {reason: n for reason, n in tally.stop_reasons.items() if n}
    return Adherence(
        planned_total=tally.planned_total,
        due_so_far=due_so_far,
        done=tally.done,
        completed_sessions=completed,
        stopped_sessions=tally.stopped_sessions,
        stop_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        phases=phases,
    )


def compute(
    *,
    slots: Iterable[SlotFact],
    sessions: Iterable[SessionFact],
    planned_phase_minutes: Mapping[str, float],
    now: dt.datetime,
) -> Adherence:
    slot_list = list(slots)
    session_list = list(sessions)
    due = [s for s in slot_list if s.due_at <= now]
    completed = [s for s in session_list if s.status == "completed"]
    stopped = [s for s in session_list if s.status == "stopped"]
    phases = []
    for phase, planned in planned_phase_minutes.items():
        spent = [s.phase_seconds.get(phase, 0.0) / 60 for s in completed]
        phases.append(PhaseFidelity(phase, planned, sum(spent) / len(spent) if spent else None))
    reasons = Counter(s.stop_reason or NO_REASON for s in stopped)
    return Adherence(
        planned_total=len(slot_list),
        due_so_far=len(due),
        done=sum(1 for s in slot_list if s.done),
        completed_sessions=len(completed),
        stopped_sessions=len(stopped),
        stop_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        phases=tuple(phases),
    )
