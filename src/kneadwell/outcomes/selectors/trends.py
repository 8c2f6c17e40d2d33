"""Trends of the instruments other than growth: the series, table, notes and reference lines of one
instrument over time, and the sources named under every score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.clients.models import Client
from kneadwell.outcomes import instruments
from kneadwell.outcomes.charts import Series, trend_chart_svg
from kneadwell.outcomes.instruments import Chart, Direction, Instrument, InstrumentValidationError
from kneadwell.outcomes.instruments.context import DETAILS_KEY as CONTEXT_KEY
from kneadwell.outcomes.instruments.context import context_inputs
from kneadwell.outcomes.instruments.gas import UNNAMED, GasSummary, GoalEntry, goal_key, goal_label, summarise
from kneadwell.outcomes.instruments.grades import grade_name, instrument_grades
from kneadwell.outcomes.instruments.measured_scores import PERSONAL_BEST, percent_of, zone_for, zones
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.selectors.display import display_value
from kneadwell.outcomes.selectors.measurements import instrument_or_404, measurement_queryset


@dataclass(frozen=True)
class TrendRow:
    measurement: Measurement
    date: dt.date
    cells: dict[str, str]  # series label -> shown value


@dataclass(frozen=True)
class Trend:
    instrument: Instrument
    direction_text: str
    y_label: str
    series: tuple[Series, ...]
    columns: tuple[str, ...]
    rows: tuple[TrendRow, ...]
    notes: tuple[str, ...] = ()
    criteria: tuple[Any, ...] = ()  # diary: Wessel and Rome IV results (CriterionResult)
    y_ticks: tuple[tuple[float, str], ...] = ()
    reference_lines: tuple[tuple[float, str], ...] = ()
    y_range: tuple[float, float] | None = None
    integer: bool = False
    legend: tuple[tuple[str, str], ...] = ()  # e.g. MAS grades and their meanings
    gas: GasSummary | None = None  # goal attainment: the T-score across goals, first and latest ratings

    def chart_svg(self) -> str:
        if not any(s.points for s in self.series):
            return ""
        return trend_chart_svg(
            title=f"{self.instrument.name}",
            series=self.series,
            y_label=self.y_label,
            direction=self.instrument.direction.value,
            y_ticks=self.y_ticks or None,
            y_range=self.y_range,
            integer=self.integer,
            reference_lines=self.reference_lines,
        )


@dataclass(frozen=True)
class TrendWords:
    """The words a trend is shown in, when not the catalogue's English: the instrument's translated copy,
    and how a measurement's value and stored band read (outcomes/instrument_display.py). Only words:
    which entries, their values and the bands' bounds come from the English catalogue."""

    instrument: Instrument
    value: Callable[[Measurement], str]
    band: Callable[[Measurement], str]


DIRECTION_TEXT = {
    Direction.HIGHER_WORSE: gettext_noop("Higher is worse."),
    Direction.HIGHER_BETTER: gettext_noop("Higher is better."),
    Direction.NEITHER: gettext_noop("Neither higher nor lower is better in itself."),
}
TREND_LIMIT = 500  # the most recent administrations charted and tabled


