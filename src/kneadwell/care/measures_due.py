"""Which measurements a plan's protocol collects, and whether each is due, done or missed. Pure; no Django.

The protocol says when each of its measures is taken (library content, `measurement_timing`): at baseline,
with each session, daily, weekly, or at the end. This module turns that into one row per instrument (or
group of interchangeable instruments) with a status for every occasion, from the plan's dates and the
days the client was measured.

Windows (our design choice, documented in docs/care.md):
- baseline: up to 14 days before the plan starts, up to and including its first day; a measurement marked
  "baseline" counts whenever it was taken.
- end: from 7 days before the last scheduled day (at most the programme's last quarter) to 14 days after
  it; one marked "end" always counts.
- daily: each calendar day from the start to the last scheduled day.
- weekly: each 7-day block counted from the start day.
- each session: every day a session was done (or one is scheduled today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from kneadwell.core.marking import gettext as _
from kneadwell.library.schema import OCCASION_LABELS, OCCASIONS, Occasion
from kneadwell.outcomes.instruments.model import Instrument

# The Measurement.Context a new entry for each occasion is marked with.
CONTEXT_FOR: Final[dict[str, str]] = {
    "baseline": "baseline",
    "each_session": "session",
    "daily": "routine",
    "weekly": "weekly",
    "end": "end",
}

BASELINE_DAYS_BEFORE: Final = 14
END_DAYS_BEFORE: Final = 7
END_DAYS_AFTER: Final = 14

State = Literal["done", "due", "overdue", "upcoming", "late", "missed", "finished"]
# Most urgent first: the row's headline is its most urgent occasion.
URGENCY: Final[tuple[State, ...]] = ("overdue", "due", "late", "missed", "upcoming", "finished", "done")
# Badge colour on the page: amber asks for action; red stays reserved for safety.
TONES: Final[dict[str, str]] = {"done": "ok", "due": "caution", "overdue": "caution"}


@dataclass(frozen=True)
class Taken:
    on: dt.date
    context: str  # Measurement.Context value


@dataclass(frozen=True)
class PlanDays:
    start: dt.date
    last: dt.date | None  # the last scheduled (or, for an ended plan, the end) day; None: nothing scheduled
    ended: bool
    session_days: frozenset[dt.date]  # days a session was done or stopped
    next_session: dt.date | None  # the next scheduled day still to come (today included)


@dataclass(frozen=True)
class Status:
    occasion: Occasion
    state: State
    text: str
    due_on: dt.date | None = None
    covered: tuple[int, int] | None = None  # (days or weeks with a measurement, days or weeks so far)

    @property
    def label(self) -> str:
        return OCCASION_LABELS[self.occasion]

    @property
    def tone(self) -> str:
        return TONES.get(self.state, "muted")

    @property
    def context(self) -> str:
        """The Measurement.Context a new entry for this occasion should carry."""
        return CONTEXT_FOR[self.occasion]


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _counts_for(occasion: Occasion, t: Taken) -> bool:
    """Every measurement counts by its date, except that one marked "end" is never a baseline and one marked
    "baseline" never an end measure (in a one-day programme both fall on the same day)."""
    if occasion == "baseline":
        return t.context != "end"
    if occasion == "end":
        return t.context != "baseline"
    return True


def status(occasion: Occasion, *, plan: PlanDays, today: dt.date, taken: Sequence[Taken]) -> Status:
    """The state of one occasion today."""
    usable = [t for t in taken if _counts_for(occasion, t)]
    days = {t.on for t in usable}
    if occasion == "baseline":
        return _baseline(plan, today, usable)
    if occasion == "end":
        return _end(plan, today, usable)
    if occasion == "daily":
        return _daily(plan, today, days)
    if occasion == "weekly":
        return _weekly(plan, today, days)
    return _each_session(plan, today, days)


def _baseline(plan: PlanDays, today: dt.date, taken: Sequence[Taken]) -> Status:
    earliest = plan.start - dt.timedelta(days=BASELINE_DAYS_BEFORE)
    inside = [t.on for t in taken if t.context == "baseline" or earliest <= t.on <= plan.start]
    if inside:
        return Status("baseline", "done", _("Taken %(date)s.") % {"date": _d(max(inside))})
    after = sorted(t.on for t in taken if t.on > plan.start)
    if after:
        return Status(
            "baseline",
            "late",
            _("First taken %(date)s, after the programme began: not a true baseline.")
            % {"date": _d(after[0])},
        )
    if today <= plan.start:
        return Status(
            "baseline",
            "due",
            _("Due before the first session (%(start)s).") % {"start": _d(plan.start)},
            plan.start,
        )
    if plan.ended or (plan.last is not None and today > plan.last):
        return Status("baseline", "missed", _("No baseline was taken."), plan.start)
    return Status(
        "baseline", "overdue", _("Not taken. Take it now, and read later changes with care."), plan.start
    )


def _end(plan: PlanDays, today: dt.date, taken: Sequence[Taken]) -> Status:
    if plan.last is None:
        return Status("end", "upcoming", _("When the plan ends."))
    # In a short programme a week before the end is near its start: the window is at most its last quarter.
    opens = plan.last - dt.timedelta(days=min(END_DAYS_BEFORE, (plan.last - plan.start).days // 4))
    closes = plan.last + dt.timedelta(days=END_DAYS_AFTER)
    inside = [t.on for t in taken if t.context == "end" or opens <= t.on <= closes]
    if inside:
        return Status("end", "done", _("Taken %(date)s.") % {"date": _d(max(inside))})
    if today < opens and not plan.ended:
        return Status("end", "upcoming", _("Due around %(last)s.") % {"last": _d(plan.last)}, plan.last)
    if today <= closes:
        return Status(
            "end", "due", _("Due now (the last session is %(last)s).") % {"last": _d(plan.last)}, plan.last
        )
    return Status(
        "end",
        "missed",
        _("Not taken within %(end_days_after)s days of the end.") % {"end_days_after": END_DAYS_AFTER},
        plan.last,
    )


def _span(plan: PlanDays, today: dt.date) -> tuple[dt.date, bool]:
    """The last day counted so far, and whether the programme is over."""
    if plan.last is not None and (plan.ended or today > plan.last):
        return plan.last, True
    return today, plan.ended


def _daily(plan: PlanDays, today: dt.date, days: set[dt.date]) -> Status:
    if today < plan.start:
        return Status(
            "daily", "upcoming", _("Every day from %(start)s.") % {"start": _d(plan.start)}, plan.start
        )
    until, over = _span(plan, today)
    total = (until - plan.start).days + 1
    covered = sum(1 for d in days if plan.start <= d <= until)
    if over:
        return Status(
            "daily",
            "finished",
            _("Taken on %(covered)s of %(total)s days.") % {"covered": covered, "total": total},
            covered=(covered, total),
        )
    if today in days:
        return Status(
            "daily",
            "done",
            _("Taken today (%(covered)s of %(total)s days).") % {"covered": covered, "total": total},
            covered=(covered, total),
        )
    return Status(
        "daily",
        "due",
        _("Due today (%(covered)s of %(total)s days so far).") % {"covered": covered, "total": total},
        today,
        (covered, total),
    )


def _weekly(plan: PlanDays, today: dt.date, days: set[dt.date]) -> Status:
    if today < plan.start:
        return Status(
            "weekly", "upcoming", _("Once a week from %(start)s.") % {"start": _d(plan.start)}, plan.start
        )
    until, over = _span(plan, today)
    weeks = (until - plan.start).days // 7 + 1
    covered = sum(
        1
        for k in range(weeks)
        if any(
            plan.start + dt.timedelta(days=7 * k) <= d <= plan.start + dt.timedelta(days=7 * k + 6)
            for d in days
        )
    )
    if over:
        return Status(
            "weekly",
            "finished",
            _("Taken in %(covered)s of %(weeks)s weeks.") % {"covered": covered, "weeks": weeks},
            covered=(covered, weeks),
        )
    week_start = plan.start + dt.timedelta(days=7 * (weeks - 1))
    week_end = week_start + dt.timedelta(days=6)
    if plan.last is not None:
        week_end = min(week_end, plan.last)
    if any(week_start <= d <= today for d in days):
        return Status(
            "weekly",
            "done",
            _("Taken this week (%(covered)s of %(weeks)s weeks).") % {"covered": covered, "weeks": weeks},
            covered=(covered, weeks),
        )
    return Status(
        "weekly",
        "due",
        _("Due by %(week_end)s (%(covered)s of %(weeks)s weeks so far).")
        % {"week_end": _d(week_end), "covered": covered, "weeks": weeks},
        week_end,
        (covered, weeks),
    )


def _each_session(plan: PlanDays, today: dt.date, days: set[dt.date]) -> Status:
    done_days = sorted(d for d in plan.session_days if d <= today)
    covered = sum(1 for d in done_days if d in days)
    counts = (covered, len(done_days))
    so_far = (
        _("%(covered)s of %(count)s session days") % {"covered": covered, "count": len(done_days)}
        if done_days
        else _("no sessions yet")
    )
    session_today = today in plan.session_days or plan.next_session == today
    if session_today and not plan.ended:
        if today in days:
            return Status(
                "each_session", "done", _("Taken today (%(so_far)s).") % {"so_far": so_far}, covered=counts
            )
        return Status(
            "each_session",
            "due",
            _("Due with today's session (%(so_far)s).") % {"so_far": so_far},
            today,
            counts,
        )
    if plan.next_session is not None and not plan.ended:
        return Status(
            "each_session",
            "upcoming",
            _("Next with the session on %(next_session)s (%(so_far)s).")
            % {"next_session": _d(plan.next_session), "so_far": so_far},
            plan.next_session,
            counts,
        )
    return Status("each_session", "finished", _("Taken on %(so_far)s.") % {"so_far": so_far}, covered=counts)


def headline(statuses: Iterable[Status]) -> Status | None:
    """The most urgent occasion of a row (ties: the earliest in the programme)."""
    ranked = sorted(statuses, key=lambda s: (URGENCY.index(s.state), OCCASIONS.index(s.occasion)))
    return ranked[0] if ranked else None


def ordered(occasions: Iterable[str]) -> list[Occasion]:
    wanted = set(occasions)
    return [o for o in OCCASIONS if o in wanted]


# --- rows for the plan page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Why:
    """One timing rule behind a row: which measure, when, on what grounds."""

    measure: str  # the measure's label
    when: tuple[str, ...]  # occasion labels
    note: str
    sources: tuple[str, ...]
    design_choice: bool


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    how: Literal["record", "in_session", "elsewhere", "not_for_age", "define"]
    record_with: tuple[tuple[str, str], ...]  # (instrument id, name) a new entry may use, fitting the age
    feeds: tuple[str, ...]  # labels of the protocol's measures this row serves
    statuses: tuple[Status, ...]
    why: tuple[Why, ...]
    note: str = ""

    @property
    def headline(self) -> Status | None:
        return headline(self.statuses)

    @property
    def record_context(self) -> str:
        """What a measurement entered now is marked as: the occasion that is due now, or "routine" (a weight
        taken after the baseline was done is not an end measure because the end comes next)."""
        top = self.headline
        return top.context if top is not None and top.state in ("due", "overdue") else "routine"


def rows(
    *,
    timings: Sequence[tuple[str, Sequence[str], str, Sequence[str], bool]],
    measures: Mapping[str, tuple[str, tuple[str, ...], bool, bool]],
    instruments: Mapping[str, Instrument],
    taken: Mapping[str, Sequence[Taken]],
    plan: PlanDays,
    today: dt.date,
    age_days: int,
    organisation_defined: Collection[str] = (),
) -> list[Row]:
    """One row per instrument (or group of interchangeable instruments), then the measures recorded in the
    session and those Kneadwell does not record, each with its occasions' states.

    `timings`: (measure id, occasions, note, sources, design choice) per measure, in protocol order.
    `measures`: id -> (label, instrument ids, any one of them will do, recorded in the session).
    `organisation_defined`: measures recorded through a measure the organisation defines for itself (a
    licensed questionnaire); without one yet, their row says how to define it ("define")."""
    groups: dict[tuple[str, ...], _Group] = {}
    other: list[Row] = []
    for measure_id, when, note, sources, design in timings:
        label, inst_ids, any_one, in_session = measures[measure_id]
        why = Why(label, tuple(OCCASION_LABELS[o] for o in ordered(when)), note, tuple(sources), design)
        if in_session:
            other.append(
                Row(
                    measure_id,
                    label,
                    "in_session",
                    (),
                    (label,),
                    (),
                    (why,),
                    _("Recorded in the session player (state taps), nothing to enter here."),
                )
            )
            continue
        if not inst_ids and measure_id in organisation_defined:
            other.append(
                Row(
                    measure_id,
                    label,
                    "define",
                    (),
                    (label,),
                    (),
                    (why,),
                    _(
                        "Define it under your organisation's own measures (licence needed); once published, "
                        "it is recorded here."
                    ),
                )
            )
            continue
        if not inst_ids:
            other.append(
                Row(
                    measure_id,
                    label,
                    "elsewhere",
                    (),
                    (label,),
                    (),
                    (why,),
                    _("Not recorded in Kneadwell yet: keep it in your own records or a session note."),
                )
            )
            continue
        for key in [inst_ids] if any_one else [(i,) for i in inst_ids]:
            group = groups.setdefault(key, _Group())
            group.when.update(when)
            group.feeds.setdefault(label, None)
            # Measures timed by one content entry share its reason: list them together, once.
            same = (why.when, why.note, why.sources)
            earlier = group.why.get(same)
            group.why[same] = replace(why, measure=f"{earlier.measure}; {label}") if earlier else why
    out: list[Row] = []
    for key, group in groups.items():
        infos = [instruments[i] for i in key]
        fitting = tuple((i.id, i.name) for i in infos if i.age_range.includes(age_days))
        title = _(" or ").join(i.name for i in infos)
        feeds, why_t = tuple(group.feeds), tuple(group.why.values())
        if not fitting:
            out.append(
                Row(
                    "+".join(key),
                    title,
                    "not_for_age",
                    (),
                    feeds,
                    (),
                    why_t,
                    _("Not meant for this client's age: %(populations)s")
                    % {"populations": "; ".join(i.population for i in infos)},
                )
            )
            continue
        seen = [t for i in key for t in taken.get(i, ())]
        statuses = tuple(status(o, plan=plan, today=today, taken=seen) for o in ordered(group.when))
        out.append(Row("+".join(key), title, "record", fitting, feeds, statuses, why_t))
    return out + other


@dataclass
class _Group:
    when: set[str] = field(default_factory=set)
    feeds: dict[str, None] = field(default_factory=dict)  # labels, in first-seen order
    why: dict[tuple[object, ...], Why] = field(default_factory=dict)
