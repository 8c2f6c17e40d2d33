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

from kneadwell.core.marking import decimal_mark, gettext_noop, local_decimals
from kneadwell.outcomes.growth import Ages, SdsResult, VelocityError
from kneadwell.outcomes.growth.ages import format_weeks_days
from kneadwell.outcomes.growth.chart import ChartPoint, describe_chart
from kneadwell.outcomes.growth.errors import MAX_GESTATION_WEEKS, MIN_GESTATION_WEEKS, ErrorCode
from kneadwell.outcomes.growth.references import (
    AGE_LIMITS,
    METHOD_TITLES,
    METHOD_UNITS,
    REFERENCE_TITLES,
    TERM_DAYS,
)
from kneadwell.outcomes.growth.zscores import NoSds
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
    if exc.code == "weight_not_positive":
        day = exc.params["date"]
        assert isinstance(day, dt.date)
        return gettext("The weight on %(date)s must be a positive number of grams.") % {
            "date": dateformat.format(day, "j M Y")
        }
    if exc.code == "birth_weight_not_positive":
        return gettext("The birth weight must be a positive number of grams.")
    if exc.code == "no_weights":
        return gettext("No weights recorded yet.")
    text = str(exc)  # "unknown_method": the page's choices refuse it first (selectors._check_choices)
    return text[:1].upper() + text[1:]


# --- why a value has no SDS (outcomes/growth/errors.py words the same codes in English, for the CLI) ---


def number(value: float, decimals: int) -> str:
    """A figure with `decimals` decimals in the language's decimal mark (core.marking.decimal_mark)."""
    return f"{value:.{decimals}f}".replace(".", decimal_mark())


def figure(text: str) -> str:
    """A figure already written with a point ("2.70 kg", "−1.21") in the language's decimal mark."""
    return local_decimals(text)


def _age_words(days: int) -> str:
    if days < 0:
        return gettext("%(days)s days before the due date") % {"days": -days}
    if days < 7 * 8:
        return gettext("%(days)s days") % {"days": days}
    if days < 731:
        return gettext("%(days)s days (about %(months)s months)") % {
            "days": days,
            "months": number(days / 30.4375, 1),
        }
    return gettext("%(days)s days (about %(years)s years)") % {
        "days": days,
        "years": number(days / 365.25, 1),
    }


def age_limit_words(text: str) -> str:
    """A reference's first or last age (`references.AGE_LIMITS`' English) in the language in force."""
    fixed = {
        "the due date (term)": gettext("the due date (term)"),
        "2 weeks after the due date": gettext("2 weeks after the due date"),
        "1856 days (5 years 1 month)": gettext("1856 days (5 years 1 month)"),
        "1 year": gettext("1 year"),
    }
    if text in fixed:
        return fixed[text]
    head, _, tail = text.partition(" ")
    if tail == "weeks gestation" and head.isdigit():
        return gettext("%(weeks)s weeks gestation") % {"weeks": head}
    if tail == "years" and head.replace(".", "", 1).isdigit():
        return gettext("%(years)s years") % {"years": figure(head)}
    return text  # a limit added to references without words here: its English (tests list them all)


def _sex_words(reference: str, what: str, sex: str | None) -> str:
    words = {"reference": reference, "what": what}
    if sex == "male":
        return gettext("the %(reference)s reference has no %(what)s data for male") % words
    if sex == "female":
        return gettext("the %(reference)s reference has no %(what)s data for female") % words
    return gettext("the %(reference)s reference has no %(what)s data for this sex") % words


