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
    sds_for_centile,
)
from kneadwell.outcomes.growth.chart_svg import growth_chart_svg
from kneadwell.outcomes.growth.references import METHOD_CODE, SEX_CODE, lms_table
from kneadwell.outcomes.growth.sds import centile_for_sds, sds_for_ages

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
    svg = growth_chart_svg("uk-who", "weight", "female", points, chronological="all")
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


def _daily_preterm_weights(days: int = 10, from_day: int = 20) -> list[ChartPoint]:
    """Daily weights of a baby born at 30+2 weeks, from `from_day` days old."""
    birth = dt.date(2026, 1, 1)
    return chart_points(
        birth, [(birth + dt.timedelta(days=from_day + d), 1.30 + 0.02 * d) for d in range(days)], 30, 2
    )


def _groups(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("id")}


def test_before_term_a_preterm_babys_daily_weights_are_plotted_at_corrected_age_alone() -> None:
    points = _daily_preterm_weights()  # 33 to 34 weeks postmenstrual age
    svg = growth_chart_svg("uk-who", "weight", "female", points)
    groups = _groups(svg)
    assert len(groups["corrected-points"].findall(f".//{SVG}use")) == 10
    assert "chronological-points" not in groups
    assert "age-correction" not in groups
    assert "(chronological age 29 days)" in svg  # still in the text alternative


def test_after_term_daily_weights_show_the_chronological_point_of_the_latest_only() -> None:
    points = _daily_preterm_weights(from_day=90)  # about 5 weeks corrected
    svg = growth_chart_svg("uk-who", "weight", "female", points)
    groups = _groups(svg)
    assert len(groups["corrected-points"].findall(f".//{SVG}use")) == 10
    assert len(groups["chronological-points"].findall(f".//{SVG}use")) == 1  # the latest weight
    line = groups["age-correction"].find(f".//{SVG}path")
    assert line is not None
    assert line.get("d", "").count("M") == 1  # one line, from the latest corrected point to its twin
    assert "the latest also at chronological age" in svg
    # On request, every weight carries its chronological point; or none does.
    every = _groups(growth_chart_svg("uk-who", "weight", "female", points, chronological="all"))
    assert len(every["corrected-points"].findall(f".//{SVG}use")) == 10
    assert len(every["chronological-points"].findall(f".//{SVG}use")) == 10
    none = _groups(growth_chart_svg("uk-who", "weight", "female", points, chronological="none"))
    assert "chronological-points" not in none
    assert "age-correction" not in none


def test_the_axes_fit_the_points_not_the_whole_reference() -> None:
    from kneadwell.outcomes.growth.chart import _default_range, _value_range, _with_chronological

    points = _daily_preterm_weights(from_day=90)
    lo, hi = _value_range(points) or (0.0, 0.0)
    assert 1.0 < lo < 1.30  # a margin below 1.30 kg, not down to the bottom centile's values
    assert 1.48 < hi < 1.8
    age_lo, age_hi = _default_range(
        "uk-who", "weight", "female", points, _with_chronological(points, "latest")
    )
    assert age_hi - age_lo < 0.3  # weeks (in years), not the reference's 20 years
    assert age_lo <= min(p.corrected_age for p in points)
    assert age_hi >= max(p.chronological_age for p in points)  # the latest chronological point shows


def test_a_term_baby_has_no_chronological_points() -> None:
    birth = dt.date(2026, 1, 1)
    points = chart_points(birth, [(birth + dt.timedelta(days=d), 3.4 + 0.03 * d) for d in (3, 10)], 40, 0)
    groups = _groups(growth_chart_svg("uk-who", "weight", "male", points))
    assert "chronological-points" not in groups


def test_the_chart_data_draws_what_the_svg_draws() -> None:
    """The browser's chart (growth_chart_data) has the SVG's points, axes and centile lines."""
    from kneadwell.outcomes.growth.chart import _default_range, _fit_values, _with_chronological
    from kneadwell.outcomes.growth.chart_data import growth_chart_data

    points = _daily_preterm_weights(from_day=90)
    data = growth_chart_data("uk-who", "weight", "female", points)
    assert [p["y"] for p in data["points"]] == [p.value for p in points]
    ages = [round(p.corrected_age * 365.25) for p in points]
    assert [p["corrected_age_days"] for p in data["points"]] == ages
    # The latest alone at chronological age, as in the SVG.
    (chrono,) = data["chronological"]
    assert chrono["y"] == points[-1].value
    marked = _with_chronological(points, "auto")
    lo, hi = _default_range("uk-who", "weight", "female", points, marked)
    lines = centile_lines("uk-who", "weight", "female", lo, hi)
    # Weeks after term: the axis is in weeks, corrected age times 365.25/7.
    assert data["x_label"] == "Age (weeks), corrected for gestation"
    assert data["x_range"] == pytest.approx([lo * 365.25 / 7, hi * 365.25 / 7], abs=1e-3)
    assert data["y_range"] == pytest.approx(list(_fit_values(points, lines) or ()), abs=1e-3)
    assert len(data["centiles"]) == 9
    for line, expected in zip(data["centiles"], lines, strict=True):
        for seg, want in zip(line["segments"], expected.segments, strict=True):
            assert seg["y"] == pytest.approx([float(v) for v in want.values], abs=1e-3)
    assert data["description"] == describe_chart_text(points)


def describe_chart_text(points: list[ChartPoint]) -> str:
    from kneadwell.outcomes.growth.chart import describe_chart

    return describe_chart("uk-who", "weight", "female", points, COLE_NINE_CENTILES)


def test_the_chart_data_is_plain_json_without_nan() -> None:
    import json

    from kneadwell.outcomes.growth.chart_data import growth_chart_data

    points = _daily_preterm_weights()
    text = json.dumps(growth_chart_data("uk-who", "weight", "female", points), allow_nan=False)
    assert "postmenstrual" in json.loads(text)["x_label"].lower()  # before term: the PMA axis
