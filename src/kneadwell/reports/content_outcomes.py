"""The growth, outcome-measure and entered-in-error parts of a report, read through outcomes' selectors
(the very figures and SVG charts the client's pages show)."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from django.utils import timezone

from kneadwell.outcomes import growth_words, instruments
from kneadwell.outcomes import selectors as outcomes
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, REFERENCE_TITLES
from kneadwell.outcomes.instruments import gas
from kneadwell.outcomes.measures import (
    DEFAULT_VELOCITY_METHOD,
    REFERENCE_SOURCES,
    growth_instruments,
    velocity_instrument,
)
from kneadwell.reports import words
from kneadwell.reports.facts import (
    ChartPart,
    GasPart,
    GrowthPart,
    InErrorLine,
    LatestLine,
    SeriesTable,
    TrendPart,
    VelocityLine,
)
from kneadwell.reports.marking import gettext

if TYPE_CHECKING:
    from kneadwell.clients.models import Client

TABLE_ROWS = 10  # latest values tabled under each chart (every value is on the client's pages)
IN_ERROR_LIMIT = 50
VELOCITY_WINDOWS_SHOWN = (7, 28)  # the growth page's default window, and four weeks for the trend

_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", flags=re.S)


def chart_description(svg: str) -> str:
    found = _DESC.search(svg)
    return html.unescape(found.group(1)).strip() if found else ""


def growth_caption(instrument_id: str, reference: str) -> str:
    """The caption the growth page puts under the same chart."""
    what = instruments.get_instrument(instrument_id).short_name.lower()
    # marked; only the clinician's report (English, services.in_language_of) carries it, so the
    # measure's name, the reference's title and its sources stay English as in the rest of that letter
    return gettext(
        "Filled circles: %(what)s at corrected age; hollow circles: at chronological age (joined where "
        "they differ). Grey lines: %(reference)s centiles, the median darker. %(sources)s"
    ) % {"what": what, "reference": REFERENCE_TITLES[reference], "sources": REFERENCE_SOURCES[reference]}


def _velocity_line(v: outcomes.VelocitySummary) -> VelocityLine:
    r = v.result
    value = gain = span = ""
    if r is not None:
        value = f"{r.velocity_g_kg_day:.1f} g/kg/day" if r.velocity_g_kg_day is not None else ""
        gain = f"{r.gain_g_per_day:.0f} g/day"
        span = (
            f"{words.day(r.start_date)} → {words.day(r.end_date)} ({words.plural(r.days, 'day')}, "
            f"{r.start_weight_g:.0f} → {r.end_weight_g:.0f} g, {words.plural(r.points_used, 'dated weight')})"
        )
    return VelocityLine(
        window=v.window_text,
        method=v.info.label,
        method_id=v.method,
        formula=v.info.formula,
        source=v.info.source,
        value=value,
        gain=gain,
        span=span,
        error=v.error,
        goal_note=v.goal_note,
        start_date=r.start_date if r is not None else None,
        end_date=r.end_date if r is not None else None,
        gain_g_per_day=r.gain_g_per_day if r is not None else None,
    )


def growth(*, client: Client, parent: bool) -> GrowthPart | None:
    reference = DEFAULT_REFERENCE
    series = {
        inst.id: outcomes.growth_series(client=client, instrument_id=inst.id, reference=reference)
        for inst in growth_instruments()
    }
    # in the language in force: the parent's report's chart title in the reader's, the clinician's English
    labels = {inst.id: growth_words.measure_name(inst) for inst in growth_instruments()}
    if not any(series.values()):
        return None
    summary = outcomes.growth_summary(client=client, reference=reference)
    weights = [(p.date, p.value) for p in series[velocity_instrument().id]]
    velocities = [summary.velocity] + [
        outcomes.weight_velocity(
            client=client, method=DEFAULT_VELOCITY_METHOD, window_days=w, weights=weights
        )
        for w in VELOCITY_WINDOWS_SHOWN
        if w != summary.velocity.window_days
    ]
    latest = []
    for g in summary.latest:
        sds = g.sds
        latest.append(
            LatestLine(
                label=g.label,
                date=g.date,
                display=g.display,
                age_text=g.age_text,
                chronological_sds=sds.chronological_sds,
                corrected_sds=sds.corrected_sds,
                chronological_centile=sds.chronological_centile,
                corrected_centile=sds.corrected_centile,
                note=sds.error or sds.advisory or "",
                instrument_id=g.instrument_id,
            )
        )
    # The parent's version shows the weight chart (or the first measure recorded); the clinician's all.
    kinds = [k for k in series if series[k]]
    if parent:
        kinds = kinds[:1]
    charts = []
    for kind in kinds:
        svg = outcomes.growth_chart(
            client=client, instrument_id=kind, reference=reference, points=series[kind]
        )
        charts.append(
            ChartPart(
                key=f"growth-{kind}",
                title=labels[kind],
                svg=svg,
                caption="" if parent else growth_caption(kind, reference),
                description=chart_description(svg),
                count=len(series[kind]),
                instrument_id=kind,
            )
        )
    tables = tuple(
        SeriesTable(labels[k], len(series[k]), tuple(reversed(series[k][-TABLE_ROWS:])))
        for k in series
        if series[k] and not parent
    )
    return GrowthPart(
        reference=reference,
        reference_title=summary.reference_title,
        reference_source=summary.reference_source,
        age_source=summary.age_source,
        latest=tuple(latest),
        velocities=tuple(_velocity_line(v) for v in velocities),
        charts=tuple(charts),
        tables=tables,
        notes=summary.notes,
    )


def in_error(*, client: Client) -> tuple[tuple[InErrorLine, ...], int]:
    rows, total = outcomes.measurements_in_error(client=client, limit=IN_ERROR_LIMIT)
    names = {i.id: i.name for i in instruments.list_instruments()}
    lines = tuple(
        InErrorLine(
            date=timezone.localtime(m.taken_at).date(),
            instrument=names.get(m.instrument_id, m.instrument_id),
            value=outcomes.display_value(m),
            reason=m.entered_in_error_reason,
            marked_by=(m.entered_in_error_by.full_name or m.entered_in_error_by.email)
            if m.entered_in_error_by
            else "",
            marked_on=timezone.localtime(m.entered_in_error_at).date() if m.entered_in_error_at else None,
        )
        for m in rows
    )
    return lines, total


def trends(*, client: Client) -> tuple[TrendPart, ...]:
    parts = []
    for inst in outcomes.instruments_recorded(client=client):
        if inst.growth is not None:  # growth measures have their own part
            continue
        trend = outcomes.instrument_trend(client=client, instrument_id=inst.id)
        svg = outcomes.trend_chart(trend)
        chart = (
            ChartPart(
                key=f"trend-{inst.id}",
                title=inst.name,
                svg=svg,
                # marked like the trend page's caption; English in the clinician's report, the only one
                # with trends (services.in_language_of)
                caption=gettext("%(direction)s Each line has its own marker shape.")
                % {"direction": trend.direction_text},
                description=chart_description(svg),
                count=len(trend.rows),
            )
            if svg
            else None
        )
        parts.append(
            TrendPart(
                instrument_id=inst.id,
                name=inst.name,
                direction=trend.direction_text,
                chart=chart,
                columns=trend.columns,
                rows=tuple(
                    (r.date, tuple((c, r.cells.get(c, "")) for c in trend.columns))
                    for r in trend.rows[:TABLE_ROWS]
                ),
                total=len(trend.rows),
                notes=trend.notes,
                sources=tuple(f"{s.id}: {s.citation}" for s in outcomes.instrument_sources(inst)),
                gas=GasPart(
                    summary=trend.gas,
                    formula=gas.FORMULA,
                    sources=tuple(
                        f"{sid}: {instruments.get_source(sid).short}" for sid in gas.FORMULA_SOURCES
                    ),
                )
                if trend.gas is not None
                else None,
            )
        )
    return tuple(parts)