def sds_error(why: NoSds) -> str:
    """Why a value has no SDS, in the language in force: the same code and figures as
    `errors.error_message` (the English the CLI writes), worded here."""
    code = why.code
    ref = reference_title(why.reference) if why.reference in REFERENCE_TITLES else why.reference
    what = gettext(METHOD_TITLES[why.method]) if why.method in METHOD_TITLES else gettext("measurement")
    limit = AGE_LIMITS.get((why.reference, why.method or "", why.sex or ""))
    if code == ErrorCode.UNKNOWN_SEX:
        return gettext("sex: expected 'male' or 'female'")
    if code == ErrorCode.UNKNOWN_METHOD:
        return gettext("measurement_method: expected one of weight, height, ofc, bmi")
    if code == ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE:
        return gettext(
            "gestation_weeks: %(weeks)s is outside %(low)s-%(high)s weeks (leave both gestation columns "
            "blank for a term baby)"
        ) % {"weeks": why.gestation_weeks, "low": MIN_GESTATION_WEEKS, "high": MAX_GESTATION_WEEKS}
    if code == ErrorCode.GESTATION_DAYS_OUT_OF_RANGE:
        return gettext("gestation_days: %(days)s is outside 0-6 (a week has 7 days: write 40+9 as 41+2)") % {
            "days": why.gestation_days
        }
    if code == ErrorCode.OBSERVATION_BEFORE_BIRTH:
        return gettext("observation_date is %(days)s days before birth_date") % {
            "days": -why.chronological_age_days
        }
    if code == ErrorCode.VALUE_NOT_FINITE:
        return gettext("observation_value: not a finite number")
    if code == ErrorCode.VALUE_NOT_POSITIVE:
        return gettext("observation_value: %(value)s must be greater than 0") % {
            "value": figure(f"{why.value:g}")
        }
    if code == ErrorCode.NO_REFERENCE_DATA:
        if why.reference == "turners":
            return gettext("the Turner syndrome reference has height data for girls only")
        return _sex_words(ref, what, why.sex)
    if code == ErrorCode.CDC_BEFORE_DUE_DATE:
        return gettext(
            "CDC has no data before the due date (this measurement is at %(postmenstrual)s weeks "
            "postmenstrual age)"
        ) % {"postmenstrual": format_weeks_days(TERM_DAYS + why.corrected_age_days)}
    corrected = code in (ErrorCode.CORRECTED_AGE_BELOW_REFERENCE, ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE)
    days = why.corrected_age_days if corrected else why.chronological_age_days
    if code in (ErrorCode.CORRECTED_AGE_BELOW_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_BELOW_REFERENCE):
        age = _age_words(days)
        if days < 0:
            age = gettext("%(age)s (%(postmenstrual)s weeks postmenstrual age)") % {
                "age": age,
                "postmenstrual": format_weeks_days(TERM_DAYS + days),
            }
        words = {
            "age": age,
            "reference": ref,
            "what": what,
            "start": age_limit_words(limit.low_text) if limit else gettext("its first age"),
        }
        if corrected:
            return (
                gettext(
                    "corrected age %(age)s is before the start of the %(reference)s %(what)s data (%(start)s)"
                )
                % words
            )
        return (
            gettext(
                "chronological age %(age)s is before the start of the %(reference)s %(what)s data (%(start)s)"
            )
            % words
        )
    if code in (ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_ABOVE_REFERENCE):
        words = {
            "age": _age_words(days),
            "reference": ref,
            "what": what,
            "end": age_limit_words(limit.high_text) if limit else gettext("its last age"),
        }
        if corrected:
            return (
                gettext("corrected age %(age)s is past the end of the %(reference)s %(what)s data (%(end)s)")
                % words
            )
        return (
            gettext("chronological age %(age)s is past the end of the %(reference)s %(what)s data (%(end)s)")
            % words
        )
    if code == ErrorCode.AGE_IN_TABLE_GAP:
        return gettext(
            "the age falls between two %(reference)s tables (around 2 years); give ages in whole days"
        ) % {"reference": ref}
    return gettext("this %(what)s value is too far outside the %(reference)s reference for a finite SDS") % {
        "what": what,
        "reference": ref,
    }


def sds_result_error(result: SdsResult) -> str:
    """`SdsResult.error` in the language in force: worded from its code where the shared checks found it;
    the two fixed English texts of `measurement_sds` translated; rcpchgrowth's own text as it is."""
    if result.why is not None:
        return sds_error(result.why)
    fixed = {
        "gestation_weeks: missing while gestation_days is given": gettext(
            "gestation_weeks: missing while gestation_days is given"
        ),
        "the SDS could not be computed": gettext("the SDS could not be computed"),
    }
    return fixed.get(result.error or "", result.error or "")


# rcpchgrowth 4.6's advisories (measurement.py, __validate_measurement_method): beyond ±8 SD (±15 for BMI)
# "considered to be an error", or a height under 2 (metres given for cm). Each is rebuilt here in English
# from the result's figures and, when that equals rcpchgrowth's text exactly, worded in the language in
# force; any other text (a newer rcpchgrowth) is shown as rcpchgrowth wrote it.
_ADVISORIES = {
    ("bmi", "below"): gettext_noop(
        "The Body Mass Index measurement of %(value)s kg/m² is below -15 SD and considered to be an error."
    ),
    ("bmi", "above"): gettext_noop(
        "The Body Mass Index measurement of %(value)s kg/m² is above +15 SD and considered to be an error."
    ),
    ("height", "below"): gettext_noop(
        "The height/length of %(value)s cm in a child of %(years)s years is below -8 SD and considered "
        "to be an error."
    ),
    ("height", "above"): gettext_noop(
        "The height/length of %(value)s cm in a child of %(years)s years is above +8 SD and considered "
        "to be an error."
    ),
    ("weight", "below"): gettext_noop(
        "The weight of %(value)s kg is below -8 SD in a child of %(years)s years and considered to be "
        "an error."
    ),
    ("weight", "above"): gettext_noop(
        "The weight of %(value)s kg is above +8 SD in a child of %(years)s years and considered to be "
        "an error. Note that the weight should be supplied in kilograms."
    ),
    ("ofc", "below"): gettext_noop(
        "The head circumference of %(value)s cm in a child of %(years)s years is below -8 SD and "
        "considered to be an error."
    ),
    ("ofc", "above"): gettext_noop(
        "The head circumference of %(value)s cm in a child of %(years)s years is above +8 SD and "
        "considered to be an error."
    ),
    ("height", "metres"): gettext_noop("Height/length must be passed in cm, not metres"),
}


def sds_advisory(result: SdsResult) -> str:
    """rcpchgrowth's advisory on a result that still has its figures, in the language in force."""
    text = result.advisory or ""
    if not text:
        return ""
    age = result.corrected_decimal_age
    figures = {"value": f"{result.value}", "years": f"{round(age, 1)}" if age is not None else ""}
    for key, english in _ADVISORIES.items():
        if key[0] == result.method and english % figures == text:
            return gettext(english) % {k: figure(v) for k, v in figures.items()}
    return text


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
    """The chart's text alternative ("the chart in words") in the language in force, its figures in the
    language's decimal mark."""
    return figure(
        describe_chart(reference, method, sex, points, centiles, gettext=gettext, ngettext=ngettext)
    )


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
