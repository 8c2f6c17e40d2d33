"""A plan's session times from its protocol's dose. Pure; no Django.

Dose shapes in the library and how each becomes a schedule:
- `sessions_per_day` k with `days` d (Field's TKS: 3 a day for 10 days): k sessions a day at the start of
  k consecutive hours from the start time, for d days ("at the start of three consecutive hours", S34).
- `sessions_per_week` w with `weeks` n: w sessions in each week, spread evenly from the start day
  (twice a week: days 0 and 3; three times: days 0, 2 and 4).
- `phases` (e.g. twice a week for two weeks, then tapering): each phase's sessions spread evenly over its
  weeks, phases one after the other. This overrides sessions_per_week/weeks.
- `sessions_per_day` without `days` (daily home practice with no end in the protocol): daily for the
  plan's own length in weeks (default 4 weeks, our design choice; the plan can be extended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

DEFAULT_OPEN_WEEKS = 4
MAX_SESSIONS = 2000


class PhaseLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def weeks(self) -> int: ...
    @property
    def sessions(self) -> int: ...


class DoseLike(Protocol):
    @property
    def sessions_per_day(self) -> int | None: ...
    @property
    def days(self) -> int | None: ...
    @property
    def sessions_per_week(self) -> int | None: ...
    @property
    def weeks(self) -> int | None: ...
    @property
    def phases(self) -> Sequence[PhaseLike]: ...


@dataclass(frozen=True)
class Slot:
    sequence: int
    due_at: dt.datetime
    phase: str


def _spread(count: int, days: int) -> list[int]:
    """Day offsets for `count` sessions spread evenly over `days` days, first on day 0."""
    return [(i * days) // count for i in range(count)]


def generate(dose: DoseLike, *, start: dt.datetime, open_weeks: int = DEFAULT_OPEN_WEEKS) -> list[Slot]:
    """Every session slot of the plan, in time order. `start` is the first session's date and time."""
    if start.tzinfo is None:
        raise ValueError("start needs a time zone")
    if not 1 <= open_weeks <= 104:
        raise ValueError("open_weeks must be 1 to 104")
    offsets: list[tuple[dt.timedelta, str]] = []
    if dose.phases:
        first_day = 0
        for phase in dose.phases:
            offsets += [
                (dt.timedelta(days=first_day + d), phase.label)
                for d in _spread(phase.sessions, phase.weeks * 7)
            ]
            first_day += phase.weeks * 7
    elif dose.sessions_per_week:
        weeks = dose.weeks or open_weeks
        for week in range(weeks):
            offsets += [
                (dt.timedelta(days=week * 7 + d), f"Week {week + 1}")
                for d in _spread(dose.sessions_per_week, 7)
            ]
    else:
        per_day = dose.sessions_per_day or 1
        days = dose.days or open_weeks * 7
        for day in range(days):
            offsets += [(dt.timedelta(days=day, hours=h), f"Day {day + 1}") for h in range(per_day)]
    if len(offsets) > MAX_SESSIONS:
        raise ValueError(f"a plan of more than {MAX_SESSIONS} sessions is not supported")
    # Adding days to an aware datetime keeps the wall-clock time across a daylight-saving change.
    return [Slot(i + 1, start + offset, label) for i, (offset, label) in enumerate(offsets)]
