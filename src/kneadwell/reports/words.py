"""How figures are written in a report: dates, ages, SDS, centiles, percentages and doses, in the two
registers (plain words for parents, precise for clinicians). Pure: no Django."""

from __future__ import annotations

import datetime as dt
import math

MINUS = "\u2212"  # a real minus sign: "−1.2", not a hyphen


def day(value: dt.date) -> str:
    """3 Mar 2026"""
    return f"{value.day} {value:%b %Y}"


def day_short(value: dt.date) -> str:
    """Tue 3 Mar"""
    return f"{value:%a} {value.day} {value:%b}"


def moment(value: dt.datetime) -> str:
    """3 Mar 2026, 14:05 (the value is already in local time)"""
    return f"{day(value)}, {value:%H:%M}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def age(start: dt.date, on: dt.date) -> str:
    """The time from `start` (birth, or the due date for a corrected age) to `on` in the unit people use
    for it: days and weeks for a newborn, months for a baby, years and months for a child, years for an
    adult. Months and years are calendar ones."""
    days = (on - start).days
    if days < 0:
        return f"{plural(-days, 'day')} before the due date"
    if days < 14:
        return plural(days, "day")
    if days < 8 * 7:
        weeks, rest = divmod(days, 7)
        return plural(weeks, "week") + (f" {plural(rest, 'day')}" if rest else "")
    months = (on.year - start.year) * 12 + on.month - start.month - (on.day < start.day)
    if months < 24:
        return plural(months, "month")
    years, rest_months = divmod(months, 12)
    if years >= 18 or not rest_months:
        return plural(years, "year")
    return f"{plural(years, 'year')} {plural(rest_months, 'month')}"


def signed(value: float, decimals: int = 2) -> str:
    """+1.23 / −0.45 with a true minus sign."""
    text = f"{abs(value):.{decimals}f}"
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# UK-WHO charts draw their outermost lines at the 0.4th and 99.6th centiles (2.67 SD) [S65]; beyond
# them a centile is written as "below the 0.4th" / "above the 99.6th" rather than as a number.
LOWEST_LINE, HIGHEST_LINE = 0.4, 99.6


def centile(value: float | None) -> str:
    """The centile as a clinician writes it: 25th, 0.4th-2nd bands are given to one decimal."""
    if value is None or not math.isfinite(value):
        return "—"
    if value < LOWEST_LINE:
        return "below the 0.4th"
    if value > HIGHEST_LINE:
        return "above the 99.6th"
    if value < 1 or value > 99:
        return f"{value:.1f}th"
    return ordinal(round(value))


def centile_plain(value: float | None, who: str) -> str:
    """A centile for a parent: where the child sits among 100 children of the same age and sex."""
    if value is None or not math.isfinite(value):
        return ""
    if value < LOWEST_LINE:
        return f"below the lowest line on the chart: fewer than 1 in 200 {who} measure less"
    if value > HIGHEST_LINE:
        return f"above the highest line on the chart: fewer than 1 in 200 {who} measure more"
    n = max(1, min(99, round(value)))
    return f"around the {ordinal(n)} centile: of 100 {who}, about {n} would measure less"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} min" if value < 10 else f"{value:.0f} min"
