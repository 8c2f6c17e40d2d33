"""A simple, accessible SVG body map (front and back) drawn from plain shapes, with no external assets.

Every drawable region of regions.yaml names its shapes by svg id ("front-left_thigh"); SHAPES below holds
the geometry for each id, and the loader refuses a region whose svg id has no shape here. The rendered
element ids are "<prefix>-<svg id>" so that two maps can share a page.

Sides: the front view shows the client facing the reader, so the client's right side is on the reader's
left; the back view shows the client from behind, so the client's left is on the reader's left.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library

View = Literal["front", "back"]
VIEW_CENTRE: dict[View, float] = {"front": 105.0, "back": 315.0}
WIDTH, HEIGHT = 420, 420


@dataclass(frozen=True)
class Shape:
    view: View
    kind: Literal["ellipse", "rect"]
    cx: float
    cy: float
    rx: float  # half width
    ry: float  # half height

    def path(self) -> str:
        left, right = self.cx - self.rx, self.cx + self.rx
        top, bottom = self.cy - self.ry, self.cy + self.ry
        return f"M{left:g} {top:g}H{right:g}V{bottom:g}H{left:g}Z"


def _x(view: View, side: str, distance: float) -> float:
    """Centre x of a shape `distance` from the midline on the client's `side` in `view`."""
    reader_left = (side == "right") if view == "front" else (side == "left")
    return VIEW_CENTRE[view] + (-distance if reader_left else distance)


# (name, kind, distance from midline, centre y, half width, half height, views)
_LIMB_SHAPES: tuple[
    tuple[str, Literal["ellipse", "rect"], float, float, float, float, tuple[View, ...]], ...
] = (
    ("shoulder", "ellipse", 44, 100, 12, 10, ("front", "back")),
    ("upper_arm", "rect", 50, 135, 7, 25, ("front", "back")),
    ("forearm", "rect", 54, 187, 6, 25, ("front", "back")),
    ("wrist", "ellipse", 55, 218, 7, 5, ("front", "back")),
    ("hand", "ellipse", 56, 236, 9, 12, ("front", "back")),
    ("hip", "ellipse", 20, 215, 13, 9, ("front",)),
    ("thigh", "rect", 17, 260, 13, 34, ("front", "back")),
    ("knee", "ellipse", 17, 302, 12, 8, ("front", "back")),
    ("lower_leg", "rect", 17, 341, 10, 29, ("front", "back")),
    ("ankle", "ellipse", 17, 376, 9, 6, ("front", "back")),
    ("foot", "ellipse", 19, 393, 12, 8, ("front", "back")),
)

# (svg id, kind, centre y, half width, half height); all on the midline. Order is drawing order.
_TRUNK_SHAPES: tuple[tuple[str, Literal["ellipse", "rect"], float, float, float], ...] = (
    ("front-face", "ellipse", 50, 24, 28),
    ("back-head", "ellipse", 50, 24, 28),
    ("front-neck", "rect", 86, 9, 8),
    ("back-neck", "rect", 86, 9, 8),
    ("front-chest", "rect", 122, 34, 28),
    ("back-upper_back", "rect", 122, 34, 28),
    ("front-abdomen", "rect", 177.5, 32, 27.5),
    ("back-lower_back", "rect", 177.5, 32, 27.5),
    ("back-buttocks", "rect", 219, 32, 14),
    ("front-umbilical_area", "ellipse", 182, 8, 8),
)


def _build_shapes() -> dict[str, Shape]:
    shapes: dict[str, Shape] = {}
    for svg_id, kind, cy, rx, ry in _TRUNK_SHAPES:
        view: View = "front" if svg_id.startswith("front-") else "back"
        shapes[svg_id] = Shape(view, kind, VIEW_CENTRE[view], cy, rx, ry)
    for name, kind, distance, cy, rx, ry, views in _LIMB_SHAPES:
        for view in views:
            for side in ("left", "right"):
                # Seen from behind, the back of the thigh starts below the buttocks.
                top_adjust = 8 if (view == "back" and name == "thigh") else 0
                shapes[f"{view}-{side}_{name}"] = Shape(
                    view, kind, _x(view, side, distance), cy + top_adjust / 2, rx, ry - top_adjust / 2
                )
    return shapes


SHAPES: dict[str, Shape] = _build_shapes()

_STYLE = {
    "plain": ('fill="#f3f1ee" stroke="#8a8580" stroke-width="1"', ""),
    "highlighted": ('fill="#8fd0bd" stroke="#1b6e5a" stroke-width="2"', "to be worked"),
    "avoided": ('fill="#f6c9c4" stroke="#a3221a" stroke-width="2" stroke-dasharray="4 2"', "avoid"),
}


def render_body_map(
    library: Library,
    *,
    highlighted: Iterable[str] = (),
    avoided: Iterable[str] = (),
    title: str = "Body map",
    id_prefix: str = "bm",
    views: Collection[View] = ("front", "back"),
) -> str:
    """An inline SVG of the body with `highlighted` regions filled and `avoided` regions hatched red.

    Region ids may be groups (left_leg) or areas; groups light up all their areas. Avoided wins over
    highlighted. Colour is never the only signal: avoided shapes are dashed, and every shape's <title>
    and the map's <desc> say in words what is highlighted or avoided.
    """
    unknown = sorted({*highlighted, *avoided} - set(library.regions))
    if unknown:
        raise ValueError(f"unknown body region(s): {', '.join(unknown)}")
    avoid_areas = library.areas_of(avoided)
    work_areas = library.areas_of(highlighted) - avoid_areas
    by_svg = {svg: region for region in library.regions.values() for svg in region.svg_ids}

    def labels(areas: set[str]) -> str:
        return ", ".join(library.regions[a].label.lower() for a in sorted(areas)) or "none"

    t_id, d_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{t_id} {d_id}" class="body-map">',
        f'<title id="{t_id}">{escape(title)}</title>',
        f'<desc id="{d_id}">Front and back views. Highlighted: {escape(labels(work_areas))}. '
        f"Avoid: {escape(labels(avoid_areas))}.</desc>",
    ]
    for view in ("front", "back"):
        if view not in views:
            continue
        parts.append(f'<g id="{id_prefix}-{view}" class="body-map-{view}">')
        parts.append(
            f'<text x="{VIEW_CENTRE[view]:g}" y="14" text-anchor="middle" font-size="12" '
            f'fill="#444">{"Front" if view == "front" else "Back"}</text>'
        )
        for svg_id, shape in SHAPES.items():
            region = by_svg.get(svg_id)
            if shape.view != view or region is None:
                continue
            state = (
                "avoided"
                if region.id in avoid_areas
                else "highlighted"
                if region.id in work_areas
                else "plain"
            )
            style, said = _STYLE[state]
            label = f"{region.label} ({view})" + (f": {said}" if said else "")
            attrs = (
                f"id={quoteattr(f'{id_prefix}-{svg_id}')} data-region={quoteattr(region.id)} "
                f'class="bm-region bm-{state}" {style}'
            )
            if shape.kind == "ellipse":
                geometry = f'cx="{shape.cx:g}" cy="{shape.cy:g}" rx="{shape.rx:g}" ry="{shape.ry:g}"'
                parts.append(f"<ellipse {attrs} {geometry}><title>{escape(label)}</title></ellipse>")
            else:
                parts.append(f'<path {attrs} d="{shape.path()}"><title>{escape(label)}</title></path>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