def instrument_trend(*, client: Client, instrument_id: str, words: TrendWords | None = None) -> Trend:
    """Series and table of one instrument over time (entries in error left out): totals; MAS grades per
    muscle group and side on the 0-5 code with the grade names; ROM as % of normal per movement and side;
    Fugl-Meyer domains and total; diary daily crying-and-fussing minutes with Wessel and Rome IV.
    `words`: the page's language for the instrument's own words (English by default)."""
    inst = instrument_or_404(instrument_id)
    shown_inst = words.instrument if words is not None else inst
    show: Callable[[Measurement], str] = words.value if words is not None else display_value
    # Up to TREND_LIMIT rows: who recorded each, the warnings shown when it was entered and the row's own
    # timestamps are not part of a trend, so they stay unread (a user row, two JSON lists and two
    # date-times per point).
    recent = list(
        measurement_queryset(client=client, instrument_id=instrument_id)
        .defer("warnings", "confirmed_warnings", "created_at", "updated_at")
        .order_by("-taken_at", "-id")[:TREND_LIMIT]
    )
    measurements = list(reversed(recent))
    dates = [timezone.localtime(m.taken_at).date() for m in measurements]
    named: dict[str, list[tuple[dt.date, float]]] = {}
    cells: list[dict[str, str]] = [{} for _ in measurements]
    notes: list[str] = []
    ticks: tuple[tuple[float, str], ...] = ()
    lines: tuple[tuple[float, str], ...] = ()
    criteria: tuple[Any, ...] = ()
    y_label = _("Score")
    y_range: tuple[float, float] | None = None
    integer = False
    legend: tuple[tuple[str, str], ...] = ()
    tabled_only: list[str] = []  # columns with text but no line (a category scale without a total)
    gas: GasSummary | None = None

    def add(label: str, k: int, y: float, shown: str) -> None:
        named.setdefault(label, []).append((dates[k], y))
        cells[k][label] = shown

    if inst.chart is Chart.GRADES:
        # The instrument's own grades (Modified Ashworth, MRC), each plotted at its stored code.
        grades = instrument_grades(inst)
        codes = {g.grade: g.ordinal for g in grades}
        ticks = tuple((float(g.ordinal), g.grade) for g in grades)
        y_label = grade_name(inst)
        for k, m in enumerate(measurements):
            stored = m.details.get("ordinal", {})
            for key, grade in m.details.get("grades", {}).items():
                label = str(m.subscores.get(key, {}).get("label", key))
                code = stored.get(key, codes.get(str(grade)))
                if code is not None:
                    add(label, k, float(code), str(grade))
        legend = tuple((g.grade, g.label) for g in grades)
        notes.append(
            str(
                inst.extra.get("grade_note")
                or _(
                    "Grades are plotted in the order of their code; they are never averaged. Their meanings "
                    "are listed above."
                )
            )
        )
    elif inst.chart is Chart.PERCENT_OF_NORMAL:
        y_label = _("% of normal range")
        used_norms: dict[str, set[str]] = {}
        for k, m in enumerate(measurements):
            percent = m.details.get("percent_of_normal", {})
            norms = m.details.get("norm", {})
            for key, sub in m.subscores.items():
                label = str(sub.get("label", key))
                p = float(percent.get(key, 0.0))
                norm = norms.get(key, {})
                add(
                    label,
                    k,
                    p,
                    _("%(score)g° = %(p).0f%% of %(normal)g°")
                    % {"score": sub.get("score"), "p": p, "normal": norm.get("end_degrees", 0)},
                )
                used_norms.setdefault(str(norm.get("set", "")), set()).update(norm.get("sources", []))
        lines = ((100.0, _("100% of normal")),)
        sets = inst.extra.get("norm_sets", {})
        for norm_set, source_ids in sorted(used_norms.items()):
            label = sets.get(norm_set, {}).get("label", norm_set)
            notes.append(
                _("Normal values from the %(label)s (%(source_ids)s).")
                % {"label": label, "source_ids": _source_text(sorted(source_ids))}
            )
        notes.append(
            _(
                "Sources disagree on normal ranges, so each movement is compared with the largest normal "
                "value we hold: % of normal then never flatters. Range also differs with age [S61]."
            )
        )
    elif inst.chart is Chart.DOMAINS:
        y_label = _("Points")
        integer = True
        domains = list(inst.domains)
        motor_max = sum(inst.section(str(d)).max_score or 0 for d in inst.extra.get("motor_domains", ()))
        for k, m in enumerate(measurements):
            for d in domains:
                sub = m.subscores.get(d, {})
                if sub.get("score") is not None:
                    add(
                        _("%(label)s (of %(max)g)") % {"label": sub.get("label", d), "max": sub.get("max")},
                        k,
                        float(sub["score"]),
                        f"{sub['score']:g}",
                    )
            motor = m.details.get("motor_total")
            if motor is not None:
                add(
                    _("Motor total (of %(motor_max)g)") % {"motor_max": motor_max},
                    k,
                    float(motor),
                    f"{motor:g}",
                )
            if m.total is not None:
                total_label = str(inst.extra.get("total_label") or _("Total"))
                add(
                    _("%(total_label)s (of %(max)g)")
                    % {"total_label": total_label, "max": inst.score_max or 0},
                    k,
                    float(m.total),
                    f"{m.total:g}",
                )
        if inst.mcid:
            notes.append(
                _(
                    "A change of %(low)g-%(high)g points is the minimal clinically important difference "
                    "(%(applies_to)s) [%(source_ids)s]. Domains with any item missing have no score (never "
                    "a partial sum)."
                )
                % {
                    "low": inst.mcid.low,
                    "high": inst.mcid.high,
                    "applies_to": inst.mcid.applies_to,
                    "source_ids": ", ".join(inst.mcid.source_ids),
                }
            )
    elif inst.chart is Chart.DIARY:
        y_label = _("Minutes of crying and fussing")
        days: list[dict[str, Any]] = []
        for k, m in enumerate(measurements):
            for day in m.details.get("days", []):
                minutes = float(day.get("cry_fuss_minutes", 0.0))
                add(
                    _("Crying + fussing"),
                    k,
                    minutes,
                    _("%(minutes).0f min") % {"minutes": minutes}
                    + ("" if day.get("complete") else _(" (day incomplete)")),
                )
            days.extend(m.answers.get("days", []))
        lines = ((180.0, "3 hours"),)
        if days:
            try:
                combined = instruments.score(
                    inst.id, {"days": days, "birth_date": client.birth_date.isoformat()}
                )
                criteria = tuple(
                    c for c in (combined.details.get("wessel"), combined.details.get("rome_iv")) if c
                )
            except (InstrumentValidationError, ValueError, TypeError) as exc:
                notes.append(
                    _("The colic criteria could not be evaluated across these days: %(exc)s.") % {"exc": exc}
                )
    elif inst.chart is Chart.GOALS:
        y_label = _("Goal attainment level")
        y_range, integer = (-2.0, 2.0), True
        ticks = tuple((float(v), f"{v:+d}" if v else "0") for v in range(-2, 3))
        lines = ((0.0, _("expected level")),)
        names: dict[str, str] = {}  # goal key -> the label as first written
        entries = []
        for k, m in enumerate(measurements):
            if m.total is None:
                continue
            goal = str(m.details.get("goal") or "")
            label = names.setdefault(goal_key(goal), goal_label(goal) or UNNAMED)
            add(label, k, m.total, f"{m.total:+g}" if m.total else "0")
            weight = m.details.get("weight")
            entries.append(
                GoalEntry(
                    goal=goal,
                    level=int(m.total),
                    weight=float(weight) if isinstance(weight, int | float) else None,
                    taken_at=timezone.localtime(m.taken_at),  # the report words its local date
                )
            )
        gas = summarise(entries)
        for band in shown_inst.bands:
            notes.append(f"{band.label} [{', '.join(band.source_ids)}]")
    elif inst.chart is Chart.VALUE:
        unit = inst.canonical_unit
        y_label = f"{shown_inst.short_name} ({unit})"  # the short name: the axis has room for few words
        # `series_by` names a context input that splits the values into lines (running economy: one line
        # per treadmill speed, since uptakes at different speeds are not comparable).
        by = str(inst.extra.get("series_by") or "")
        specs = {c.id: c for c in context_inputs(shown_inst)}
        for k, m in enumerate(measurements):
            if m.value is None:
                continue
            label = shown_inst.name
            if by in specs:
                given = (m.details.get(CONTEXT_KEY) or {}).get(by)
                label = f"{shown_inst.short_name} " + (
                    specs[by].show(given)
                    if given is not None
                    else _("(%(label)s not given)") % {"label": specs[by].label.lower()}
                )
            add(label, k, m.value, show(m))
        if by in specs:
            notes.append(
                _(
                    "One line for each %(label)s: values taken at different ones are not compared with each "
                    "other."
                )
                % {"label": specs[by].label.lower()}
            )
    elif inst.chart is Chart.PERCENT_OF_BEST:
        # Each value against the client's own best: the personal best entered with it, else the best
        # recorded up to that day (among the values charted here).
        y_label = _("% of the personal best")
        best_so_far = 0.0
        label = _("% of the personal best")
        for k, m in enumerate(measurements):
            if m.value is None:
                continue
            best_so_far = max(best_so_far, m.value)
            entered = (m.details.get(CONTEXT_KEY) or {}).get(PERSONAL_BEST)
            own = isinstance(entered, int | float) and not isinstance(entered, bool) and entered > 0
            best = float(entered) if own and entered is not None else best_so_far
            percent = percent_of(m.value, best)
            zone = zone_for(inst, percent)
            whose = _("personal best entered") if own else _("best recorded so far")
            shown = _("%(value)g %(canonical_unit)s = %(percent).0f%% of %(best)g (%(whose)s)") % {
                "value": m.value,
                "canonical_unit": inst.canonical_unit,
                "percent": percent,
                "best": best,
                "whose": whose,
            }
            add(label, k, percent, shown + (f"; {zone.label.split(':')[0].lower()}" if zone else ""))
        lines = tuple((z.minimum, z.label.split(":")[0]) for z in zones(inst) if z.minimum > 0)
        for z in zones(inst):
            notes.append(f"{z.label} [{', '.join(z.source_ids)}]")
        notes.append(
            _(
                "Each value is compared with the personal best entered with it, or else with the highest "
                "value recorded here up to that day."
            )
        )
    else:
        y_label = _("Total score")
        if inst.score_min is not None and inst.score_max is not None:
            y_range = (
                float(inst.score_min),
                float(inst.score_max),
            )  # the whole scale, so change is in proportion
        integer = True
        for k, m in enumerate(measurements):
            if m.total is not None:
                band_label = words.band(m) if words is not None else m.band_label
                shown = show(m) + (f" ({band_label})" if band_label else "")
                add(str(inst.extra.get("total_label") or _("Total")), k, m.total, shown)
            else:
                # Categories without a total (the Amsterdam stool scale): tabled, not charted.
                recorded = _("Recorded")
                cells[k][recorded] = show(m)
                if recorded not in tabled_only:
                    tabled_only.append(recorded)
        for band in shown_inst.bands:
            # An organisation's own bands cite no registry source and carry no range in their label.
            notes.append(
                f"{band.label} [{', '.join(band.source_ids)}]"
                if band.source_ids
                else _("%(minimum)g to %(maximum)g: %(band_label)s")
                % {"minimum": band.minimum, "maximum": band.maximum, "band_label": band.label}
            )
        if inst.bands and any(m.band for m in measurements):
            # Where each band starts, as a dashed line labelled with what lies above it (half a step below
            # its lowest total: totals of a mean move in hundredths).
            half = 0.005 if (inst.extra.get("scale") or {}).get("method") == "mean" else 0.5
            ordered = sorted(shown_inst.bands, key=lambda b: b.minimum)
            lines = tuple(
                (b.minimum - half, "↑ " + b.label.split(":", 1)[-1].strip()[:32]) for b in ordered[1:]
            )
    versions = sorted({m.instrument_version for m in measurements if m.instrument_version})
    if len(versions) > 1:
        notes.append(
            _(
                "These entries were scored with versions %(versions)s of %(short_name)s: each keeps the "
                "result of its own version (the chart's scale and bands are version %(version)s's)."
            )
            % {"versions": ", ".join(versions), "short_name": inst.short_name, "version": inst.version}
        )
    columns = tuple(named) + tuple(c for c in tabled_only if c not in named)
    series = tuple(Series(label, tuple(points)) for label, points in named.items())
    rows = tuple(TrendRow(m, dates[k], cells[k]) for k, m in enumerate(measurements))
    return Trend(
        instrument=shown_inst,
        direction_text=_(DIRECTION_TEXT[inst.direction]),
        y_label=y_label,
        series=series,
        columns=columns,
        rows=tuple(reversed(rows)),  # table newest first
        notes=tuple(notes),
        criteria=criteria,
        y_ticks=ticks,
        reference_lines=lines,
        y_range=y_range,
        integer=integer,
        legend=legend,
        gas=gas,
    )


def _source_text(source_ids: Sequence[str]) -> str:
    parts = []
    for sid in source_ids:
        try:
            parts.append(f"{sid}: {instruments.get_source(sid).short}")
        except KeyError:
            parts.append(sid)
    return "; ".join(parts)


def instrument_sources(inst: Instrument) -> list[instruments.Source]:
    """The instrument's sources, for the 'source' line under every score."""
    out = []
    for sid in sorted(inst.all_source_ids()):
        try:
            out.append(instruments.get_source(sid))
        except KeyError:
            continue
    return out
