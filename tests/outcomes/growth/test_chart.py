"""Centile lines from the LMS data, and the SVG a page or PDF report embeds."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from kneadwell.outcomes.growth.chart import (
    COLE_NINE_CENTILES,
    ChartPoint,
    centile_lines,
    chart_points,
    growth_chart_svg,
    sds_for_centile,
)
from kneadwell.outcomes.growth.references import METHOD_CODE, SEX_CODE, lms_table
from kneadwell.outcomes.growth.zscores import centile_for_sds, sds_for_ages

SVG = "{http://www.w3.org/2000/svg}"


def test_the_nine_centiles_are_two_thirds_of_an_sd_apart() -> None:
    sds = [sds_for_centile("uk-who", c) for c in COLE_NINE_CENTILES]
    np.testing.assert_allclose(np.diff(sds), 2 / 3)
    assert sds[4] == 0
    # Their labels are the centiles of those SDS, rounded:
    # 0.383 -> 0.4, 2.275 -> 2, 9.12 -> 9, ... 99.617 -> 99.6.
    for true, label in zip(centile_for_sds(sds), COLE_NINE_CENTILES, strict=True):
        assert abs(true - label) < (0.05 if label % 1 else 0.5)


def test_the_median_line_passes_through_the_table_medians() -> None:
    (median,) = centile_lines("uk-who", "weight", "male", 4.0, 10.0, centiles=[50.0], points_per_segment=200)
    table = lms_table("uk-who", 3, "weight", "male")
    assert table is not None
    segment = median.segments[-1]
    # Rows are monthly, sparse next to 200 grid points, so the line includes them; at a row the median is M.
    for age, m in zip(table.ages, table.m, strict=True):
        if 4.0 <= age <= 10.0:
            (k,) = np.flatnonzero(np.isclose(segment.ages, age, rtol=0, atol=1e-12))
            assert segment.values[k] == pytest.approx(m, rel=1e-12)


def test_a_point_on_a_centile_line_has_that_lines_sds() -> None:
    lines = centile_lines("uk-who", "height", "female", 0.5, 3.5)
    assert len(lines) == 9
    line = lines[7]  # the 98th centile line, +2 SD
    for segment in line.segments:
        ok = np.isfinite(segment.values)
        back = sds_for_ages(
            "uk-who",
            np.full(ok.sum(), METHOD_CODE["height"], dtype=np.int8),
            np.full(ok.sum(), SEX_CODE["female"], dtype=np.int8),
            segment.ages[ok],
            segment.values[ok],
        )
        np.testing.assert_allclose(back.sds, 2.0, atol=1e-9)


def test_lines_break_where_uk_who_changes_table() -> None:
    (line,) = centile_lines("uk-who", "height", "male", centiles=[50.0])
    # Length data start at 25 weeks; tables change at 42 weeks, 2 years (standing height) and 4 years.
    assert len(line.segments) == 4
    assert line.segments[1].ages[-1] < 2.0 <= line.segments[2].ages[0]
    lying, standing = line.segments[1].values[-1], line.segments[2].values[0]
    assert lying - standing == pytest.approx(0.7, abs=0.3)  # the WHO lying-to-standing step


def test_no_lines_where_a_reference_has_no_data() -> None:
    assert centile_lines("turners", "weight", "female") == []
    assert len(centile_lines("cdc", "bmi", "male")) == 8


def _points() -> list[ChartPoint]:
    # Born at 30+2 on 1 Jan 2026, weighed four times.
    return chart_points(
        dt.date(2026, 1, 1),
        [
            (dt.date(2026, 1, 1), 1.4),
            (dt.date(2026, 2, 1), 1.9),
            (dt.date(2026, 3, 1), 2.6),
            (dt.date(2026, 4, 15), 3.9),
        ],
        30,
        2,
        centiles=[50.0, 20.0, 10.0, 5.0],
    )


def test_the_svg_is_accessible_and_holds_the_childs_points() -> None:
    points = _points()
    svg = growth_chart_svg("uk-who", "weight", "female", points)
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG (well-formed, no prolog)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "growth-chart-title growth-chart-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Weight (UK-WHO, girls)"
    assert desc is not None
    assert desc.text is not None
    assert "4 measurements" in desc.text
    assert "30+2 weeks postmenstrual age" in desc.text
    assert "2026-04-15: 3.9 kg" in desc.text
    corrected = root.find(f".//{SVG}g[@id='corrected-points']")
    chronological = root.find(f".//{SVG}g[@id='chronological-points']")
    assert corrected is not None
    assert chronological is not None
    assert len(corrected.findall(f".//{SVG}use")) == 4
    assert len(chronological.findall(f".//{SVG}use")) == 4
    # The corrected points sit left of the chronological ones (the baby was born 68 days early).
    xs_corrected = [float(u.get("x", "nan")) for u in corrected.iter(f"{SVG}use")]
    xs_chrono = [float(u.get("x", "nan")) for u in chronological.iter(f"{SVG}use")]
    assert all(a < b for a, b in zip(xs_corrected, xs_chrono, strict=True))
    # Self-contained and light: no scripts, no external references, text kept as text.
    assert "<script" not in svg
    assert "http://" not in svg.replace("http://www.w3.org/", "")
    assert "<text" in svg
    assert len(svg) < 80_000


def test_the_same_chart_gives_the_same_bytes() -> None:
    points = _points()
    assert growth_chart_svg("uk-who", "weight", "female", points) == growth_chart_svg(
        "uk-who", "weight", "female", points
    )


def test_title_and_description_are_escaped() -> None:
    svg = growth_chart_svg(
        "who", "height", "male", [], title="Ana & <Ben>", description='a "b" < c', age_range=(0, 5)
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    assert root.find(f"{SVG}title").text == "Ana & <Ben>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == 'a "b" < c'  # type: ignore[union-attr]
