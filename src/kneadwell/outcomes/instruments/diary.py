"""24-hour infant behaviour diary: intervals per calendar day, daily totals, and the colic criteria.

Categories follow the Baby's Day Diary [S52]: infant states (sleep, awake alert, feeding, fussing, crying,
inconsolable crying), which never overlap one another, and caregiver holding, which may overlap any state.
The Wessel rule of threes [S49] and the Rome IV infant colic research criteria [S50] are evaluated from a
series of days, the infant's birth date and the clinical exclusions. A diary cannot show everything these
criteria need, so a diary-only result is "met as far as the diary can show", never a diagnosis.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .errors import InstrumentValidationError
from .loader import load_instruments
from .model import Instrument, Score

INSTRUMENT_ID = "infant_day_diary"
DAY_MINUTES = 24 * 60
PENDING_MESSAGE = (
    "criteria met as far as the diary can show; clinician to confirm no faltering growth, fever or illness"
)


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


class CriterionStatus(StrEnum):
    MET = "met"  # diary criteria met and the clinician confirmed the exclusions
    MET_PENDING_CLINICIAN = "met_pending_clinician"  # met as far as the diary can show
    NOT_MET = "not_met"
    INSUFFICIENT_DATA = "insufficient_data"  # diary too short or days incomplete to decide


@dataclass(frozen=True)
class ClinicalExclusions:
    """What a diary cannot show; None means not yet confirmed by a clinician."""

    faltering_growth: bool | None = None
    fever: bool | None = None
    illness: bool | None = None

    def present(self) -> list[str]:
        names = {"faltering_growth": "faltering growth", "fever": "fever", "illness": "illness"}
        return [label for attr, label in names.items() if getattr(self, attr) is True]

    @property
    def all_ruled_out(self) -> bool:
        return self.faltering_growth is False and self.fever is False and self.illness is False


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    label: str
    status: CriterionStatus
    message: str
    reasons: tuple[str, ...] = ()
    qualifying_days: tuple[date, ...] = ()
    source_ids: tuple[str, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


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


# --- colic criteria ---------------------------------------------------------------------------------------


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


def _qualifies(t: DayTotals | None, threshold: float) -> bool | None:
    """True: at least the threshold of cry+fuss. False: a complete day below it. None: cannot tell."""
    if t is None:
        return None
    if t.cry_fuss_minutes >= threshold:
        return True
    return False if t.complete else None


def _months_to_days(months: float) -> float:
    return months * float(_catalogue().extra["criteria"]["month_days"])


def _apply_exclusions(
    criterion: str,
    label: str,
    sources: tuple[str, ...],
    exclusions: ClinicalExclusions,
    qualifying: tuple[date, ...],
    detail: Mapping[str, Any],
) -> CriterionResult:
    present = exclusions.present()
    if present:
        return CriterionResult(
            criterion,
            label,
            CriterionStatus.NOT_MET,
            f"not met: the clinician recorded {', '.join(present)}; "
            "colic requires an otherwise healthy infant",
            (f"clinical exclusion present: {', '.join(present)}",),
            qualifying,
            sources,
            MappingProxyType(dict(detail)),
        )
    if exclusions.all_ruled_out:
        return CriterionResult(
            criterion,
            label,
            CriterionStatus.MET,
            "criteria met: the diary shows the crying pattern and the clinician has ruled out "
            "faltering growth, fever and illness",
            (),
            qualifying,
            sources,
            MappingProxyType(dict(detail)),
        )
    return CriterionResult(
        criterion,
        label,
        CriterionStatus.MET_PENDING_CLINICIAN,
        PENDING_MESSAGE,
        ("faltering growth, fever and illness not yet ruled out by a clinician",),
        qualifying,
        sources,
        MappingProxyType(dict(detail)),
    )


def _week_counts(start: date, weeks: int, status: Mapping[date, bool | None]) -> list[tuple[int, int]]:
    """(days meeting the threshold, days that cannot be told) for each 7-day block from `start`."""
    counts = []
    for w in range(weeks):
        block = [status.get(start + timedelta(days=7 * w + i)) for i in range(7)]
        counts.append((sum(1 for s in block if s is True), sum(1 for s in block if s is None)))
    return counts


def _window_starts(dates: Iterable[date], length_days: int) -> list[date]:
    """Starts of the windows judged "could still be met": those that fit inside the diary's span, or the
    first day's window when the diary is shorter than one window. A window that reaches past the last diary
    day would always look undecided, which would make any finite diary inconclusive."""
    ordered = sorted(dates)
    last = ordered[-1]
    inside = [s for s in ordered if s + timedelta(days=length_days - 1) <= last]
    return inside or ordered[:1]


def evaluate_wessel(
    days: Sequence[DiaryDay],
    birth_date: date,
    exclusions: ClinicalExclusions | None = None,
    *,
    complete_tolerance_minutes: float = 0.0,
) -> CriterionResult:
    """Wessel rule of threes [S49]: crying or fussing >= 3 h/day on >= 3 days a week for >= 3 weeks, in an
    otherwise healthy infant aged 2 weeks to 4 months. Weeks are consecutive 7-day blocks starting on any
    diary day; days missing from the diary, or incomplete and under 3 h, count as unknown."""
    exclusions = exclusions or ClinicalExclusions()
    rule = _catalogue().extra["criteria"]["wessel"]
    label, sources = str(rule["label"]), tuple(rule["sources"])
    totals, problems = _series(days, complete_tolerance_minutes)
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    threshold = float(rule["min_minutes_per_day"])
    per_week, n_weeks = int(rule["min_days_per_week"]), int(rule["min_weeks"])
    age_min, age_max = int(rule["age_min_days"]), _months_to_days(float(rule["age_max_months"]))

    def in_age(d: date) -> bool:
        return age_min <= (d - birth_date).days <= age_max

    raw_status = {d: _qualifies(t, threshold) for d, t in totals.items()}
    status = {d: (s if in_age(d) else False) for d, s in raw_status.items()}

    judged = set(_window_starts(totals, 7 * n_weeks)) if totals else set()

    def search(st: Mapping[date, bool | None]) -> tuple[date | None, date | None, int]:
        met = possible = None
        best = 0  # most qualifying days in the weakest week of any window
        for start in sorted(totals):
            counts = _week_counts(start, n_weeks, st)
            best = max(best, min(c[0] for c in counts))
            if met is None and all(c[0] >= per_week for c in counts):
                met = start
            if possible is None and start in judged and all(c[0] + c[1] >= per_week for c in counts):
                possible = start
        return met, possible, best

    met, possible, best = search(status)
    qualifying = tuple(sorted(d for d, s in status.items() if s is True))
    detail = {"qualifying_days": len(qualifying), "best_weakest_week": best, "window_start": met}
    if met is not None:
        return _apply_exclusions("wessel", label, sources, exclusions, qualifying, detail)
    reasons: list[str] = []
    age_met, _, _ = search(raw_status)
    if age_met is not None:
        reasons.append("the crying pattern falls outside the age window of 2 weeks to 4 months")
    if possible is not None:
        return CriterionResult(
            "wessel",
            label,
            CriterionStatus.INSUFFICIENT_DATA,
            f"cannot tell yet: the diary needs {n_weeks} full weeks with every day recorded",
            (*reasons, "days missing or incompletely recorded"),
            qualifying,
            sources,
            MappingProxyType(detail),
        )
    if not reasons:
        reasons.append(
            f"no run of {n_weeks} weeks with at least {per_week} days of {threshold / 60:g} h or more "
            f"(best run: {best} such day(s) in its weakest week)"
        )
    return CriterionResult(
        "wessel",
        label,
        CriterionStatus.NOT_MET,
        "not met: " + "; ".join(reasons),
        tuple(reasons),
        qualifying,
        sources,
        MappingProxyType(detail),
    )


def evaluate_rome_iv(
    days: Sequence[DiaryDay],
    birth_date: date,
    exclusions: ClinicalExclusions | None = None,
    *,
    complete_tolerance_minutes: float = 0.0,
) -> CriterionResult:
    """Rome IV infant colic, research criteria as far as a diary can show [S50]: under 5 months while
    symptoms start and stop; crying plus fussing >= 3 h on >= 3 of 7 days (the diary stands in for the
    screening interview) and >= 3 h confirmed in at least one 24-hour diary day."""
    exclusions = exclusions or ClinicalExclusions()
    rule = _catalogue().extra["criteria"]["rome_iv"]
    label, sources = str(rule["label"]), tuple(rule["sources"])
    totals, problems = _series(days, complete_tolerance_minutes)
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    threshold = float(rule["min_minutes_per_day"])
    need_days = int(rule["min_days_in_7"])
    age_limit = _months_to_days(float(rule["age_below_months"]))

    status = {d: _qualifies(t, threshold) for d, t in totals.items()}
    too_old = sorted(d for d, s in status.items() if s is True and (d - birth_date).days >= age_limit)
    if too_old:
        reason = (
            f"crying or fussing of 3 h or more on {too_old[0].isoformat()}, at or after 5 months of age "
            "(Rome IV: symptoms start and stop before 5 months)"
        )
        return CriterionResult(
            "rome_iv",
            label,
            CriterionStatus.NOT_MET,
            "not met: " + reason,
            (reason,),
            tuple(too_old),
            sources,
            MappingProxyType({"days_at_or_after_5_months": len(too_old)}),
        )
    young = {d: s for d, s in status.items() if (d - birth_date).days < age_limit}
    if not young:
        reason = "every diary day is at or after 5 months of age"
        return CriterionResult(
            "rome_iv", label, CriterionStatus.NOT_MET, "not met: " + reason, (reason,), (), sources
        )
    qualifying = tuple(sorted(d for d, s in young.items() if s is True))
    met = possible = False
    best = 0
    judged = set(_window_starts(young, 7))
    for start in sorted(young):
        window = [young.get(start + timedelta(days=i)) for i in range(7)]
        yes, unknown = sum(1 for s in window if s is True), sum(1 for s in window if s is None)
        best = max(best, yes)
        met = met or yes >= need_days
        possible = possible or (start in judged and yes + unknown >= need_days)
    confirmed_days = len(qualifying)
    detail = {"qualifying_days": confirmed_days, "best_7_day_count": best}
    if met and confirmed_days >= int(rule["min_diary_days_at_threshold"]):
        return _apply_exclusions("rome_iv", label, sources, exclusions, qualifying, detail)
    if possible:
        return CriterionResult(
            "rome_iv",
            label,
            CriterionStatus.INSUFFICIENT_DATA,
            "cannot tell yet: some of the 7 days are missing or incompletely recorded",
            ("days missing or incompletely recorded",),
            qualifying,
            sources,
            MappingProxyType(detail),
        )
    reason = f"at most {best} day(s) of 3 h or more in any 7 days; Rome IV needs {need_days}"
    return CriterionResult(
        "rome_iv",
        label,
        CriterionStatus.NOT_MET,
        "not met: " + reason,
        (reason,),
        qualifying,
        sources,
        MappingProxyType(detail),
    )


# --- registry entry point ---------------------------------------------------------------------------------


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


def _exclusions(raw: object) -> ClinicalExclusions:
    if raw is None:
        return ClinicalExclusions()
    if isinstance(raw, ClinicalExclusions):
        return raw
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"faltering_growth", "fever", "illness"}
        if unknown:
            raise InstrumentValidationError(f"exclusions.{sorted(unknown)[0]}", "unknown clinical exclusion")
        for key, value in raw.items():
            if value is not None and not isinstance(value, bool):
                raise InstrumentValidationError(
                    f"exclusions.{key}", "needs true, false or null (not yet known)"
                )
        return ClinicalExclusions(**raw)
    raise InstrumentValidationError(
        "exclusions", "needs faltering_growth, fever and illness (true/false/null)"
    )


def score_diary(instrument: Instrument, answers: Mapping[str, Any]) -> Score:
    """Answers: days (or entries), birth_date, exclusions, complete_tolerance_minutes (default 0).
    Total: mean daily crying plus fussing over complete days, in minutes (None when no day is complete)."""
    allowed = {"days", "entries", "birth_date", "exclusions", "complete_tolerance_minutes"}
    unknown = [k for k in answers if k not in allowed]
    if unknown:
        raise InstrumentValidationError(unknown[0], "unknown field for the infant diary")
    days = parse_days(answers)
    tolerance = float(answers.get("complete_tolerance_minutes") or 0.0)
    totals, problems = _series(days, tolerance)
    if problems:
        raise InstrumentValidationError.from_problems(problems)
    complete = [t for t in totals.values() if t.complete]
    mean = sum(t.cry_fuss_minutes for t in complete) / len(complete) if complete else None
    warnings = [
        f"{d.isoformat()}: {t.unrecorded_minutes:g} min not recorded"
        for d, t in totals.items()
        if not t.complete
    ]
    details: dict[str, Any] = {"days": [totals[d] for d in sorted(totals)]}
    if answers.get("birth_date") is not None:
        birth = _as_date("birth_date", answers["birth_date"])
        exclusions = _exclusions(answers.get("exclusions"))
        details["wessel"] = evaluate_wessel(days, birth, exclusions, complete_tolerance_minutes=tolerance)
        details["rome_iv"] = evaluate_rome_iv(days, birth, exclusions, complete_tolerance_minutes=tolerance)
    else:
        warnings.append("no birth date: colic criteria not evaluated")
    return Score(
        instrument_id=instrument.id,
        total=mean,
        score_min=0.0,
        score_max=float(DAY_MINUTES),
        direction=instrument.direction,
        warnings=tuple(warnings),
        details=MappingProxyType(details),
    )
