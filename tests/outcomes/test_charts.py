"""Trend charts (pure): accessible SVG, a text alternative listing every point, ordinal ticks in their own
words, a marker shape per series so nothing depends on colour."""

from __future__ import annotations

import datetime as dt
import re

from kneadwell.outcomes.charts import MARKERS, Series, describe_trend, trend_chart_svg

D = dt.date(2026, 11, 1)
MAS_TICKS = [(0.0, "0"), (1.0, "1"), (2.0, "1+"), (3.0, "2"), (4.0, "3"), (5.0, "4")]


def test_the_svg_is_accessible_and_self_contained() -> None:
    svg = trend_chart_svg(
        title="NIPS",
        series=[Series("Total", ((D, 5.0), (D + dt.timedelta(days=7), 2.0)))],
        y_label="Total score",
        direction="higher_worse",
        y_range=(0, 7),
        integer=True,
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert '<title id="trend-chart-title">NIPS</title>' in svg
    assert "01 Nov 2026 5; 08 Nov 2026 2" in svg  # the description lists the points
    assert "higher is worse" in svg
    assert "<script" not in svg
    assert 'xlink:href="http' not in svg


def test_mas_grades_are_labelled_as_grades_never_decimals() -> None:
    svg = trend_chart_svg(
        title="MAS",
        series=[Series("Elbow flexors, left", ((D, 3.0), (D + dt.timedelta(days=14), 2.0)))],
        y_label="Modified Ashworth grade",
        direction="higher_worse",
        y_ticks=MAS_TICKS,
    )
    labels = re.findall(r">([0-9+.]+)<", svg)
    assert "1+" in labels
    assert "2.5" not in labels
    assert "1.5" not in labels
    assert "Elbow flexors, left: 01 Nov 2026 2; 15 Nov 2026 1+" in describe_trend(
        "MAS",
        [Series("Elbow flexors, left", ((D, 3.0), (D + dt.timedelta(days=14), 2.0)))],
        "grade",
        "",
        MAS_TICKS,
    )


def test_each_series_has_its_own_marker_and_a_legend() -> None:
    series = [
        Series(f"Movement {k}", ((D, 50.0 + k), (D + dt.timedelta(days=7), 60.0 + k))) for k in range(3)
    ]
    svg = trend_chart_svg(title="ROM", series=series, y_label="% of normal", direction="higher_better")
    for k in range(3):
        assert f'id="series-{k}"' in svg
        assert f"Movement {k}" in svg
    assert len(set(MARKERS[:3])) == 3


def test_an_empty_chart_says_so_in_words() -> None:
    assert "No values to plot." in describe_trend("NIPS", [Series("Total", ())], "Total", "higher_worse")


def test_the_same_data_gives_the_same_bytes() -> None:
    series = [Series("Total", ((D, 1.0), (D + dt.timedelta(days=1), 2.0)))]
    first = trend_chart_svg(title="x", series=series, y_label="y")
    assert first == trend_chart_svg(title="x", series=series, y_label="y")
