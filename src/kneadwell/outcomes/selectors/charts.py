"""Charts of growth and trends: the data the browser draws a page's chart from (`growth_chart_data`,
`trend_chart_data`), the text alternative under it, and the server-drawn SVG that only the PDF report uses
(`growth_chart`, `trend_chart`), cached on its content so an unchanged chart is not redrawn."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language, gettext

from kneadwell.clients.models import Client
from kneadwell.core.marking import decimal_mark, local_decimals
from kneadwell.outcomes import growth_words
from kneadwell.outcomes.charts import describe_trend
from kneadwell.outcomes.charts import trend_chart_data as trend_chart_data_of
from kneadwell.outcomes.growth import chart_points, growth_chart_svg
from kneadwell.outcomes.growth.chart import ChartPoint, default_centiles
from kneadwell.outcomes.growth.chart_data import growth_chart_data as growth_chart_data_of
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE
from kneadwell.outcomes.selectors.growth import GrowthPoint, _growth_method, growth_series
from kneadwell.outcomes.selectors.trends import Trend

CHART_CACHE_SECONDS = 24 * 3600


def growth_chart(
    *,
    client: Client,
    instrument_id: str = "weight",
    reference: str = DEFAULT_REFERENCE,
    points: Sequence[GrowthPoint] | None = None,
) -> str:
    """The growth chart SVG (reference centile lines; the child's points at corrected and chronological
    age; a text alternative in <desc>), its words and decimal mark in the language in force (the parent's
    report in the reader's, the clinician's in English: reports.services). Cached on its content and
    language, so an unchanged chart is not redrawn."""
    if points is None:
        points = growth_series(client=client, instrument_id=instrument_id, reference=reference)
    method = _growth_method(instrument_id)
    key_source = repr(
        (
            "growth-chart-v5",  # v5: in the language in force; v4: the latest chronological point only
            get_language(),
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
        svg = growth_chart_svg(
            reference,
            method,
            client.sex,
            plotted,
            width_in=4.6,
            height_in=4.0,
            title=growth_words.chart_title(method, reference, client.sex),
            description=growth_words.chart_description(
                reference, method, client.sex, plotted, default_centiles(reference, method)
            ),
            gettext=gettext,
            y_label=growth_words.chart_value_label(method),
            decimal_mark=decimal_mark(),
        )
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
    plotted = _plotted(client, points)
    # The page's language for its words (the pure module's defaults are English, as the PDF's chart is).
    data = growth_chart_data_of(
        reference,
        method,
        client.sex,
        plotted,
        title=growth_words.chart_title(method, reference, client.sex),
        description=growth_words.chart_description(
            reference, method, client.sex, plotted, default_centiles(reference, method)
        ),
    )
    data["x_label"] = gettext(data["x_label"])
    data["y_label"] = growth_words.chart_value_label(method)
    for line in data["centiles"]:  # the labels the script writes at each line's end ("0,4" in Spanish)
        line["label"] = growth_words.figure(str(line["label"]))
    data["decimal_mark"] = decimal_mark()  # for the axes' numbers the script writes (display only)
    return data


def growth_chart_description(
    *, client: Client, instrument_id: str, reference: str, points: Sequence[GrowthPoint]
) -> str:
    """The chart's text alternative (the sentence under it), without building the chart."""
    method = _growth_method(instrument_id)
    return growth_words.chart_description(
        reference, method, client.sex, _plotted(client, points), default_centiles(reference, method)
    )


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
    data = trend_chart_data_of(
        title=trend.instrument.name,
        series=trend.series,
        y_label=trend.y_label,
        direction=trend.instrument.direction.value,
        y_ticks=trend.y_ticks or None,
        y_range=trend.y_range,
        integer=trend.integer,
        reference_lines=trend.reference_lines,
    )
    for tick in (*data["y_ticks"], *data["reference_lines"]):  # words the script writes as they are
        tick["label"] = local_decimals(str(tick["label"]))
    data["decimal_mark"] = decimal_mark()  # for the axes' numbers the script writes (display only)
    return data


def trend_chart_description(trend: Trend) -> str:
    return describe_trend(
        trend.instrument.name,
        trend.series,
        trend.y_label,
        trend.instrument.direction.value,
        trend.y_ticks or None,
    )
