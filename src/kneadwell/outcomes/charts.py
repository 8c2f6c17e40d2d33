"""Trend charts of instrument scores over time, as accessible SVG. Pure: no Django.

Drawn like the growth chart (matplotlib's object API and SVG canvas, no pyplot, text kept as text): each
series gets its own marker shape and line style as well as its colour, so nothing is told by colour alone;
the root element has role="img", a <title> and a <desc> listing every point in words. Where "higher" is
better or worse, the y-axis label says so. Ordinal scales (Modified Ashworth) get their own tick labels
(0, 1, 1+, 2, 3, 4), never decimals."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import escape

from kneadwell.core.marking import gettext as _
from kneadwell.core.marking import gettext_noop

MARKERS: Final = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
LINESTYLES: Final = ("-", "--", "-.", ":")
# Colour-blind-safe palette (Okabe-Ito), darkened where needed for contrast on white.
COLOURS: Final = ("#0f6b63", "#b35806", "#1f5fa6", "#a1121f", "#5e3c99", "#4d4d4d", "#8a6d00", "#b0459b")
DIRECTION_WORDS: Final = {
    "higher_worse": gettext_noop("higher is worse"),
    "higher_better": gettext_noop("higher is better"),
    "neither": "",
}


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[dt.date, float], ...]


def _fmt(value: float, ticks: dict[float, str]) -> str:
    return ticks.get(float(value), f"{value:g}")


def describe_trend(
    title: str,
    series: Sequence[Series],
    y_label: str,
    direction: str,
    y_ticks: Sequence[tuple[float, str]] | None = None,
    max_points: int = 60,
) -> str:
    """The chart in words (also its <desc>)."""
    ticks = dict(y_ticks or ())
    words = _(DIRECTION_WORDS[direction]) if DIRECTION_WORDS.get(direction) else ""
    values = {"title": title, "y_label": y_label, "direction": words}
    if words:
        parts = [_("%(title)s: %(y_label)s over time (%(direction)s).") % values]
    else:
        parts = [_("%(title)s: %(y_label)s over time.") % values]
    for s in series:
        if not s.points:
            continue
        shown = s.points[-max_points:]
        text = "; ".join(f"{d:%d %b %Y} {_fmt(v, ticks)}" for d, v in shown)
        earlier = len(s.points) - len(shown)
        more = _(" (and %(count)s earlier)") % {"count": earlier} if earlier > 0 else ""
        parts.append(f"{s.label}: {text}{more}.")
    if len(parts) == 1:
        parts.append(_("No values to plot."))
    return " ".join(parts)


def trend_chart_svg(
    *,
    title: str,
    series: Sequence[Series],
    y_label: str,
    direction: str = "neither",
    y_ticks: Sequence[tuple[float, str]] | None = None,
    y_range: tuple[float, float] | None = None,
    integer: bool = False,
    reference_lines: Sequence[tuple[float, str]] = (),
    description: str | None = None,
    width_in: float = 4.8,
    height_in: float = 3.8,
) -> str:
    """A self-contained SVG line chart of `series` (dates on x). No scripts, fonts or images."""
    import matplotlib as mpl  # deferred: only chart rendering needs matplotlib
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    words = _(DIRECTION_WORDS[direction]) if DIRECTION_WORDS.get(direction) else ""
    description = description or describe_trend(title, series, y_label, direction, y_ticks)
    with mpl.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "kneadwell-trend",
            "font.size": 8,
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        }
    ):
        fig = Figure(figsize=(width_in, height_in))
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        all_dates: list[dt.date] = []
        for k, s in enumerate(series):
            if not s.points:
                continue
            xs = [mdates.date2num(d) for d, _ in s.points]
            ys = [v for _, v in s.points]
            all_dates.extend(d for d, _ in s.points)
            ax.plot(
                xs,
                ys,
                marker=MARKERS[k % len(MARKERS)],
                linestyle=LINESTYLES[(k // len(COLOURS)) % len(LINESTYLES)] if len(series) > 1 else "-",
                color=COLOURS[k % len(COLOURS)],
                linewidth=1.2,
                markersize=4.5,
                label=s.label,
                gid=f"series-{k}",
            )
        for value, label in reference_lines:
            ax.axhline(value, color="#8c8c8c", linewidth=0.8, linestyle="--", gid="reference-line")
            ax.annotate(
                label,
                (1.0, value),
                xycoords=("axes fraction", "data"),
                xytext=(-2, 2),
                textcoords="offset points",
                ha="right",
                fontsize=6.5,
                color="#4d4d4d",
            )
        if all_dates:
            lo, hi = min(all_dates), max(all_dates)
            pad = max((hi - lo).days * 0.05, 2)
            ax.set_xlim(mdates.date2num(lo) - pad, mdates.date2num(hi) + pad)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if y_ticks:
            ax.set_yticks([v for v, _ in y_ticks], [label for _, label in y_ticks])
            low, high = min(v for v, _ in y_ticks), max(v for v, _ in y_ticks)
            ax.set_ylim(low - 0.3, high + 0.3)
        if y_range is not None:
            low, high = y_range
            pad = (high - low) * 0.04
            ax.set_ylim(low - pad, high + pad)
        if integer and not y_ticks:
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(f"{y_label}" + (f"\n({words} ↑)" if words else ""))
        ax.set_title(title, fontsize=9)
        ax.grid(True, color="#e6e6e6", linewidth=0.4)
        ax.spines[["top", "right"]].set_visible(False)
        labelled = [s for s in series if s.points]
        if len(labelled) > 1:
            ax.legend(
                loc="upper center",
                bbox_to_anchor=(0.5, -0.14),
                ncols=min(3, len(labelled)),
                fontsize=6.5,
                frameon=False,
            )
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(
            buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
        )
    return _accessible(buffer.getvalue(), title, description)


# The same markers and line styles for a browser to draw (static/js/charts.js knows these names).
MARKER_NAMES: Final = {
    "o": "circle",
    "s": "square",
    "^": "triangle-up",
    "D": "diamond",
    "v": "triangle-down",
    "P": "plus",
    "X": "cross",
    "*": "star",
    "h": "hexagon",
    "<": "triangle-left",
    ">": "triangle-right",
    "p": "pentagon",
}
DASHES: Final = {"-": [], "--": [6, 3], "-.": [6, 3, 1.5, 3], ":": [1.5, 3]}


def _y_range(
    series: Sequence[Series],
    y_ticks: Sequence[tuple[float, str]] | None,
    y_range: tuple[float, float] | None,
    reference_lines: Sequence[tuple[float, str]],
) -> tuple[float, float] | None:
    """The value axis as `trend_chart_svg` sets it: the ordinal ticks with a margin, the whole scale with
    4%, otherwise the values and reference lines with matplotlib's 5% margins."""
    if y_range is not None:
        low, high = y_range
        pad = (high - low) * 0.04
        return low - pad, high + pad
    if y_ticks:
        values = [v for v, _ in y_ticks]
        return min(values) - 0.3, max(values) + 0.3
    values = [v for s in series for _, v in s.points] + [v for v, _ in reference_lines]
    if not values:
        return None
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or max(abs(high) * 0.05, 1.0)
    return low - pad, high + pad


