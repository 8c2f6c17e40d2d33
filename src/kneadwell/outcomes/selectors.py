"""Reads of measurements and growth, for pages, the API, reports and exports.

Every read starts from a client loaded through `kneadwell.clients.selectors.client_get` (tenancy, a
caregiver's own children, and the audit row of the read) or through `measurements_for_client`, which does
that itself. Measurements marked "entered in error" are left out unless asked for.

Query counts do not grow with the data: each function runs a fixed number of queries, all served by the
(client, instrument_id, taken_at) and (client, taken_at) indexes."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import NotFound, ValidationFailed
from kneadwell.outcomes import instruments
from kneadwell.outcomes.charts import Series, describe_trend, trend_chart_svg
from kneadwell.outcomes.charts import trend_chart_data as trend_chart_data_of
from kneadwell.outcomes.growth import (
    Ages,
    SdsResult,
    VelocityError,
    VelocityResult,
    WeightPoint,
    batch_sds,
    chart_points,
    growth_chart_svg,
    measurement_sds,
)

# `ages` and `velocity` come from their modules: the package's lazy exports of these two share their
# names with the submodules, so after either submodule is imported the package attribute is the module.
from kneadwell.outcomes.growth.ages import ages
from kneadwell.outcomes.growth.chart import ChartPoint, default_centiles, describe_chart
from kneadwell.outcomes.growth.chart import growth_chart_data as growth_chart_data_of
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, REFERENCE_TITLES, REFERENCES
from kneadwell.outcomes.growth.velocity import VELOCITY_METHODS, velocity
from kneadwell.outcomes.instruments import Chart, Direction, Instrument, InstrumentValidationError
from kneadwell.outcomes.measures import (
    AGE_CORRECTION_SOURCE,
    DEFAULT_VELOCITY_METHOD,
    DEFAULT_VELOCITY_WINDOW,
    REFERENCE_SOURCES,
    REGAIN_NOTE,
    VELOCITY_GOAL_NOTE,
    VELOCITY_GOAL_PMA_WEEKS,
    VELOCITY_METHOD_INFO,
    VELOCITY_WINDOWS,
    VERY_PRETERM_NOTE,
    MethodInfo,
    format_measure,
    format_number,
    growth_instruments,
    growth_method,
    measure_formatter,
    velocity_instrument,
    window_label,
)
from kneadwell.outcomes.models import Measurement

CHART_CACHE_SECONDS = 24 * 3600


# --- measurements ---------------------------------------------------------------------------------


def measurement_queryset(
    *, client: Client, instrument_id: str | None = None, include_in_error: bool = False
) -> QuerySet[Measurement]:
    """A loaded client's measurements, newest first (the client came from `client_get`). Every read of
    measurements here starts from this one, through the scoped entry point (kneadwell.core.tenancy)."""
    qs = Measurement.objects.of_client(client)
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    if not include_in_error:
        qs = qs.filter(entered_in_error_at__isnull=True)
    return qs


def measurements_for_client(
    *, actor: Actor, client_id: int, instrument_id: str | None = None, include_in_error: bool = False
) -> QuerySet[Measurement]:
    """Tenant-scoped and audited: 404 for a client the actor may not see."""
    client = client_get(actor=actor, client_id=client_id, purpose="viewed measurements")
    return measurement_queryset(client=client, instrument_id=instrument_id, include_in_error=include_in_error)


def measurement_get(*, client: Client, measurement_id: int) -> Measurement:
    try:
        return (
            measurement_queryset(client=client, include_in_error=True)
            .select_related("recorded_by", "entered_in_error_by")
            .get(pk=measurement_id)
        )
    except (Measurement.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such measurement for this client.") from None


def measurements_in_error(*, client: Client, limit: int) -> tuple[list[Measurement], int]:
    """The latest `limit` measurements marked as entered in error (with who marked them), and how many."""
    qs = (
        measurement_queryset(client=client, include_in_error=True)
        .filter(entered_in_error_at__isnull=False)
        .select_related("entered_in_error_by")
        .order_by("-taken_at", "-id")
    )
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) if len(rows) <= limit else qs.count()


def instruments_recorded(*, client: Client) -> list[Instrument]:
    """The instruments this client has measurements of (not in error), in catalogue order."""
    used = set(
        measurement_queryset(client=client).order_by().values_list("instrument_id", flat=True).distinct()
    )
    return [i for i in instruments.list_instruments() if i.id in used]


def instrument_or_404(instrument_id: str) -> Instrument:
    try:
        return instruments.get_instrument(instrument_id)
    except InstrumentValidationError:
        raise NotFound("No such instrument.") from None


# --- display --------------------------------------------------------------------------------------


def _growth_method(instrument_id: str) -> str:
    """The growth reference method of a growth measure (its data's `growth.method`); a 4xx naming the
    growth measures for any other instrument."""
    method = growth_method(instrument_id)
    if method is None:
        names = ", ".join(i.id for i in growth_instruments())
        raise ValidationFailed({"measure": [f"Choose one of: {names}."]})
    return method


def display_value(m: Measurement) -> str:
    """A measurement's main figure as a person reads it: the value in the unit that was entered, a total
    with its range, MAS grades, or ROM degrees."""
    try:
        inst: Instrument | None = instruments.get_instrument(m.instrument_id)
    except InstrumentValidationError:
        inst = None  # an instrument no longer in the catalogue: show what the row holds
    chart = inst.chart if inst is not None else None
    if m.value is not None:
        entered = m.details.get("entered_value")
        unit = str(m.details.get("entered_unit") or m.unit)
        units = inst.extra.get("units", ()) if inst is not None else ()
        decimals = {str(u["unit"]): int(u["decimals"]) for u in units}
        number = float(entered) if isinstance(entered, int | float) else m.value
        return f"{format_number(number, decimals.get(unit, 2))} {unit}"
    if chart is Chart.GRADES:
        grades = m.details.get("grades", {})
        return "; ".join(f"{m.subscores.get(k, {}).get('label', k)}: {g}" for k, g in grades.items())
    if chart is Chart.PERCENT_OF_NORMAL:
        percent = m.details.get("percent_of_normal", {})
        return "; ".join(
            f"{s.get('label', k)}: {s.get('score'):g}° ({percent.get(k, 0):.0f}% of normal)"
            for k, s in m.subscores.items()
        )
    if inst is not None and chart is Chart.DOMAINS and m.total is None:
        # Domains may be assessed alone: show each complete one rather than "no total".
        domains = inst.domains
        parts = [
            f"{m.subscores[d]['label']}: {m.subscores[d]['score']:g} of {m.subscores[d]['max']:g}"
            for d in domains
            if d in m.subscores and m.subscores[d].get("score") is not None
        ]
        if parts:
            return "; ".join(parts)
    if m.total is not None:
        top = m.details.get("max_for_this_gestation")
        if top is None and inst is not None:
            top = inst.score_max
        if inst is not None and inst.total_display is not None:
            shown = inst.total_display
            return f"{m.total:.{shown.decimals}f} {shown.suffix}"
        return f"{m.total:g}" + (f" of {top:g}" if isinstance(top, int | float) else "")
    labels = m.details.get("labels")
    if isinstance(labels, dict) and labels:
        return "; ".join(str(v) for v in labels.values())
    return "recorded (incomplete: no total)"


# --- growth ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthPoint:
    measurement_id: int
    date: dt.date
    value: float  # kg or cm
    display: str
    chronological_age_days: int
    corrected_age_days: int
    age_text: str
    chronological_sds: float | None
    corrected_sds: float | None
    chronological_centile: float | None
    corrected_centile: float | None
    note: str = ""  # why there is no SDS, when there is none
    confirmed_unusual: bool = False


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def age_text(a: Ages) -> str:
    """Postmenstrual age before the due date (AAP 2004), corrected age after it."""
    if a.before_due_date:
        return f"{a.postmenstrual} wk PMA (day {a.chronological_days})"
    if a.corrected_days == a.chronological_days:
        return f"{a.chronological_days} days"
    return f"{a.corrected_days} days corrected ({a.chronological_days} days old)"


def growth_series(
    *, client: Client, instrument_id: str = "weight", reference: str = DEFAULT_REFERENCE
) -> list[GrowthPoint]:
    """A client's weights, lengths or head circumferences (not in error), oldest first, with ages, SDS and
    centiles against `reference` (vectorised path of the growth package; same numbers as rcpchgrowth)."""
    method = _growth_method(instrument_id)
    if reference not in REFERENCES:
        raise ValidationFailed({"reference": [f"Choose one of: {', '.join(REFERENCES)}."]})
    rows = list(
        measurement_queryset(client=client, instrument_id=instrument_id)
        .filter(value__isnull=False)
        .order_by("taken_at", "id")
        .values_list("id", "taken_at", "value", "details", "confirmed_unusual")
    )
    if not rows:
        return []
    dates = [timezone.localtime(t).date() for _, t, _, _, _ in rows]
    n = len(rows)
    gw = 40 if client.gestation_weeks is None else client.gestation_weeks
    gd = 0 if client.gestation_days is None else client.gestation_days
    result = batch_sds(
        np.array([client.sex] * n),
        np.array([client.birth_date] * n, dtype="datetime64[D]"),
        np.array(dates, dtype="datetime64[D]"),
        np.full(n, gw),
        np.full(n, gd),
        np.array([method] * n),
        np.array([v for _, _, v, _, _ in rows], dtype=np.float64),
        reference,
    )
    messages = result.messages()
    shown_as = measure_formatter(
        instruments.get_instrument(instrument_id), age_days=(timezone.localdate() - client.birth_date).days
    )
    points = []
    for k, (pk, _, raw, _details, unusual) in enumerate(rows):
        value = float(raw or 0.0)  # never None: the query keeps values only
        a = ages(client.birth_date, dates[k], client.gestation_weeks, client.gestation_days)
        shown = shown_as(value)
        points.append(
            GrowthPoint(
                measurement_id=pk,
                date=dates[k],
                value=value,
                display=shown,
                chronological_age_days=a.chronological_days,
                corrected_age_days=a.corrected_days,
                age_text=age_text(a),
                chronological_sds=_finite(result.chronological_sds[k]),
                corrected_sds=_finite(result.corrected_sds[k]),
                chronological_centile=_finite(result.chronological_centile[k]),
                corrected_centile=_finite(result.corrected_centile[k]),
                note=messages[k] or "",
                confirmed_unusual=bool(unusual),
            )
        )
    return points


@dataclass(frozen=True)
class LatestGrowth:
    instrument_id: str
    label: str
    measurement_id: int
    date: dt.date
    value: float
    display: str
    age_text: str
    sds: SdsResult


@dataclass(frozen=True)
class VelocitySummary:
    method: str
    info: MethodInfo
    window_days: int
    window_text: str
    start_after_regain: bool
    result: VelocityResult | None
    error: str = ""
    goal_note: str = ""

    @property
    def regain_note(self) -> str:
        return REGAIN_NOTE


@dataclass(frozen=True)
class GrowthSummary:
    client: Client
    reference: str
    reference_title: str
    reference_source: str
    today: Ages
    age_source: str
    latest: tuple[LatestGrowth, ...]
    velocity: VelocitySummary
    notes: tuple[str, ...] = field(default_factory=tuple)

    def latest_for(self, instrument_id: str) -> LatestGrowth | None:
        return next((g for g in self.latest if g.instrument_id == instrument_id), None)


def _check_choices(reference: str, method: str, window_days: int) -> None:
    errors: dict[str, list[str]] = {}
    if reference not in REFERENCES:
        errors["reference"] = [f"Choose one of: {', '.join(REFERENCES)}."]
    if method not in VELOCITY_METHODS:
        errors["method"] = [f"Choose one of: {', '.join(VELOCITY_METHODS)}."]
    if window_days not in VELOCITY_WINDOWS:
        errors["window_days"] = [f"Choose one of: {', '.join(str(w) for w in VELOCITY_WINDOWS)} (0 = all)."]
    if errors:
        raise ValidationFailed(errors)


def weight_velocity(
    *,
    client: Client,
    method: str = DEFAULT_VELOCITY_METHOD,
    window_days: int = DEFAULT_VELOCITY_WINDOW,
    start_after_regain: bool = False,
    weights: Sequence[tuple[dt.date, float]] | None = None,
) -> VelocitySummary:
    """Velocity of the client's weights over the last `window_days` days up to the latest weight (0: all),
    by `method`; with `start_after_regain` the window starts no earlier than the day birth weight was
    regained (found from every weight and the recorded birth weight). The method is always named."""
    _check_choices(DEFAULT_REFERENCE, method, window_days)
    info = VELOCITY_METHOD_INFO[method]
    if weights is None:
        weights = [
            (timezone.localtime(t).date(), float(v or 0.0))
            for t, v in measurement_queryset(client=client, instrument_id=velocity_instrument().id)
            .filter(value__isnull=False)
            .order_by("taken_at", "id")
            .values_list("taken_at", "value")
        ]
    points = [WeightPoint(d, round(kg * 1000, 3)) for d, kg in weights]

    def summary(
        result: VelocityResult | None, error: str = "", start: dt.date | None = None
    ) -> VelocitySummary:
        text = window_label(window_days)
        if start_after_regain:
            text += (
                f", starting no earlier than regain of birth weight ({start:%d %b})"
                if start
                else " (no weight below birth weight recorded, so nothing to leave out)"
            )
        goal = ""
        if result is not None and client.gestation_weeks is not None:
            pma = ages(client.birth_date, result.end_date, client.gestation_weeks, client.gestation_days)
            low, high = VELOCITY_GOAL_PMA_WEEKS
            if low <= pma.postmenstrual.weeks <= high:
                goal = VELOCITY_GOAL_NOTE
        return VelocitySummary(
            method, info, window_days, text, start_after_regain, result, error, goal_note=goal
        )

    if not points:
        return summary(None, "No weights recorded yet.")
    regain: dt.date | None = None
    if start_after_regain:
        if not client.birth_weight_g:
            return summary(None, "Record the birth weight on the client's details to start after its regain.")
        try:
            whole = velocity(
                points,
                method,  # type: ignore[arg-type]
                start_after_regain=True,
                birth_weight_g=float(client.birth_weight_g),
                birth_date=client.birth_date,
            )
        except VelocityError as exc:
            return summary(None, _capital(str(exc)))
        regain = whole.regain_date
    last = max(p.date for p in points)
    chosen = [
        p
        for p in points
        if (window_days == 0 or p.date >= last - dt.timedelta(days=window_days))
        and (regain is None or p.date >= regain)
    ]
    try:
        result = velocity(chosen, method)  # type: ignore[arg-type]
    except VelocityError as exc:
        return summary(None, _capital(str(exc)) + f" in the window ({window_label(window_days)}).", regain)
    if regain is not None:
        result = VelocityResult(**{**result.__dict__, "regain_date": regain})
    return summary(result, start=regain)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def growth_summary(
    *,
    client: Client,
    reference: str = DEFAULT_REFERENCE,
    method: str = DEFAULT_VELOCITY_METHOD,
    window_days: int = DEFAULT_VELOCITY_WINDOW,
    start_after_regain: bool = False,
) -> GrowthSummary:
    """Latest weight, length/height and head circumference with chronological and corrected SDS and
    centiles (rcpchgrowth's own `Measurement`, the clinically validated path), and weight velocity with its
    method. Three queries for the latest values and one for the weights, whatever the amount of data."""
    _check_choices(reference, method, window_days)
    today = timezone.localdate()
    latest = []
    age_today = (today - client.birth_date).days
    for inst in growth_instruments():
        instrument_id = inst.id
        m = (
            measurement_queryset(client=client, instrument_id=instrument_id)
            .filter(value__isnull=False)
            .order_by("-taken_at", "-id")
            .only("id", "taken_at", "value")
            .first()
        )
        if m is None or m.value is None:
            continue
        day = timezone.localtime(m.taken_at).date()
        sds = measurement_sds(
            client.sex,
            client.birth_date,
            day,
            client.gestation_weeks,
            client.gestation_days,
            _growth_method(instrument_id),
            m.value,
            reference,
        )
        a = ages(client.birth_date, day, client.gestation_weeks, client.gestation_days)
        shown = format_measure(inst, m.value, age_days=age_today)
        latest.append(
            LatestGrowth(instrument_id, inst.short_name, m.pk, day, m.value, shown, age_text(a), sds)
        )
    notes = []
    if reference == "uk-who" and client.gestation_weeks is not None and client.gestation_weeks < 32:
        notes.append(VERY_PRETERM_NOTE)
    return GrowthSummary(
        client=client,
        reference=reference,
        reference_title=REFERENCE_TITLES[reference],
        reference_source=REFERENCE_SOURCES[reference],
        today=ages(client.birth_date, today, client.gestation_weeks, client.gestation_days),
        age_source=AGE_CORRECTION_SOURCE,
        latest=tuple(latest),
        velocity=weight_velocity(
            client=client, method=method, window_days=window_days, start_after_regain=start_after_regain
        ),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class LatestValue:
    instrument_id: str
    label: str
    measurement_id: int
    date: dt.date
    display: str
    age_text: str
    corrected_sds: float | None
    corrected_centile: float | None


def latest_growth(*, client: Client, reference: str = DEFAULT_REFERENCE) -> list[LatestValue]:
    """The latest weight, length/height and head circumference with the corrected centile (vectorised path,
    no rcpchgrowth import), for the client page. Three small indexed queries."""
    found = []
    for inst in growth_instruments():
        m = (
            measurement_queryset(client=client, instrument_id=inst.id)
            .filter(value__isnull=False)
            .order_by("-taken_at", "-id")
            .only("id", "taken_at", "value")
            .first()
        )
        if m is not None and m.value is not None:
            found.append((inst, m, timezone.localtime(m.taken_at).date()))
    if not found:
        return []
    n = len(found)
    result = batch_sds(
        np.array([client.sex] * n),
        np.array([client.birth_date] * n, dtype="datetime64[D]"),
        np.array([day for _, _, day in found], dtype="datetime64[D]"),
        np.full(n, 40 if client.gestation_weeks is None else client.gestation_weeks),
        np.full(n, 0 if client.gestation_days is None else client.gestation_days),
        np.array([_growth_method(i.id) for i, _, _ in found]),
        np.array([float(m.value or 0) for _, m, _ in found], dtype=np.float64),
        reference,
    )
    age_now = (timezone.localdate() - client.birth_date).days
    out = []
    for k, (inst, m, day) in enumerate(found):
        value = float(m.value or 0)
        a = ages(client.birth_date, day, client.gestation_weeks, client.gestation_days)
        out.append(
            LatestValue(
                instrument_id=inst.id,
                label=inst.short_name,
                measurement_id=m.pk,
                date=day,
                display=format_measure(inst, value, age_days=age_now),
                age_text=age_text(a),
                corrected_sds=_finite(result.corrected_sds[k]),
                corrected_centile=_finite(result.corrected_centile[k]),
            )
        )
    return out


def growth_chart(
    *,
    client: Client,
    instrument_id: str = "weight",
    reference: str = DEFAULT_REFERENCE,
    points: Sequence[GrowthPoint] | None = None,
) -> str:
    """The growth chart SVG (reference centile lines; the child's points at corrected and chronological
    age; a text alternative in <desc>). Cached on its content, so an unchanged chart is not redrawn."""
    if points is None:
        points = growth_series(client=client, instrument_id=instrument_id, reference=reference)
    method = _growth_method(instrument_id)
    key_source = repr(
        (
            "growth-chart-v4",  # v4: chronological point for the latest only; axes fit the points
            reference,
            method,
            client.sex,
            client.birth_date,
            client.gestation_weeks,
            client.gestation_days,
            [(p.date, p.value) for p in points],
        )
    )
    key = "outcomes:growth:" + hashlib.sha256(key_source.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        plotted = chart_points(
            client.birth_date,
            [(p.date, p.value) for p in points],
            client.gestation_weeks,
            client.gestation_days,
            centiles=[p.corrected_centile for p in points],
        )
        # 4.6 × 4 inches: text stays readable when a phone shrinks it to its width (about 9 px).
        svg = growth_chart_svg(reference, method, client.sex, plotted, width_in=4.6, height_in=4.0)
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return str(svg)


def _plotted(client: Client, points: Sequence[GrowthPoint]) -> list[ChartPoint]:
    """Chart points from the series, whose ages are already worked out (as `chart_points` would)."""
    return [
        ChartPoint(
            p.corrected_age_days / 365.25,
            p.chronological_age_days / 365.25,
            p.value,
            p.date.isoformat(),
            p.corrected_centile,
        )
        for p in points
    ]


def growth_chart_data(
    *,
    client: Client,
    instrument_id: str = "weight",
    reference: str = DEFAULT_REFERENCE,
    points: Sequence[GrowthPoint] | None = None,
) -> dict[str, Any]:
    """The growth chart as data for the browser to draw (static/js/charts.js): the same centile lines,
    points and axes as the SVG, built in milliseconds, so nothing is drawn on the server for a page."""
    if points is None:
        points = growth_series(client=client, instrument_id=instrument_id, reference=reference)
    method = _growth_method(instrument_id)
    return growth_chart_data_of(reference, method, client.sex, _plotted(client, points))


def growth_chart_description(
    *, client: Client, instrument_id: str, reference: str, points: Sequence[GrowthPoint]
) -> str:
    """The chart's text alternative (the sentence under it), without building the chart."""
    method = _growth_method(instrument_id)
    return describe_chart(
        reference, method, client.sex, _plotted(client, points), default_centiles(reference, method)
    )


# --- trends of the other instruments ----------------------------------------------------------------


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


DIRECTION_TEXT = {
    Direction.HIGHER_WORSE: "Higher is worse.",
    Direction.HIGHER_BETTER: "Higher is better.",
    Direction.NEITHER: "Neither higher nor lower is better in itself.",
}
TREND_LIMIT = 500  # the most recent administrations charted and tabled


def instrument_trend(*, client: Client, instrument_id: str) -> Trend:
    """Series and table of one instrument over time (entries in error left out): totals; MAS grades per
    muscle group and side on the 0-5 code with the grade names; ROM as % of normal per movement and side;
    Fugl-Meyer domains and total; diary daily crying-and-fussing minutes with Wessel and Rome IV."""
    inst = instrument_or_404(instrument_id)
    recent = list(
        measurement_queryset(client=client, instrument_id=instrument_id)
        .select_related("recorded_by")
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
    y_label = "Score"
    y_range: tuple[float, float] | None = None
    integer = False
    legend: tuple[tuple[str, str], ...] = ()

    def add(label: str, k: int, y: float, shown: str) -> None:
        named.setdefault(label, []).append((dates[k], y))
        cells[k][label] = shown

    if inst.chart is Chart.GRADES:
        grades = instruments.mas_grades()
        ticks = tuple((float(g.ordinal), g.grade) for g in grades)
        y_label = "Modified Ashworth grade"
        for k, m in enumerate(measurements):
            for key, grade in m.details.get("grades", {}).items():
                label = str(m.subscores.get(key, {}).get("label", key))
                add(label, k, float(instruments.mas_to_ordinal(grade)), str(grade))
        legend = tuple((g.grade, g.label) for g in grades)
        notes.append(
            "Grades 0, 1, 1+, 2, 3, 4 are plotted in that order, as the 0-5 code used for analysis [S37]; "
            "they are never averaged. Grade meanings [S36] are listed above."
        )
    elif inst.chart is Chart.PERCENT_OF_NORMAL:
        y_label = "% of normal range"
        used_norms: dict[str, set[str]] = {}
        for k, m in enumerate(measurements):
            percent = m.details.get("percent_of_normal", {})
            norms = m.details.get("norm", {})
            for key, sub in m.subscores.items():
                label = str(sub.get("label", key))
                p = float(percent.get(key, 0.0))
                norm = norms.get(key, {})
                add(label, k, p, f"{sub.get('score'):g}° = {p:.0f}% of {norm.get('end_degrees', 0):g}°")
                used_norms.setdefault(str(norm.get("set", "")), set()).update(norm.get("sources", []))
        lines = ((100.0, "100% of normal"),)
        sets = inst.extra.get("norm_sets", {})
        for norm_set, source_ids in sorted(used_norms.items()):
            label = sets.get(norm_set, {}).get("label", norm_set)
            notes.append(f"Normal values from the {label} ({_source_text(sorted(source_ids))}).")
        notes.append(
            "Sources disagree on normal ranges, so each movement is compared with the largest normal value "
            "we hold: % of normal then never flatters. Range also differs with age [S61]."
        )
    elif inst.chart is Chart.DOMAINS:
        y_label = "Points"
        integer = True
        domains = list(inst.domains)
        motor_max = sum(inst.section(str(d)).max_score or 0 for d in inst.extra.get("motor_domains", ()))
        for k, m in enumerate(measurements):
            for d in domains:
                sub = m.subscores.get(d, {})
                if sub.get("score") is not None:
                    add(
                        f"{sub.get('label', d)} (of {sub.get('max'):g})",
                        k,
                        float(sub["score"]),
                        f"{sub['score']:g}",
                    )
            motor = m.details.get("motor_total")
            if motor is not None:
                add(f"Motor total (of {motor_max:g})", k, float(motor), f"{motor:g}")
            if m.total is not None:
                add(f"Total (of {inst.score_max or 0:g})", k, float(m.total), f"{m.total:g}")
        if inst.mcid:
            notes.append(
                f"A change of {inst.mcid.low:g}-{inst.mcid.high:g} points is the minimal clinically "
                f"important difference ({inst.mcid.applies_to}) [{', '.join(inst.mcid.source_ids)}]. "
                "Domains with any item missing have no score (never a partial sum)."
            )
    elif inst.chart is Chart.DIARY:
        y_label = "Minutes of crying and fussing"
        days: list[dict[str, Any]] = []
        for k, m in enumerate(measurements):
            for day in m.details.get("days", []):
                minutes = float(day.get("cry_fuss_minutes", 0.0))
                add(
                    "Crying + fussing",
                    k,
                    minutes,
                    f"{minutes:.0f} min" + ("" if day.get("complete") else " (day incomplete)"),
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
                notes.append(f"The colic criteria could not be evaluated across these days: {exc}.")
    elif inst.chart is Chart.VALUE:
        unit = inst.canonical_unit
        y_label = f"{inst.name} ({unit})"
        for k, m in enumerate(measurements):
            if m.value is not None:
                add(inst.name, k, m.value, display_value(m))
    else:
        y_label = "Total score"
        if inst.score_min is not None and inst.score_max is not None:
            y_range = (
                float(inst.score_min),
                float(inst.score_max),
            )  # the whole scale, so change is in proportion
        integer = True
        for k, m in enumerate(measurements):
            if m.total is not None:
                add("Total", k, m.total, display_value(m) + (f" ({m.band_label})" if m.band_label else ""))
        for band in inst.bands:
            notes.append(f"{band.label} [{', '.join(band.source_ids)}]")
        if inst.bands and any(m.band for m in measurements):
            # Where each band starts, as a dashed line labelled with what lies above it.
            ordered = sorted(inst.bands, key=lambda b: b.minimum)
            lines = tuple(
                (b.minimum - 0.5, "↑ " + b.label.split(":", 1)[-1].strip()[:32]) for b in ordered[1:]
            )
    columns = tuple(named)
    series = tuple(Series(label, tuple(points)) for label, points in named.items())
    rows = tuple(TrendRow(m, dates[k], cells[k]) for k, m in enumerate(measurements))
    return Trend(
        instrument=inst,
        direction_text=DIRECTION_TEXT[inst.direction],
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


def trend_chart(trend: Trend) -> str:
    """The trend chart SVG, cached on its content (an unchanged trend is not redrawn)."""
    key_source = repr(
        (
            "trend-chart-v2",
            trend.instrument.id,
            trend.y_label,
            trend.series,
            trend.y_ticks,
            trend.reference_lines,
            trend.y_range,
            trend.integer,
        )
    )
    key = "outcomes:trend:" + hashlib.sha256(key_source.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = trend.chart_svg()
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return str(svg)


def trend_chart_data(trend: Trend) -> dict[str, Any]:
    """The trend chart as data for the browser to draw: series with their colours, marker shapes and line
    styles, ordinal ticks, reference lines and axes, as the SVG has them."""
    return trend_chart_data_of(
        title=trend.instrument.name,
        series=trend.series,
        y_label=trend.y_label,
        direction=trend.instrument.direction.value,
        y_ticks=trend.y_ticks or None,
        y_range=trend.y_range,
        integer=trend.integer,
        reference_lines=trend.reference_lines,
    )


def trend_chart_description(trend: Trend) -> str:
    return describe_trend(
        trend.instrument.name,
        trend.series,
        trend.y_label,
        trend.instrument.direction.value,
        trend.y_ticks or None,
    )
