"""The growth chart as an accessible SVG, for pages and the PDF report (what it shows: :mod:`.chart`).

The SVG is drawn with matplotlib's object API and its SVG canvas (no pyplot, so no global backend and no
display is touched; it is as headless as the Agg backend), with ``svg.fonttype = 'none'`` so text stays
text (small, selectable, read by screen readers). The root gets ``role="img"``, a ``<title>`` and a
``<desc>`` listing every plotted measurement in words. The child's points are drawn at corrected age
(filled circles, group ``corrected-points``); where correction moves a point, its chronological age is a
hollow circle (group ``chronological-points``) joined to it by a thin line (group ``age-correction``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

import numpy as np

from kneadwell.outcomes.growth.chart import (
    ChartPoint,
    ChronologicalShown,
    _axis_for,
    _centile_label,
    _default_range,
    _fit_values,
    _with_chronological,
    centile_lines,
    default_centiles,
    describe_chart,
)
from kneadwell.outcomes.growth.references import (
    METHOD_TITLES,
    METHOD_UNITS,
    REFERENCE_TITLES,
    check_reference,
)


def growth_chart_svg(
    reference: str,
    method: str,
    sex: str,
    points: Sequence[ChartPoint] = (),
    *,
    title: str | None = None,
    description: str | None = None,
    gettext: Callable[[str], str] | None = None,
    y_label: str | None = None,
    decimal_mark: str = ".",
    age_range: tuple[float, float] | None = None,
    centiles: Sequence[float] | None = None,
    width_in: float = 7.0,
    height_in: float = 4.5,
    chronological: ChronologicalShown = "auto",
) -> str:
    """A self-contained SVG growth chart (no scripts, no external fonts or images). `chronological`:
    which measurements also show their chronological-age point (see the module's note). The words
    (`title`, `description`, the age axis's label through `gettext`, `y_label`) and the `decimal_mark`
    of its numbers are English and the point unless the caller gives its language's
    (outcomes/selectors/charts.py, for the PDF report)."""
    import matplotlib as mpl  # deferred: only chart rendering needs matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    check_reference(reference)
    wanted = tuple(centiles) if centiles is not None else default_centiles(reference, method)
    marked = _with_chronological(points, chronological)
    lo, hi = age_range if age_range is not None else _default_range(reference, method, sex, points, marked)
    lines = centile_lines(reference, method, sex, lo, hi, wanted)
    axis = _axis_for(lo, hi)
    what = METHOD_TITLES[method]
    title = (
        title
        or f"{what.capitalize()} ({REFERENCE_TITLES[reference]}, {'boys' if sex == 'male' else 'girls'})"
    )
    description = description or describe_chart(reference, method, sex, points, wanted, chronological)

    # Stable ids (hashsalt): the same chart gives the same bytes.
    with mpl.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "kneadwell-growth",
            "font.size": 8,
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        }
    ):
        fig = Figure(figsize=(width_in, height_in))
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        for line in lines:
            median = abs(line.sds) < 1e-12
            for k, seg in enumerate(line.segments):
                ax.plot(
                    axis.x(seg.ages),
                    seg.values,
                    color="#4d4d4d" if median else "#8c8c8c",
                    linewidth=1.1 if median else 0.6,
                    gid=f"centile-{_centile_label(line.centile)}-{k}",
                )
            last = next((s for s in reversed(line.segments) if np.isfinite(s.values).any()), None)
            if last is not None:
                finite = np.flatnonzero(np.isfinite(last.values))
                j = int(finite[-1])
                ax.annotate(
                    _centile_label(line.centile).replace(".", decimal_mark),
                    (float(axis.x(last.ages[j])), float(last.values[j])),
                    xytext=(2, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=6,
                    color="#4d4d4d",
                )
        if points:
            xc = axis.x(np.array([p.corrected_age for p in points]))
            ys = np.array([p.value for p in points])
            xm = axis.x(np.array([p.corrected_age for p in marked]))
            xk = axis.x(np.array([p.chronological_age for p in marked]))
            ym = np.array([p.value for p in marked])
            # The age-correction lines as one line broken by NaN gaps: one path with a sub-path per point,
            # where an artist per point made a year of daily weights take seconds to draw.
            if marked:
                gap = np.full(len(marked), np.nan)
                ax.plot(
                    np.column_stack([xm, xk, gap]).ravel(),
                    np.column_stack([ym, ym, gap]).ravel(),
                    color="#1f5fa6",
                    linewidth=0.5,
                    gid="age-correction",
                )
                # Only when there is a point: an empty line is an empty path, which PDF renderers refuse.
                ax.plot(
                    xk,
                    ym,
                    linestyle="none",
                    marker="o",
                    markersize=4,
                    markerfacecolor="white",
                    markeredgecolor="#1f5fa6",
                    markeredgewidth=0.8,
                    gid="chronological-points",
                )
            ax.plot(
                xc, ys, linestyle="none", marker="o", markersize=4, color="#1f5fa6", gid="corrected-points"
            )
        ax.set_xlim(float(axis.x(lo)), float(axis.x(hi)))
        values = _fit_values(points, lines)
        if values is not None:
            ax.set_ylim(*values)
        if decimal_mark != ".":
            from matplotlib.ticker import ScalarFormatter

            class _Marked(ScalarFormatter):  # matplotlib's own tick texts, with the language's mark
                def __call__(self, x: float, pos: int | None = None) -> str:
                    return str(super().__call__(x, pos)).replace(".", decimal_mark)

            ax.xaxis.set_major_formatter(_Marked())
            ax.yaxis.set_major_formatter(_Marked())
        ax.set_xlabel(gettext(axis.label) if gettext is not None else axis.label)
        ax.set_ylabel(y_label if y_label is not None else f"{what.capitalize()} ({METHOD_UNITS[method]})")
        ax.set_title(title, fontsize=9)
        ax.grid(True, color="#e6e6e6", linewidth=0.4)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(
            buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
        )
    return _make_accessible(buffer.getvalue(), title, description)


_NUMBER = re.compile(r"-?\d+\.\d{3,}")


def _shorten_path(match: re.Match[str]) -> str:
    # Two decimals of a point (1/7200 inch) are far below what a screen or printer shows.
    return _NUMBER.sub(lambda m: f"{float(m.group()):.2f}".rstrip("0").rstrip("."), match.group())


def _make_accessible(svg: str, title: str, description: str) -> str:
    """Drop the XML prolog and RDF metadata, shorten path coordinates; give the root role="img", a <title>
    and a <desc>."""
    svg = re.sub(r"^.*?(?=<svg\b)", "", svg, count=1, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    # A centile line wholly outside the fitted axes is drawn as a path with no data: drop it (PDF
    # renderers refuse a path that does not start with a move).
    svg = re.sub(r"\s*<path(?![^>]*\sd=\")[^>]*/>", "", svg)
    svg = re.sub(r'\sd="[^"]*"', _shorten_path, svg)
    svg = re.sub(r'\s(?:x|y)="-?\d+\.\d{3,}"', _shorten_path, svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace(
        "<svg ", '<svg role="img" aria-labelledby="growth-chart-title growth-chart-desc" ', 1
    )
    return (
        head
        + f'\n <title id="growth-chart-title">{escape(title)}</title>'
        + f'\n <desc id="growth-chart-desc">{escape(description)}</desc>'
        + svg[head_end:]
    )
