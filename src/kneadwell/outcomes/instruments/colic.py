"""Infant colic criteria from a series of diary days (:mod:`.diary`).

The Wessel rule of threes [S49] and the Rome IV infant colic research criteria [S50] are evaluated from a
series of days, the infant's birth date and the clinical exclusions. A diary cannot show everything these
criteria need, so a diary-only result is "met as far as the diary can show", never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .diary import DayTotals, DiaryDay, _catalogue, _series
from .errors import InstrumentValidationError

PENDING_MESSAGE = (
    "criteria met as far as the diary can show; clinician to confirm no faltering growth, fever or illness"
)


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
