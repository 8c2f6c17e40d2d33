"""Trend charts (pure): accessible SVG, a text alternative listing every point, ordinal ticks in their own
words, a marker shape per series so nothing depends on colour."""

from __future__ import annotations

import datetime as dt
import re

import pytest

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


def test_the_chart_data_gives_each_series_its_own_shape_and_the_ordinal_ticks() -> None:
    from kneadwell.outcomes.charts import trend_chart_data

    series = [
        Series("Left", ((D, 3.0), (D + dt.timedelta(days=7), 2.0))),
        Series("Right", ((D, 2.0), (D + dt.timedelta(days=7), 2.0))),
        Series("Empty", ()),
    ]
    label = "Modified Ashworth grade"
    data = trend_chart_data(
        title="MAS", series=series, y_label=label, direction="higher_worse", y_ticks=MAS_TICKS
    )
    assert [s["label"] for s in data["series"]] == ["Left", "Right"]  # an empty series is not drawn
    assert data["series"][0]["marker"] != data["series"][1]["marker"]
    assert data["series"][0]["colour"] != data["series"][1]["colour"]
    assert data["series"][0]["points"] == [{"date": "2026-11-01", "y": 3.0}, {"date": "2026-11-08", "y": 2.0}]
    assert [t["label"] for t in data["y_ticks"]] == ["0", "1", "1+", "2", "3", "4"]
    assert data["y_range"] == [-0.3, 5.3]
    assert data["y_label"] == "Modified Ashworth grade (higher is worse ↑)"
    assert data["x_range"] == ["2026-10-30", "2026-11-10"]  # two days' margin either side
    assert data["legend"] is True
    assert data["description"] == describe_trend("MAS", series, label, "higher_worse", MAS_TICKS)


def test_the_chart_data_keeps_the_whole_scale_and_its_reference_lines() -> None:
    from kneadwell.outcomes.charts import trend_chart_data

    series = [Series("Total", ((D, 4.0),))]
    data = trend_chart_data(
        title="NIPS",
        series=series,
        y_label="Total score",
        y_range=(0.0, 7.0),
        integer=True,
        reference_lines=[(3.5, "↑ pain")],
    )
    assert data["y_range"] == pytest.approx([-0.28, 7.28])
    assert data["integer"] is True
    assert data["reference_lines"] == [{"value": 3.5, "label": "↑ pain"}]
    assert data["legend"] is False
    assert data["series"][0]["dash"] == []
