"""Adherence and fidelity figures for a plan (or many). Pure; no Django.

- Doses: sessions completed out of those due so far, and out of the whole plan.
- Minutes per phase: the minutes actually spent in each phase of completed sessions, on average,
  against the protocol's minutes for that phase.
- Stops: sessions stopped, grouped by reason.
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
    reasons = Counter(s.stop_reason or "no reason given" for s in stopped)
    return Adherence(
        planned_total=len(slot_list),
        due_so_far=len(due),
        done=sum(1 for s in slot_list if s.done),
        completed_sessions=len(completed),
        stopped_sessions=len(stopped),
        stop_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        phases=tuple(phases),
    )
