"""Rewriting the pages' SVG charts for fpdf2: the same shapes with far fewer elements."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from kneadwell.outcomes.charts import Series, trend_chart_svg
from kneadwell.outcomes.growth import chart_points, growth_chart_svg
from kneadwell.reports.vector import circle_radius, svg_for_pdf, svg_size_pt, translate_path

NS = {"svg": "http://www.w3.org/2000/svg"}
# matplotlib's "o" marker of radius 2: eight cubic curves round the origin.
CIRCLE = (
    "M 0 2 C 0.53 2 1.04 1.79 1.41 1.41 C 1.79 1.04 2 0.53 2 0 C 2 -0.53 1.79 -1.04 1.41 -1.41 "
    "C 1.04 -1.79 0.53 -2 0 -2 C -0.53 -2 -1.04 -1.79 -1.41 -1.41 C -1.79 -1.04 -2 -0.53 -2 0 "
    "C -2 0.53 -1.79 1.04 -1.41 1.41 C -1.04 1.79 -0.53 2 0 2 z"
)


def test_a_path_moves_by_the_offset_and_refuses_commands_it_cannot_move() -> None:
    assert translate_path("M 0 0 L 1 -2 C 1 1 2 2 3 3 H 4 V 5 z", 10, 20) == (
        "M 10 20 L 11 18 C 11 21 12 22 13 23 H 14 V 25 z"
    )
    assert translate_path("m 0 0 l 1 1", 1, 1) is None  # relative
    assert translate_path("M 0 0 A 1 1 0 0 1 2 2", 1, 1) is None  # arc


def test_only_a_centred_circle_counts_as_a_circle_marker() -> None:
    assert circle_radius(CIRCLE) == pytest.approx(2.0)
    assert circle_radius("M 0 0 L 0 3.5") is None  # a tick
    assert circle_radius("M 0 2 C 0 2 4 2 4 0 z") is None  # not centred on the origin


def _growth_svg(days: int = 60) -> str:
    birth = dt.date(2025, 1, 1)
    points = chart_points(birth, [(birth + dt.timedelta(days=d), 1.4 + 0.02 * d) for d in range(days)], 30, 2)
    # Every point at both ages (on request), to test the conversion of many markers and lines.
    return growth_chart_svg(
        "uk-who", "weight", "female", points, width_in=4.6, height_in=4.0, chronological="all"
    )


def test_a_growth_chart_keeps_its_text_and_draws_every_point_as_dots() -> None:
    svg = _growth_svg(60)
    simple = svg_for_pdf(svg)
    before, after = ET.fromstring(svg), ET.fromstring(simple)  # noqa: S314 - charts drawn here
    drawn = lambda root: len(root.findall(".//svg:path", NS)) + len(root.findall(".//svg:use", NS))  # noqa: E731
    # The 120 marker <use>s (60 points, drawn at corrected and at chronological age) become 3 dot paths.
    assert len(before.findall(".//svg:use", NS)) >= 120  # and the axis ticks
    assert drawn(after) <= drawn(before) - 120 + 3
    assert not after.findall(".//svg:use", NS)
    assert not after.findall(".//svg:title", NS)
    assert not after.findall(".//svg:desc", NS)
    texts = lambda root: [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]  # noqa: E731
    assert texts(after) == texts(before)
    dots = [
        p
        for p in after.iter("{http://www.w3.org/2000/svg}path")
        if "stroke-linecap: round" in p.get("style", "")
    ]
    # Filled markers (one layer) and hollow markers (outline, then the white centre): 60 points each.
    assert len(dots) == 3
    assert all(len(re.findall("M", p.get("d", ""))) == 60 for p in dots)
    centre = next(p for p in dots if "#ffffff" in p.get("style", ""))
    outline = dots[dots.index(centre) - 1]
    width = lambda p: float(re.search(r"stroke-width: ([\d.]+)", p.get("style", "")).group(1))  # type: ignore[union-attr]  # noqa: E731
    assert width(outline) - width(centre) == pytest.approx(2 * 0.8)  # the outline's width, on both sides
    # The 60 age-correction lines are one path.
    assert (
        max(len(re.findall("M", p.get("d", ""))) for p in after.iter("{http://www.w3.org/2000/svg}path"))
        >= 60
    )
    assert svg_size_pt(simple) == svg_size_pt(svg) == pytest.approx((331.2, 288.0))


def test_a_trend_chart_comes_through_with_its_labels() -> None:
    day = dt.date(2026, 1, 1)
    svg = trend_chart_svg(
        title="NIPS",
        series=(Series("Total", tuple((day + dt.timedelta(days=k), float(k % 4)) for k in range(12))),),
        y_label="Total score",
        direction="higher_worse",
        y_ticks=None,
        y_range=(0, 7),
        integer=True,
        reference_lines=((3.5, "↑ pain"),),
    )
    simple = svg_for_pdf(svg)
    assert "↑ pain" in simple
    assert "<use" not in simple
