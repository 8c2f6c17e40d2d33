"""The growth figures' words in the language in force (docs/languages.md): the Django side of the growth
maths, which stays pure and English (outcomes/growth/, outcomes/measures.py mark their labels with
`core.marking.gettext_noop`; this module translates them where a page shows them).

What is computed keeps its English elsewhere: the `kneadwell growth` and `velocity` CSV files, stored
records and the report's document do not come through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import dateformat
from django.utils.translation import gettext, ngettext

from kneadwell.outcomes.growth import Ages, VelocityError
from kneadwell.outcomes.growth.chart import ChartPoint, describe_chart
from kneadwell.outcomes.growth.references import METHOD_TITLES, METHOD_UNITS, REFERENCE_TITLES
from kneadwell.outcomes.instruments import Instrument
from kneadwell.outcomes.measures import REFERENCE_SOURCES, VELOCITY_METHOD_INFO, MethodInfo, window_label


def measure_name(instrument: Instrument) -> str:
    """A growth measure's short name ("Weight"), translated when measures.GROWTH_MEASURE_NAMES marks it."""
    return gettext(instrument.short_name)


def reference_title(reference: str) -> str:
    return gettext(REFERENCE_TITLES[reference])


def reference_source(reference: str) -> str:
    return gettext(REFERENCE_SOURCES[reference])


def method_info(method: str) -> MethodInfo:
    info = VELOCITY_METHOD_INFO[method]
    return MethodInfo(gettext(info.label), gettext(info.formula), gettext(info.source))


def describe_age(a: Ages) -> str:
    """Ages.describe() in words for a parent: postmenstrual age before the due date, corrected age after."""
    if a.before_due_date:
        return ngettext(
            "%(postmenstrual)s weeks postmenstrual age (%(days)s day old)",
            "%(postmenstrual)s weeks postmenstrual age (%(days)s days old)",
            a.chronological_days,
        ) % {"postmenstrual": a.postmenstrual, "days": a.chronological_days}
    old = ngettext("%(days)s day old", "%(days)s days old", a.chronological_days) % {
        "days": a.chronological_days
    }
    if a.corrected_days == a.chronological_days:
        return old
    return ngettext(
        "%(old)s, %(corrected)s day corrected", "%(old)s, %(corrected)s days corrected", a.corrected_days
    ) % {"old": old, "corrected": a.corrected_days}


def gestation_words(weeks: int, days: int) -> str:
    return gettext("%(weeks)s+%(days)s weeks") % {"weeks": weeks, "days": days}


def velocity_error(exc: VelocityError, window_days: int | None = None) -> str:
    """Why there is no velocity, as a sentence (the pure module's message is English, for the CLI). With
    `window_days`, the velocity was looked for inside that window."""
    if exc.code == "not_regained":
        last, grams = exc.params["last_date"], exc.params["birth_weight_g"]
        assert isinstance(last, dt.date)
        assert isinstance(grams, float)
        return gettext("Birth weight (%(grams)s g) has not been regained by %(date)s.") % {
            "grams": f"{grams:g}",
            "date": dateformat.format(last, "j M Y"),
        }
    if exc.code == "too_few":
        if window_days is None:
            return gettext("It needs weights on at least two different days.")
        return gettext("It needs weights on at least two different days in the window (%(window)s).") % {
            "window": window_label(window_days)
        }
    text = str(exc)
    return text[:1].upper() + text[1:]


def chart_title(method: str, reference: str, sex: str) -> str:
    what = gettext(METHOD_TITLES[method])
    words = {"what": what[:1].upper() + what[1:], "reference": reference_title(reference)}
    if sex == "male":
        return gettext("%(what)s (%(reference)s, boys)") % words
    return gettext("%(what)s (%(reference)s, girls)") % words


def chart_value_label(method: str) -> str:
    what = gettext(METHOD_TITLES[method])
    return f"{what[:1].upper() + what[1:]} ({METHOD_UNITS[method]})"


def chart_description(
    reference: str, method: str, sex: str, points: Sequence[ChartPoint], centiles: Sequence[float]
) -> str:
    """The chart's text alternative ("the chart in words") in the language in force."""
    return describe_chart(reference, method, sex, points, centiles, gettext=gettext, ngettext=ngettext)


def chart_caption(measure: Instrument, reference: str) -> str:
    """The line under the growth chart: what its marks mean, and the reference's source."""
    return gettext(
        "Filled circles: %(measure)s at corrected age; hollow circle: the latest at chronological age, "
        "where correction moves it (joined by a line). Grey lines: %(reference)s centiles, the median "
        "darker. %(source)s"
    ) % {
        "measure": measure_name(measure).lower(),
        "reference": reference_title(reference),
        "source": reference_source(reference),
    }
