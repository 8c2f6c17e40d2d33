"""The SVG body map: well-formed, one titled shape per region view, highlights and avoidances in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kneadwell.library.bodymap import SHAPES, VIEW_CENTRE, View, render_body_map
from kneadwell.library.catalog import Library

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def shapes(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("id", ""): el for el in root.iter() if el.get("data-region")}


def test_every_area_is_drawn_with_an_id_and_a_title(library: Library) -> None:
    root = parse(render_body_map(library))
    drawn = shapes(root)
    for region in library.regions.values():
        for svg_id in region.svg_ids:
            element = drawn[f"bm-{svg_id}"]
            assert element.tag in (f"{{{NS['svg']}}}path", f"{{{NS['svg']}}}ellipse")
            assert element.get("data-region") == region.id
            title = element.find("svg:title", NS)
            assert title is not None
            assert region.label in (title.text or "")
    assert len(drawn) == sum(len(r.svg_ids) for r in library.regions.values())


def test_the_map_is_labelled_for_screen_readers(library: Library) -> None:
    root = parse(
        render_body_map(library, highlighted=["abdomen"], avoided=["left_foot"], title="Today's plan")
    )
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "bm-title bm-desc"
    assert root.find("svg:title", NS).text == "Today's plan"  # type: ignore[union-attr]
    desc = root.find("svg:desc", NS).text or ""  # type: ignore[union-attr]
    assert "Highlighted: tummy, belly button (umbilical area)." in desc
    assert "Avoid: left foot." in desc


def test_groups_light_up_their_areas_and_avoided_wins(library: Library) -> None:
    drawn = shapes(parse(render_body_map(library, highlighted=["left_leg"], avoided=["left_knee"])))
    assert "bm-highlighted" in drawn["bm-front-left_thigh"].get("class", "")
    assert "bm-avoided" in drawn["bm-front-left_knee"].get("class", "")
    assert drawn["bm-front-left_knee"].get("stroke-dasharray")  # not colour alone
    assert "avoid" in (drawn["bm-back-left_knee"].find("svg:title", NS).text or "")  # type: ignore[union-attr]
    assert "bm-plain" in drawn["bm-front-right_thigh"].get("class", "")
    assert "bm-plain" in drawn["bm-front-left_foot"].get("class", "")  # the foot is not part of the leg group


def test_sides_are_mirrored_between_front_and_back() -> None:
    # Front: the client faces the reader, so the client's left is on the reader's right.
    assert SHAPES["front-left_hand"].cx > VIEW_CENTRE["front"] > SHAPES["front-right_hand"].cx
    # Back: seen from behind, the client's left is on the reader's left.
    assert SHAPES["back-left_hand"].cx < VIEW_CENTRE["back"] < SHAPES["back-right_hand"].cx


def test_a_prefix_keeps_two_maps_on_one_page_apart(library: Library) -> None:
    a = shapes(parse(render_body_map(library, id_prefix="plan")))
    b = shapes(parse(render_body_map(library, id_prefix="today")))
    assert "plan-front-chest" in a
    assert "today-front-chest" in b
    assert not set(a) & set(b)


def test_one_view_can_be_drawn_alone(library: Library) -> None:
    back_only: tuple[View, ...] = ("back",)
    drawn = shapes(parse(render_body_map(library, views=back_only)))
    assert drawn
    assert all(key.startswith("bm-back-") for key in drawn)


def test_titles_are_escaped(library: Library) -> None:
    root = parse(render_body_map(library, title="<script>x</script> & more"))
    assert root.find("svg:title", NS).text == "<script>x</script> & more"  # type: ignore[union-attr]


def test_an_unknown_region_is_refused(library: Library) -> None:
    with pytest.raises(ValueError, match="unknown body region"):
        render_body_map(library, highlighted=["tail"])
