"""Forest plot of a meta-analysis as a self-contained, accessible SVG string.

One row per study (point estimate sized by weight, 95% CI line, label, numbers and weight as text), the
pooled estimate as a diamond, and a dashed vertical line at "no effect" (1 for ratios on a log axis, 0
otherwise). Text stays text (`svg.fonttype: none`) so screen readers, search and copy work; the SVG
gets `role="img"`, a <title> and a <desc> that says in words what the picture shows.

The figure is drawn on a bare matplotlib Figure with the SVG canvas (no pyplot, no global backend
switch), so it is safe in a web process and needs no display.
"""

from __future__ import annotations

import io
import math
from typing import Any
from xml.sax.saxutils import escape

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from matplotlib.typing import RcKeyType

from kneadwell.core.marking import gettext, ngettext
from kneadwell.evidence.meta.pooling import MetaResult

_ROW_HEIGHT_IN = 0.32
_LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
# Text as text, stable ids across runs (diff-able output), a compact font size.
SVG_RC: dict[RcKeyType, Any] = {"svg.fonttype": "none", "svg.hashsalt": "kneadwell-forest", "font.size": 9}


def _fmt(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 100 else f"{x:.1f}"


def describe(result: MetaResult) -> str:
    """A plain-language text alternative for the plot."""
    measure = str(result.measure)
    p = result.pooled
    # In the language in force (core/marking): the page shows it as the plot's text description.
    parts = [
        ngettext(
            "Forest plot of %(k)s study, measure %(measure)s, %(method)s model.",
            "Forest plot of %(k)s studies, measure %(measure)s, %(method)s model.",
            result.k,
        )
        % {"k": result.k, "measure": measure, "method": p.method},
    ]
    for label, est, lo, hi, wt in result.study_intervals():
        parts.append(
            gettext("%(study)s: %(estimate)s (95%% CI %(low)s to %(high)s), weight %(weight)s%%.")
            % {
                "study": label,
                "estimate": _fmt(est),
                "low": _fmt(lo),
                "high": _fmt(hi),
                "weight": f"{wt:.1f}",
            }
        )
    parts.append(
        gettext("Pooled estimate %(estimate)s (95%% CI %(low)s to %(high)s); line of no effect at %(null)s.")
        % {
            "estimate": _fmt(result.estimate),
            "low": _fmt(result.ci_low),
            "high": _fmt(result.ci_high),
            "null": f"{result.measure.null_value:g}",
        }
    )
    if p.i2 is not None:
        parts.append(
            gettext("Heterogeneity: I² %(i2)s%%, Q %(q)s on %(df)s df.")
            % {"i2": f"{p.i2:.0f}", "q": f"{p.q:.2f}", "df": p.q_df}
        )
    return " ".join(parts)


def draw_forest(result: MetaResult, title: str | None = None) -> Figure:
    """The forest plot as a matplotlib Figure (for SVG, PNG or PDF output by the caller).
    Call it inside `matplotlib.rc_context(SVG_RC)` when the output is SVG."""
    rows = result.study_intervals()
    k = len(rows)
    title = title or default_title(result)
    log_axis = result.measure.is_ratio
    height = 1.4 + _ROW_HEIGHT_IN * (k + 2)

    fig = Figure(figsize=(8.5, height))
    ax = fig.add_axes((0.28, 0.9 / height, 0.40, 1 - 1.5 / height))
    y_pooled = 0.0
    ys = [float(k - i + 1) for i in range(k)]  # first study at the top, one blank row above the diamond
    max_weight = max(wt for *_, wt in rows) if rows else 1.0
    for number, ((label, est, lo, hi, wt), y) in enumerate(zip(rows, ys, strict=True), start=1):
        line = ax.plot([lo, hi], [y, y], color="#1f3b57", linewidth=1.2)[0]
        size = 4 + 10 * math.sqrt(wt / max_weight)
        marker = ax.plot([est], [y], marker="s", markersize=size, color="#1f3b57",
                         linestyle="none")[0]
        row_id = f"study-row-{number}"
        line.set_gid(f"{row_id}-ci")
        marker.set_gid(f"{row_id}-point")
        ax.text(-0.02, y, label, transform=ax.get_yaxis_transform(), ha="right", va="center",
                gid=f"{row_id}-label")
        ax.text(1.02, y, f"{_fmt(est)} [{_fmt(lo)}, {_fmt(hi)}]  {wt:4.1f}%",
                transform=ax.get_yaxis_transform(), ha="left", va="center",
                gid=f"{row_id}-values")

    centre, lo, hi = result.estimate, result.ci_low, result.ci_high
    diamond = Polygon([(lo, y_pooled), (centre, y_pooled + 0.35), (hi, y_pooled),
                       (centre, y_pooled - 0.35)], closed=True, facecolor="#b3541e",
                      edgecolor="#b3541e", gid="pooled-diamond")
    ax.add_patch(diamond)
    ax.text(-0.02, y_pooled, f"Pooled ({result.pooled.method})", transform=ax.get_yaxis_transform(),
            ha="right", va="center", fontweight="bold", gid="pooled-label")
    ax.text(1.02, y_pooled, f"{_fmt(centre)} [{_fmt(lo)}, {_fmt(hi)}]  100%",
            transform=ax.get_yaxis_transform(), ha="left", va="center", fontweight="bold",
            gid="pooled-values")
    ax.axvline(result.measure.null_value, color="#555555", linestyle="--", linewidth=1,
               gid="line-of-no-effect")
    ax.text(1.02, ys[0] + 1 if ys else 1, "Estimate [95% CI]  Weight",
            transform=ax.get_yaxis_transform(), ha="left", va="center", fontweight="bold")

    if log_axis:
        ax.set_xscale("log")
        # Plain numbers (0.2, 0.5, 1, 2) read better than powers of ten for ratios.
        ax.xaxis.set_major_locator(FixedLocator(_LOG_TICKS))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
    values = [v for _, e, lo_, hi_, _ in rows for v in (e, lo_, hi_)] + [lo, hi]
    values.append(result.measure.null_value)
    x_min, x_max = min(values), max(values)
    if log_axis:
        pad = (math.log(x_max) - math.log(x_min)) * 0.05 or 0.1
        ax.set_xlim(math.exp(math.log(x_min) - pad), math.exp(math.log(x_max) + pad))
    else:
        pad = (x_max - x_min) * 0.05 or 0.1
        ax.set_xlim(x_min - pad, x_max + pad)
    ax.set_ylim(-1, (ys[0] if ys else 1) + 1.6)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{result.measure}{' (log scale)' if log_axis else ''}")
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    return fig


def default_title(result: MetaResult) -> str:
    return f"Forest plot ({result.measure}, {result.pooled.method})"


def render_forest_svg(result: MetaResult, title: str | None = None) -> str:
    """The forest plot of `result` as an SVG document (a string)."""
    title = title or default_title(result)
    with rc_context(SVG_RC):
        fig = draw_forest(result, title)
        FigureCanvasSVG(fig)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _add_text_alternative(buffer.getvalue(), title, describe(result))


def _add_text_alternative(svg: str, title: str, description: str) -> str:
    """Insert role, aria-labelledby, <title> and <desc> right after the root <svg ...> tag."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    opening = svg[start:end]
    attributes = ' role="img" aria-labelledby="forest-title forest-desc"'
    elements = (f'\n <title id="forest-title">{escape(title)}</title>'
                f'\n <desc id="forest-desc">{escape(description)}</desc>')
    return svg[:start] + opening + attributes + svg[end:end + 1] + elements + svg[end + 1:]
