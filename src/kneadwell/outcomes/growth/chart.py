"""Growth charts: the centile lines, the child's points, the axes and the text alternative.

Centile lines come from the same LMS tables and interpolation as the SDS (rcpchgrowth's data), so a point
exactly on a line has that line's centile. A line is split where the reference changes table (UK-WHO:
42 weeks, 2 years where lying length becomes standing height, 4 years; WHO: 2 years and 5 years; CDC:
2 years), as on the printed charts.

Centile sets:

* UK-WHO, WHO, Down syndrome, Turner: the nine centiles 0.4, 2, 9, 25, 50, 75, 91, 98, 99.6, which are
  lines spaced exactly 2/3 SD apart (Cole TJ. Do growth chart centiles need a face lift? BMJ
  1994;308:641-642; used on the RCPCH UK-WHO charts, and rcpchgrowth's
  ``COLE_TWO_THIRDS_SDS_NINE_CENTILES``);
* CDC: 3, 5, 10, 25, 50, 75, 90, 95, 97 (rcpchgrowth's ``THREE_PERCENT_CENTILE_COLLECTION``, the CDC 2000
  chart set), for BMI 5, 10, 25, 50, 75, 85, 90, 95.

What a growth chart shows, shared by its two renderings: :mod:`.chart_svg` draws it as SVG for pages
and the PDF report, :mod:`.chart_data` gives it as data for the browser to draw. The child's points are
at corrected age (filled circles); where correction moves a point, its chronological age is a hollow
circle joined to it by a thin line.

Which chronological points are drawn (``chronological=``): the RCPCH digital growth charts plot a child
born early at corrected age, offer the chronological age as well with a toggle, and join the two points of
one measurement by a line (RCPCH Digital Growth Charts client specification, "Adjusting for gestation at
birth"; their chart component shows both by default only for a baby born before 37 weeks, under 2 years
corrected, with a mean corrected age of at least 2 weeks, and corrected age alone otherwise). Joining every
daily weight of a preterm baby to its chronological twin draws a thick band that hides the data, so by
default (``"auto"``) we follow the component's rule for *whether* to show chronological age, and show it
for the latest measurement only, so the chart says how far the correction moves the child without a band;
before about term (mean corrected age under 2 weeks) the chart is corrected age alone, on the
postmenstrual-age axis. ``"latest"`` shows the latest one whatever the age, ``"all"`` every measurement's
(on request), ``"none"`` none. Different measurements are never joined by lines. The axes fit the
plotted points: the age axis spans them (at least four weeks), the value axis spans the measurements with
a margin and the nearest centile line below and above them, not the whole reference.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from kneadwell.core.marking import gettext_noop
from kneadwell.outcomes.growth.ages import ages as compute_ages
from kneadwell.outcomes.growth.lms import lookup_lms
from kneadwell.outcomes.growth.references import (
    FORTY_TWO_WEEKS,
    FOUR_YEARS,
    METHOD_TITLES,
    METHOD_UNITS,
    REFERENCE_TITLES,
    TWO_YEARS,
    WHO_2006_UPPER,
    age_limit,
    check_reference,
    lms_table,
)
from kneadwell.outcomes.growth.sds import values_from_lms

COLE_NINE_CENTILES: Final = (0.4, 2.0, 9.0, 25.0, 50.0, 75.0, 91.0, 98.0, 99.6)
CDC_CENTILES: Final = (3.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 97.0)
CDC_BMI_CENTILES: Final = (5.0, 10.0, 25.0, 50.0, 75.0, 85.0, 90.0, 95.0)


def default_centiles(reference: str, method: str) -> tuple[float, ...]:
    if reference == "cdc":
        return CDC_BMI_CENTILES if method == "bmi" else CDC_CENTILES
    return COLE_NINE_CENTILES


def sds_for_centile(reference: str, centile: float) -> float:
    """The SDS a centile line is drawn at: exact multiples of 2/3 SD for the nine-centile set (0.4 is
    −8/3 SD), otherwise the normal quantile."""
    if reference != "cdc" and centile in COLE_NINE_CENTILES:
        return COLE_NINE_CENTILES.index(centile) * (2 / 3) - 8 / 3
    return float(ndtri(centile / 100))


@dataclass(frozen=True)
class Segment:
    ages: NDArray[np.float64]  # decimal years (corrected age; negative before the due date)
    values: NDArray[np.float64]  # kg, cm or kg/m²; NaN where the curve has no value


@dataclass(frozen=True)
class CentileLine:
    centile: float
    sds: float
    segments: tuple[Segment, ...]


def _section_ranges(reference: str, method: str) -> list[tuple[int, float, float]]:
    """(section index, first age, last age) of each table a chart line runs through."""
    inf = math.inf
    if reference == "uk-who":
        return [
            (0, -inf, FORTY_TWO_WEEKS),
            (1, FORTY_TWO_WEEKS, TWO_YEARS),
            (2, TWO_YEARS, FOUR_YEARS),
            (3, FOUR_YEARS, inf),
        ]
    if reference == "who":
        return [(0, -inf, TWO_YEARS), (1, TWO_YEARS, WHO_2006_UPPER), (2, WHO_2006_UPPER, inf)]
    if reference == "cdc":
        return [(0, -inf, 3.0)] if method == "ofc" else [(1, -inf, TWO_YEARS), (2, TWO_YEARS, inf)]
    return [(0, -inf, inf)]


def centile_lines(
    reference: str,
    method: str,
    sex: str,
    age_start: float | None = None,
    age_end: float | None = None,
    centiles: Sequence[float] | None = None,
    points_per_segment: int = 60,
) -> list[CentileLine]:
    """Centile curves for a reference, measurement and sex between two decimal ages (default: the whole
    range of the reference). Empty when the reference has no such data."""
    check_reference(reference)
    limit = age_limit(reference, method, sex)
    if limit is None:
        return []
    lo = limit.low if age_start is None else max(age_start, limit.low)
    hi = limit.high if age_end is None else min(age_end, limit.high)
    wanted = tuple(centiles) if centiles is not None else default_centiles(reference, method)
    pieces: list[tuple[int, NDArray[np.float64]]] = []
    for section, sec_lo, sec_hi in _section_ranges(reference, method):
        table = lms_table(reference, section, method, sex)
        if table is None:
            continue
        a = max(lo, sec_lo, float(table.ages[0]))
        b = min(hi, sec_hi, float(table.ages[-1]))
        if b <= a:
            continue
        # An even grid keeps the curve smooth; where the table is sparse (weekly, monthly, yearly rows) its
        # rows are added so the line passes through the published values.
        grid = np.linspace(a, b, points_per_segment)
        rows = table.ages[(table.ages > a) & (table.ages < b)]
        if rows.size <= points_per_segment // 2:
            grid = np.unique(np.concatenate([grid, rows]))
        pieces.append((section, grid))
    lines = []
    for c in wanted:
        z = sds_for_centile(reference, c)
        segments = []
        for section, ages in pieces:
            table = lms_table(reference, section, method, sex)
            assert table is not None
            lms = lookup_lms(table, ages, linear_only=reference == "who")
            values = values_from_lms(lms, z, cdc_bmi=reference == "cdc" and method == "bmi")
            values[lms.gap] = np.nan
            segments.append(Segment(ages, values))
        lines.append(CentileLine(c, z, tuple(segments)))
    return lines


@dataclass(frozen=True)
class ChartPoint:
    """One measurement to plot. Ages are decimal years (days / 365.25)."""

    corrected_age: float
    chronological_age: float
    value: float
    label: str = ""  # e.g. the date, used in the text description
    centile: float | None = None


def chart_points(
    birth_date: dt.date,
    measurements: Sequence[tuple[dt.date, float]],
    gestation_weeks: int | None = None,
    gestation_days: int | None = None,
    centiles: Sequence[float | None] | None = None,
) -> list[ChartPoint]:
    """Chart points from (date, value) pairs, with AAP corrected and chronological ages."""
    out = []
    for k, (date, value) in enumerate(measurements):
        a = compute_ages(birth_date, date, gestation_weeks, gestation_days)
        out.append(
            ChartPoint(
                a.corrected_days / 365.25,
                a.chronological_days / 365.25,
                value,
                date.isoformat(),
                centiles[k] if centiles is not None else None,
            )
        )
    return out


@dataclass(frozen=True)
class _Axis:
    scale: float
    offset: float
    label: str

    def x(self, age: float | NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(age) * self.scale + self.offset


def _axis_for(lo: float, hi: float) -> _Axis:
    if lo < 0:
        return _Axis(365.25 / 7, 40.0, gettext_noop("Postmenstrual age (weeks; 40 = due date), corrected"))
    if hi <= 0.5:
        return _Axis(365.25 / 7, 0.0, gettext_noop("Age (weeks), corrected for gestation"))
    if hi <= 2.5:
        return _Axis(12.0, 0.0, gettext_noop("Age (months), corrected for gestation"))
    return _Axis(1.0, 0.0, gettext_noop("Age (years), corrected for gestation"))


ChronologicalShown = Literal["auto", "latest", "all", "none"]
TWO_WEEKS: Final = 14 / 365.25


def _with_chronological(points: Sequence[ChartPoint], shown: ChronologicalShown) -> list[ChartPoint]:
    """The points that also get their chronological-age marker and line (only those correction moves)."""
    moved = [p for p in points if abs(p.corrected_age - p.chronological_age) > 1e-9]
    if shown == "none" or not moved:
        return []
    if shown == "all":
        return moved
    if shown == "auto":
        corrected = [p.corrected_age for p in points]
        # The RCPCH chart component's default: both ages only under 2 years corrected, once the mean
        # corrected age is 2 weeks or more (a baby born early whose correction still matters).
        if max(corrected) >= 2 or sum(corrected) / len(corrected) < TWO_WEEKS:
            return []
    return [max(moved, key=lambda p: p.chronological_age)]


def _value_range(points: Sequence[ChartPoint]) -> tuple[float, float] | None:
    """The value axis around the measurements: their span plus a margin (a quarter of the span, and at
    least 8% of their size), so the centile lines near the child show and the rest of the chart does not."""
    if not points:
        return None
    values = [p.value for p in points]
    lo, hi = min(values), max(values)
    margin = max(0.25 * (hi - lo), 0.08 * max(abs(hi), abs(lo)), 1e-6)
    return max(0.0, lo - margin), hi + margin


def _fit_values(points: Sequence[ChartPoint], lines: Sequence[CentileLine]) -> tuple[float, float] | None:
    """The value axis: the measurements with their margin, widened to the nearest centile line below and
    above them (at the middle of their ages), so every chart shows the child between reference lines."""
    base = _value_range(points)
    if base is None:
        return None
    lo, hi = base
    ages = [p.corrected_age for p in points]
    mid = (min(ages) + max(ages)) / 2
    at: list[float] = []
    for line in lines:
        for seg in line.segments:
            finite = np.isfinite(seg.values)
            if finite.any() and seg.ages[finite][0] <= mid <= seg.ages[finite][-1]:
                at.append(float(np.interp(mid, seg.ages[finite], seg.values[finite])))
                break
    if not at:
        return lo, hi
    below, above = [v for v in at if v <= lo], [v for v in at if v >= hi]
    lo = max(below) if below else min(lo, max(at))
    hi = min(above) if above else max(hi, min(at))
    pad = 0.04 * (hi - lo)
    return max(0.0, lo - pad), hi + pad


def _default_range(
    reference: str,
    method: str,
    sex: str,
    points: Sequence[ChartPoint],
    chronological: Sequence[ChartPoint] = (),
) -> tuple[float, float]:
    limit = age_limit(reference, method, sex)
    low, high = (limit.low, limit.high) if limit else (0.0, 1.0)
    if not points:
        return low, high
    ages = [p.corrected_age for p in points] + [p.chronological_age for p in chronological]
    lo, hi = min(ages), max(ages)
    span = max(hi - lo, 4 * 7 / 365.25)  # at least four weeks wide
    lo, hi = lo - 0.1 * span, hi + 0.1 * span
    return max(lo, low), min(hi, high)


def _centile_label(c: float) -> str:
    return f"{c:g}"


def _same(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


def describe_chart(
    reference: str,
    method: str,
    sex: str,
    points: Sequence[ChartPoint],
    centiles: Sequence[float],
    chronological: ChronologicalShown = "auto",
    *,
    gettext: Callable[[str], str] = _same,
    ngettext: Callable[[str, str, int], str] = _english_plural,
) -> str:
    """The text alternative of the chart (also its SVG ``<desc>``), in English unless a page passes its
    language's `gettext` and `ngettext` (outcomes/growth_words.py): the words are chosen by the caller,
    never by hidden request state, so the PDF's chart stays in the document's language."""
    what = gettext(METHOD_TITLES[method])
    unit = METHOD_UNITS[method]
    centile_lines_text = ", ".join(_centile_label(c) for c in centiles)
    words = {"what": what, "reference": gettext(REFERENCE_TITLES[reference]), "centiles": centile_lines_text}
    if sex == "male":
        head = gettext(
            "%(what)s-for-age chart for a boy, %(reference)s reference, centile lines %(centiles)s."
        )
    else:
        head = gettext(
            "%(what)s-for-age chart for a girl, %(reference)s reference, centile lines %(centiles)s."
        )
    parts = [_capital(head % words)]
    if not points:
        parts.append(gettext("No measurements plotted."))
    else:
        marked = _with_chronological(points, chronological)
        if not marked:
            how = gettext("chronological ages in the list")
        else:
            how = {
                "all": gettext("and at chronological age (hollow circle, joined by a line)"),
                "latest": gettext("the latest also at chronological age (hollow circle, joined by a line)"),
                "auto": gettext("the latest also at chronological age (hollow circle, joined by a line)"),
                "none": gettext("chronological ages in the list only"),
            }[chronological]
        parts.append(
            ngettext(
                "%(count)s measurement, plotted at corrected age (filled circle); %(how)s:",
                "%(count)s measurements, plotted at corrected age (filled circle); %(how)s:",
                len(points),
            )
            % {"count": len(points), "how": how}
        )
        for p in points[:40]:
            corrected_days = round(p.corrected_age * 365.25)
            chrono_days = round(p.chronological_age * 365.25)
            if corrected_days < 0:
                age = gettext("%(weeks)s+%(days)s weeks postmenstrual age") % {
                    "weeks": (280 + corrected_days) // 7,
                    "days": (280 + corrected_days) % 7,
                }
            else:
                age = gettext("corrected age %(days)s days") % {"days": corrected_days}
            values = {"value": f"{p.value:g}", "unit": unit, "age": age, "days": chrono_days}
            if p.centile is not None and math.isfinite(p.centile):
                line = gettext(
                    "%(value)s %(unit)s at %(age)s (chronological age %(days)s days), %(centile)s centile."
                ) % {**values, "centile": gettext("%(centile)sth") % {"centile": f"{p.centile:.1f}"}}
            else:
                line = gettext("%(value)s %(unit)s at %(age)s (chronological age %(days)s days).") % values
            parts.append(gettext("%(date)s: %(text)s") % {"date": p.label, "text": line} if p.label else line)
        if len(points) > 40:
            parts.append(gettext("And %(count)s more.") % {"count": len(points) - 40})
    return " ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
