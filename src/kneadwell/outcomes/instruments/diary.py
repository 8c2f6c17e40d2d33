"""24-hour infant behaviour diary: intervals per calendar day, daily totals, and the days read from answers.

Categories follow the Baby's Day Diary [S52]: infant states (sleep, awake alert, feeding, fussing, crying,
inconsolable crying), which never overlap one another, and caregiver holding, which may overlap any state.
The colic criteria evaluated from a series of days are in :mod:`.colic`; the registry's scorer, which
puts the two together, is :mod:`.diary_score`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError
from .loader import load_instruments
from .model import Instrument

INSTRUMENT_ID = "infant_day_diary"
DAY_MINUTES = 24 * 60


def _catalogue() -> Instrument:
    return load_instruments()[INSTRUMENT_ID]


def infant_categories() -> tuple[str, ...]:
    return tuple(str(c["id"]) for c in _catalogue().extra["categories"]["infant"])


def caregiver_categories() -> tuple[str, ...]:
    return tuple(str(c["id"]) for c in _catalogue().extra["categories"]["caregiver"])


@dataclass(frozen=True)
class DiaryEntry:
    """One interval of one category. Times are wall-clock; `end` is exclusive."""

    category: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60.0


@dataclass(frozen=True)
class DiaryDay:
    day: date
    entries: tuple[DiaryEntry, ...] = ()


@dataclass(frozen=True)
class DayTotals:
    day: date
    minutes: Mapping[str, float]  # per category
    cry_fuss_minutes: float  # fussing + crying + inconsolable crying
    crying_minutes: float  # crying + inconsolable crying
    holding_minutes: float
    recorded_minutes: float  # time covered by some infant state
    unrecorded_minutes: float
    complete: bool  # the infant states cover the whole day (within the tolerance)


# --- validation and totals --------------------------------------------------------------------------------


def _day_bounds(day: date, like: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=like.tzinfo)
    return start, start + timedelta(days=1)


def validate_day(day: DiaryDay, field_prefix: str = "") -> None:
    """Reject unknown categories, backwards or empty intervals, entries outside the day and overlaps."""
    allowed = set(infant_categories()) | set(caregiver_categories())
    infant = set(infant_categories())
    problems: list[tuple[str, str]] = []
    good: list[tuple[int, DiaryEntry]] = []
    for i, entry in enumerate(day.entries):
        name = f"{field_prefix}entries[{i}]"
        if entry.category not in allowed:
            problems.append(
                (name, f"unknown category {entry.category!r} (allowed: {', '.join(sorted(allowed))})")
            )
            continue
        try:
            day_start, day_end = _day_bounds(day.day, entry.start)
            if entry.end <= entry.start:
                problems.append((name, f"ends at {entry.end:%H:%M}, not after its start {entry.start:%H:%M}"))
                continue
            if entry.start < day_start or entry.end > day_end:
                problems.append((name, f"lies outside {day.day.isoformat()}; split entries at midnight"))
                continue
        except TypeError:
            problems.append((name, "mixes times with and without a time zone"))
            continue
        good.append((i, entry))
    for group in (infant, set(caregiver_categories())):
        timeline = sorted((e for e in good if e[1].category in group), key=lambda e: e[1].start)
        for (i_prev, prev), (i_next, nxt) in itertools.pairwise(timeline):
            if nxt.start < prev.end:
                what = "infant states cannot overlap" if group is infant else "holding entries overlap"
                problems.append(
                    (
                        f"{field_prefix}entries[{i_next}]",
                        f"{nxt.category} {nxt.start:%H:%M}-{nxt.end:%H:%M} overlaps "
                        f"entries[{i_prev}] {prev.category} {prev.start:%H:%M}-{prev.end:%H:%M} ({what})",
                    )
                )
    if problems:
        raise InstrumentValidationError.from_problems(problems)


def day_totals(day: DiaryDay, *, complete_tolerance_minutes: float = 0.0) -> DayTotals:
    """Minutes per category for one validated day. Infant states cannot overlap (checked), so their sum is
    the recorded time and can never exceed 24 hours."""
    validate_day(day)
    cat = _catalogue().extra
    minutes: dict[str, float] = {c: 0.0 for c in (*infant_categories(), *caregiver_categories())}
    for entry in day.entries:
        minutes[entry.category] += entry.minutes
    day_length = DAY_MINUTES
    if day.entries:
        start, end = _day_bounds(day.day, day.entries[0].start)
        day_length = round((end - start).total_seconds() / 60.0)
    recorded = sum(minutes[c] for c in infant_categories())
    unrecorded = max(0.0, day_length - recorded)
    return DayTotals(
        day=day.day,
        minutes=MappingProxyType(minutes),
        cry_fuss_minutes=sum(minutes[c] for c in cat["cry_fuss_categories"]),
        crying_minutes=sum(minutes[c] for c in cat["crying_categories"]),
        holding_minutes=sum(minutes[c] for c in caregiver_categories()),
        recorded_minutes=recorded,
        unrecorded_minutes=unrecorded,
        complete=unrecorded <= complete_tolerance_minutes,
    )


def split_at_midnight(entries: Iterable[DiaryEntry]) -> list[DiaryDay]:
    """Group entries into calendar days, cutting any entry that crosses midnight into two."""
    by_day: dict[date, list[DiaryEntry]] = {}
    for entry in entries:
        start = entry.start
        while start < entry.end:
            _, next_midnight = _day_bounds(start.date(), start)
            end = min(entry.end, next_midnight)
            by_day.setdefault(start.date(), []).append(DiaryEntry(entry.category, start, end))
            start = end
    return [DiaryDay(d, tuple(sorted(by_day[d], key=lambda e: e.start))) for d in sorted(by_day)]


def _series(
    days: Sequence[DiaryDay], complete_tolerance_minutes: float
) -> tuple[dict[date, DayTotals], list[tuple[str, str]]]:
    totals: dict[date, DayTotals] = {}
    problems: list[tuple[str, str]] = []
    for i, day in enumerate(days):
        if day.day in totals:
            problems.append((f"days[{i}]", f"{day.day.isoformat()} appears twice"))
            continue
        try:
            validate_day(day, field_prefix=f"days[{i}].")
        except InstrumentValidationError as exc:
            problems.extend(exc.errors)
            continue
        totals[day.day] = day_totals(day, complete_tolerance_minutes=complete_tolerance_minutes)
    return totals, problems


# --- answers to days --------------------------------------------------------------------------------------


def _as_datetime(field_name: str, value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise InstrumentValidationError(field_name, f"needs an ISO date-time; got {value!r}")


def _as_date(field_name: str, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InstrumentValidationError(field_name, f"needs an ISO date; got {value!r}")


def _entry(field_name: str, raw: object) -> DiaryEntry:
    if isinstance(raw, DiaryEntry):
        return raw
    if not isinstance(raw, Mapping):
        raise InstrumentValidationError(field_name, "needs category, start and end")
    missing = [k for k in ("category", "start", "end") if raw.get(k) is None]
    if missing:
        raise InstrumentValidationError(f"{field_name}.{missing[0]}", "missing")
    return DiaryEntry(
        str(raw["category"]),
        _as_datetime(f"{field_name}.start", raw["start"]),
        _as_datetime(f"{field_name}.end", raw["end"]),
    )


def parse_days(answers: Mapping[str, Any]) -> list[DiaryDay]:
    """Days from `days` (DiaryDay or {day, entries}) or from a flat `entries` list split at midnight."""
    if answers.get("days") is not None:
        out: list[DiaryDay] = []
        for i, raw in enumerate(answers["days"]):
            if isinstance(raw, DiaryDay):
                out.append(raw)
                continue
            if not isinstance(raw, Mapping):
                raise InstrumentValidationError(f"days[{i}]", "needs day and entries")
            entries = tuple(
                _entry(f"days[{i}].entries[{j}]", e) for j, e in enumerate(raw.get("entries") or ())
            )
            out.append(DiaryDay(_as_date(f"days[{i}].day", raw.get("day")), entries))
        return out
    if answers.get("entries") is not None:
        return split_at_midnight(_entry(f"entries[{i}]", e) for i, e in enumerate(answers["entries"]))
    raise InstrumentValidationError("days", "no diary days given")
