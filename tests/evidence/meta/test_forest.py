"""The forest plot SVG parses, carries a text alternative and has one row per study."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from kneadwell.evidence.meta.effect_sizes import binary_effects, generic_effects
from kneadwell.evidence.meta.forest import describe, render_forest_svg
from kneadwell.evidence.meta.pooling import MetaResult, Method, meta_analyse

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own output, not outside input


def groups_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {g.attrib["id"]: g for g in root.iter(f"{SVG}g") if "id" in g.attrib}


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


@pytest.fixture
def bcg_result(bcg: Any) -> MetaResult:
    effects = binary_effects(
        "RR", bcg.events_treatment, bcg.n_treatment, bcg.events_control, bcg.n_control, bcg.labels
    )
    return meta_analyse(effects, Method.REML)


def test_every_study_has_a_row_with_its_label_interval_and_weight(bcg_result: MetaResult, bcg: Any) -> None:
    root = parse(render_forest_svg(bcg_result))
    groups = groups_by_id(root)
    for number, label in enumerate(bcg.labels, start=1):
        assert f"study-row-{number}-ci" in groups
        assert f"study-row-{number}-point" in groups
        assert texts(groups[f"study-row-{number}-label"]) == [label]
        values = texts(groups[f"study-row-{number}-values"])[0]
        assert "%" in values
        assert "[" in values
    assert f"study-row-{len(bcg.labels) + 1}-ci" not in groups
    rows = sorted(k for k in groups if k.startswith("study-row-") and k.endswith("-ci"))
    assert len(rows) == 13


def test_the_pooled_diamond_and_the_line_of_no_effect_are_drawn(bcg_result: MetaResult) -> None:
    root = parse(render_forest_svg(bcg_result))
    groups = groups_by_id(root)
    assert "pooled-diamond" in groups
    assert "line-of-no-effect" in groups
    assert texts(groups["pooled-values"])[0].startswith("0.49 [0.34, 0.70]")


def test_the_svg_has_a_title_and_a_description_for_screen_readers(bcg_result: MetaResult) -> None:
    root = parse(render_forest_svg(bcg_result, title="BCG vaccine and tuberculosis"))
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "forest-title forest-desc"
    titles = root.findall(f"{SVG}title")
    assert [t.text for t in titles] == ["BCG vaccine and tuberculosis"]
    assert titles[0].attrib["id"] == "forest-title"
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.attrib["id"] == "forest-desc"
    assert desc.text is not None
    assert "13 studies" in desc.text
    assert "Ferguson & Simes 1949" in desc.text  # escaped in the file, plain text once parsed
    assert "Pooled estimate 0.49 (95% CI 0.34 to 0.70)" in desc.text
    assert "I² 92%" in desc.text


def test_text_stays_text_so_it_can_be_read_and_searched(bcg_result: MetaResult) -> None:
    svg = render_forest_svg(bcg_result)
    assert "Aronson 1948</text>" in svg
    assert 'id="DejaVuSans' not in svg  # no glyph outlines (what svg.fonttype "path" would embed)


def test_ratio_measures_use_a_log_axis_with_plain_tick_labels(bcg_result: MetaResult) -> None:
    all_text = texts(parse(render_forest_svg(bcg_result)))
    assert "RR (log scale)" in all_text
    assert "1" in all_text
    assert "0.5" in all_text


def test_differences_use_a_linear_axis_centred_on_zero() -> None:
    result = meta_analyse(generic_effects("MD", [1.0, -0.5, 2.0], [0.2, 0.3, 0.5], ["a", "b", "c"]))
    root = parse(render_forest_svg(result))
    all_text = texts(root)
    assert "MD" in all_text
    assert not any("log scale" in t for t in all_text)
    assert "line of no effect at 0" in describe(result)


def test_a_single_study_still_renders() -> None:
    result = meta_analyse(generic_effects("RR", [math.log(0.7)], [0.05], ["Only trial"]))
    root = parse(render_forest_svg(result))
    assert "study-row-1-ci" in groups_by_id(root)
    assert "Heterogeneity" not in describe(result)


def test_the_output_is_the_same_every_time(bcg_result: MetaResult) -> None:
    assert render_forest_svg(bcg_result) == render_forest_svg(bcg_result)
