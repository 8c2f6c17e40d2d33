"""The pages' SVG charts, made cheap for fpdf2 to draw. Pure: no Django.

The PDF embeds the very SVG the pages show (outcomes' growth and trend charts, matplotlib output). fpdf2
draws SVG itself, with no system library, but slowly for matplotlib's way of writing a chart: every
marker is a `<use>` of a shared path (fpdf2 deep-copies the path for each one) and every short line (the
age-correction lines of a growth chart: one per weight) is its own group. A year of daily weights took
fpdf2 about 1.2 s to place, beyond the whole report's 1 s budget. `svg_for_pdf` rewrites the SVG into an
equivalent one with few elements:

- each run of `<use>` markers with one look (style and clip) becomes one `<path>`: the marker outline
  moved to each point, all in one path. Circle markers (matplotlib's "o", eight Bézier curves each)
  become dots instead: a zero-length line with round caps is a filled circle of the line's width (PDF
  32000-1:2008, 8.5.3.2, "Stroking": a degenerate subpath with round caps paints a dot), so a marker of
  radius r with an outline of width w is a dot of diameter 2r + w in the outline's colour, and, when its
  fill differs, a dot of diameter 2r − w in the fill colour over it. The same shapes, in 2 commands per
  marker instead of 9;
- each run of sibling groups that hold one unfilled path with the same style and clip becomes one path
  with many sub-paths (for unfilled strokes this draws exactly the same lines);
- `<title>`, `<desc>` and `<metadata>` are dropped (fpdf2 ignores them with a warning; the PDF prints
  the chart's caption and a table instead).

The same year of weights then takes about 0.06 s. One visible difference: where hollow markers overlap,
all their white centres are painted after all their outlines (the SVG paints each marker whole, in turn),
so a dense run of hollow markers shows as a white band edged in the outline colour rather than a solid
band. Markers with any opacity are left alone, since overlaps would darken differently.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_G = f"{{{SVG_NS}}}g"
_PATH = f"{{{SVG_NS}}}path"
_USE = f"{{{SVG_NS}}}use"
_HREF = f"{{{XLINK_NS}}}href"
_DROP = {f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}desc", f"{{{SVG_NS}}}metadata"}

_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PAIR_COMMANDS = frozenset("MLCQST")  # absolute commands whose arguments are all x,y pairs
_ROOT = re.compile(r"<svg\b[^>]*>", re.S)
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*(pt|px)?\s*$")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def translate_path(d: str, dx: float, dy: float) -> str | None:
    """Path data `d` moved by (dx, dy); None when it uses a command we do not move (relative or arc
    commands: matplotlib writes markers with absolute M, L, C and Z only)."""
    out: list[str] = []
    command = ""
    k = 0
    for part in _TOKEN.findall(d):
        if part.isalpha():
            if part not in _PAIR_COMMANDS and part not in "HVZz":
                return None
            command, k = part, 0
            out.append(part)
            continue
        if not command or command in "Zz":
            return None
        value = float(part)
        if command == "H":
            value += dx
        elif command == "V":
            value += dy
        else:
            value += dx if k % 2 == 0 else dy
        k += 1
        out.append(_number(value))
    return " ".join(out)


def _style(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (text or "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip()] = value.strip()
    return out


def _style_text(style: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in style.items())


def circle_radius(d: str) -> float | None:
    """The radius when `d` is a circle centred on the origin drawn with one M and cubic curves (how
    matplotlib writes its "o" marker); None for any other shape."""
    parts = _TOKEN.findall(d)
    letters = [p for p in parts if p.isalpha()]
    if not letters or letters[0] != "M" or letters[-1] not in "Zz" or set(letters[1:-1]) != {"C"}:
        return None
    numbers = [float(p) for p in parts if not p.isalpha()]
    xs, ys = numbers[0::2], numbers[1::2]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if width <= 0 or abs(width - height) > 0.02 * width:
        return None
    if abs(max(xs) + min(xs)) > 0.02 * width or abs(max(ys) + min(ys)) > 0.02 * width:
        return None
    return width / 2


def _dots(points: list[tuple[float, float]], colour: str, diameter: float, clip: str) -> ET.Element:
    d = " ".join(f"M {_number(x)} {_number(y)} L {_number(x)} {_number(y)}" for x, y in points)
    style = f"fill: none; stroke: {colour}; stroke-width: {_number(diameter)}; stroke-linecap: round"
    path = ET.Element(_PATH, {"d": d, "style": style})
    if clip:
        path.set("clip-path", clip)
    return path


def _as_dots(style: dict[str, str], radius: float) -> list[tuple[str, float]] | None:
    """(colour, diameter) of the dots that draw a circle marker with this style, outer first; None when
    dots cannot draw it (no fill: the inside must stay see-through)."""
    fill = style.get("fill", "#000000")
    stroke = style.get("stroke", "none")
    if fill == "none":
        return None
    if stroke == "none":
        return [(fill, 2 * radius)]
    width = float(style.get("stroke-width", "1").removesuffix("px") or 1)
    layers = [(stroke, 2 * radius + width)]
    if fill != stroke and 2 * radius > width:
        layers.append((fill, 2 * radius - width))
    return layers


def _merge_uses(parent: ET.Element, defs: dict[str, ET.Element]) -> None:
    uses = [child for child in parent if child.tag == _USE]
    if not uses:
        return
    runs: dict[tuple[str, str], list[tuple[ET.Element, str]]] = {}
    dot_runs: dict[tuple[str, str, float], list[tuple[ET.Element, float, float]]] = {}
    for use in uses:
        target = defs.get((use.get(_HREF) or use.get("href") or "").lstrip("#"))
        if target is None or set(use.attrib) - {_HREF, "href", "x", "y", "style", "clip-path"}:
            continue
        # The referenced path's own style wins over what the <use> passes down (SVG inheritance).
        style = {**_style(use.get("style")), **_style(target.get("style"))}
        if any("opacity" in key for key in style):
            continue
        radius = circle_radius(target.get("d", ""))
        if radius is not None and _as_dots(style, radius) is not None:
            key = (_style_text(style), use.get("clip-path", ""), radius)
            dot_runs.setdefault(key, []).append((use, float(use.get("x", 0)), float(use.get("y", 0))))
            continue
        moved = translate_path(target.get("d", ""), float(use.get("x", 0)), float(use.get("y", 0)))
        if moved is None:
            continue
        runs.setdefault((_style_text(style), use.get("clip-path", "")), []).append((use, moved))
    for (style_text, clip), items in runs.items():
        at = list(parent).index(items[0][0])
        path = ET.Element(_PATH, {"d": " ".join(d for _, d in items), "style": style_text})
        if clip:
            path.set("clip-path", clip)
        for use, _ in items:
            parent.remove(use)
        parent.insert(at, path)
    for (style_text, clip, radius), found in dot_runs.items():
        at = list(parent).index(found[0][0])
        layers = _as_dots(_style(style_text), radius) or []
        points = [(x, y) for _, x, y in found]
        for use, _, _ in found:
            parent.remove(use)
        for k, (colour, diameter) in enumerate(layers):
            parent.insert(at + k, _dots(points, colour, diameter, clip))


def _single_stroke(group: ET.Element) -> tuple[str, str] | None:
    """(style, clip) when `group` is a plain group holding one unfilled path, else None."""
    if group.tag != _G or set(group.attrib) - {"id"} or len(group) != 1:
        return None
    path = group[0]
    if path.tag != _PATH or set(path.attrib) - {"d", "style", "clip-path"}:
        return None
    style = _style(path.get("style"))
    if style.get("fill") != "none" or any("opacity" in key for key in style):
        return None
    return path.get("style", ""), path.get("clip-path", "")


def _merge_strokes(parent: ET.Element) -> None:
    run: list[ET.Element] = []
    key: tuple[str, str] | None = None

    def flush() -> None:
        if len(run) > 1:
            run[0][0].set("d", " ".join(g[0].get("d", "") for g in run))
            for group in run[1:]:
                parent.remove(group)
        run.clear()

    for child in list(parent):
        found = _single_stroke(child)
        if found is None or (run and found != key):
            flush()
        if found is not None:
            key = found
            run.append(child)
    flush()


@lru_cache(maxsize=64)
def svg_for_pdf(svg: str) -> str:
    """An SVG that draws the same chart with far fewer elements (see the module docstring). Cached: the
    pages' charts are themselves cached on their content, so the same text comes back."""
    root = ET.fromstring(svg)  # noqa: S314 - our own charts, drawn by matplotlib on the server
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in _DROP:
                parent.remove(child)
    defs = {el.get("id", ""): el for el in root.iter(_PATH) if el.get("id")}
    for parent in list(root.iter()):
        _merge_uses(parent, defs)
        _merge_strokes(parent)
    return ET.tostring(root, encoding="unicode")


def svg_size_pt(svg: str) -> tuple[float, float]:
    """The chart's width and height in points, from the root element's width/height (matplotlib writes
    pt). Read from the opening tag alone: parsing the whole chart again would cost more than drawing."""
    head = _ROOT.search(svg)
    if head is None:
        raise ValueError("no <svg> element")
    sizes = []
    for name in ("width", "height"):
        found = re.search(rf'\s{name}="([^"]*)"', head.group(0))
        value = _LENGTH.match(found.group(1)) if found else None
        if value is None:
            raise ValueError(f"the SVG has no usable {name}")
        number = float(value.group(1))
        sizes.append(number * 0.75 if value.group(2) == "px" else number)
    return sizes[0], sizes[1]
