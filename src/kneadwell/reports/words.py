"""How figures are written in a report: dates, ages, SDS, centiles, percentages and doses, in the two
registers (plain words for parents, precise for clinicians). Pure: no Django. The words are in the
language in force (`reports.marking`): a parent's report in theirs, the clinician's in English."""

from __future__ import annotations

import datetime as dt
import math

from kneadwell.core.marking import local_decimals
from kneadwell.reports.marking import gettext as _
from kneadwell.reports.marking import pgettext

MINUS = "\u2212"  # a real minus sign: "−1.2", not a hyphen


def month_short(month: int) -> str:
    """A month's short name in the language in force (strftime's %b would follow the C locale)."""
    names = (
        pgettext("month, short", "Jan"),
        pgettext("month, short", "Feb"),
        pgettext("month, short", "Mar"),
        pgettext("month, short", "Apr"),
        pgettext("month, short", "May"),
        pgettext("month, short", "Jun"),
        pgettext("month, short", "Jul"),
        pgettext("month, short", "Aug"),
        pgettext("month, short", "Sep"),
        pgettext("month, short", "Oct"),
        pgettext("month, short", "Nov"),
        pgettext("month, short", "Dec"),
    )
    return names[month - 1]


def weekday_short(value: dt.date) -> str:
    names = (
        pgettext("weekday, short", "Mon"),
        pgettext("weekday, short", "Tue"),
        pgettext("weekday, short", "Wed"),
        pgettext("weekday, short", "Thu"),
        pgettext("weekday, short", "Fri"),
        pgettext("weekday, short", "Sat"),
        pgettext("weekday, short", "Sun"),
    )
    return names[value.weekday()]


def day(value: dt.date) -> str:
    """3 Mar 2026"""
    return f"{value.day} {month_short(value.month)} {value.year}"


def day_short(value: dt.date) -> str:
    """Tue 3 Mar"""
    return f"{weekday_short(value)} {value.day} {month_short(value.month)}"


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
    """8th, 21st: English's four suffixes, each a string of its own for the languages that write an
    ordinal otherwise (Spanish "8.º")."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    if suffix == "st":
        return pgettext("ordinal number", "%(n)sst") % {"n": n}
    if suffix == "nd":
        return pgettext("ordinal number", "%(n)snd") % {"n": n}
    if suffix == "rd":
        return pgettext("ordinal number", "%(n)srd") % {"n": n}
    return pgettext("ordinal number", "%(n)sth") % {"n": n}


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
        return _("below the lowest line on the chart: fewer than 1 in 200 %(who)s measure less") % {
            "who": who
        }
    if value > HIGHEST_LINE:
        return _("above the highest line on the chart: fewer than 1 in 200 %(who)s measure more") % {
            "who": who
        }
    n = max(1, min(99, round(value)))
    return _("around the %(ordinal)s centile: of 100 %(who)s, about %(n)s would measure less") % {
        "ordinal": ordinal(n),
        "who": who,
        "n": n,
    }


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def minutes(value: float | None) -> str:
    if value is None:
        return "—"
    shown = local_decimals(f"{value:.1f}") if value < 10 else f"{value:.0f}"
    return _("%(minutes)s min") % {"minutes": shown}