def trend_chart_data(
    *,
    title: str,
    series: Sequence[Series],
    y_label: str,
    direction: str = "neither",
    y_ticks: Sequence[tuple[float, str]] | None = None,
    y_range: tuple[float, float] | None = None,
    integer: bool = False,
    reference_lines: Sequence[tuple[float, str]] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """What `trend_chart_svg` draws, as data for a browser to draw: each series with its colour, marker
    shape and line style (the same per position), the ordinal ticks, the reference lines and the axes."""
    words = _(DIRECTION_WORDS[direction]) if DIRECTION_WORDS.get(direction) else ""
    drawn = [s for s in series if s.points]
    dates = [d for s in drawn for d, _ in s.points]
    x_range = None
    if dates:
        lo, hi = min(dates), max(dates)
        pad = dt.timedelta(days=max(round((hi - lo).days * 0.05), 2))
        x_range = [(lo - pad).isoformat(), (hi + pad).isoformat()]
    low_high = _y_range(series, y_ticks, y_range, reference_lines)
    return {
        "kind": "trend",
        "title": title,
        "description": description or describe_trend(title, series, y_label, direction, y_ticks),
        "y_label": y_label + (f" ({words} ↑)" if words else ""),
        "x_range": x_range,
        "y_range": [round(v, 4) for v in low_high] if low_high is not None else None,
        "y_ticks": [{"value": v, "label": label} for v, label in (y_ticks or ())],
        "integer": integer and not y_ticks,
        "reference_lines": [{"value": v, "label": label} for v, label in reference_lines],
        "legend": len(drawn) > 1,
        "series": [
            {
                "label": s.label,
                "colour": COLOURS[k % len(COLOURS)],
                "marker": MARKER_NAMES[MARKERS[k % len(MARKERS)]],
                "dash": DASHES[LINESTYLES[(k // len(COLOURS)) % len(LINESTYLES)] if len(series) > 1 else "-"],
                "points": [{"date": d.isoformat(), "y": v} for d, v in s.points],
            }
            for k, s in enumerate(series)
            if s.points
        ],
    }


_NUMBER = re.compile(r"-?\d+\.\d{3,}")


def _shorten(match: re.Match[str]) -> str:
    return _NUMBER.sub(lambda m: f"{float(m.group()):.2f}".rstrip("0").rstrip("."), match.group())


def _accessible(svg: str, title: str, description: str) -> str:
    svg = re.sub(r"^.*?(?=<svg\b)", "", svg, count=1, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    svg = re.sub(r'\sd="[^"]*"', _shorten, svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace(
        "<svg ", '<svg role="img" aria-labelledby="trend-chart-title trend-chart-desc" ', 1
    )
    return (
        head
        + f'\n <title id="trend-chart-title">{escape(title)}</title>'
        + f'\n <desc id="trend-chart-desc">{escape(description)}</desc>'
        + svg[head_end:]
    )
