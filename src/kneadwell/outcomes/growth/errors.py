"""Why a growth row has no SDS: the error codes of :func:`~kneadwell.outcomes.growth.zscores.batch_sds`
and the message for each, naming the field and what was expected (a parent or nurse can act on it).

The gestation limits are rcpchgrowth 4.6's (see ``zscores.RCPCHGROWTH_VERSION``)."""

from __future__ import annotations

from enum import IntEnum

from kneadwell.outcomes.growth.ages import format_weeks_days
from kneadwell.outcomes.growth.references import AGE_LIMITS, METHOD_TITLES, REFERENCE_TITLES, TERM_DAYS

MIN_GESTATION_WEEKS = 22  # contract: gestation outside 22-44 weeks is an error (rcpchgrowth's own
MAX_GESTATION_WEEKS = 44  # MINIMUM/MAXIMUM_GESTATION_WEEKS in constants/validation_constants.py)


class ErrorCode(IntEnum):
    """Why a row has no result. 0 means no error."""

    OK = 0
    UNKNOWN_SEX = 1
    UNKNOWN_METHOD = 2
    GESTATION_WEEKS_OUT_OF_RANGE = 3
    GESTATION_DAYS_OUT_OF_RANGE = 4
    OBSERVATION_BEFORE_BIRTH = 5
    VALUE_NOT_FINITE = 6
    VALUE_NOT_POSITIVE = 7
    NO_REFERENCE_DATA = 8
    CORRECTED_AGE_BELOW_REFERENCE = 9
    CORRECTED_AGE_ABOVE_REFERENCE = 10
    CHRONOLOGICAL_AGE_BELOW_REFERENCE = 11
    CHRONOLOGICAL_AGE_ABOVE_REFERENCE = 12
    CDC_BEFORE_DUE_DATE = 13
    AGE_IN_TABLE_GAP = 14
    NOT_COMPUTABLE = 15


def _age_words(days: int) -> str:
    if days < 0:
        return f"{-days} days before the due date"
    if days < 7 * 8:
        return f"{days} days"
    if days < 731:
        return f"{days} days (about {days / 30.4375:.1f} months)"
    return f"{days} days (about {days / 365.25:.1f} years)"


def error_message(
    code: ErrorCode,
    *,
    reference: str,
    method: str | None = None,
    sex: str | None = None,
    chronological_age_days: int = 0,
    corrected_age_days: int = 0,
    gestation_weeks: int = 40,
    gestation_days: int = 0,
    value: float = float("nan"),
) -> str | None:
    """A message a parent or nurse can act on, naming the field and what was expected."""
    ref = REFERENCE_TITLES.get(reference, reference)
    what = METHOD_TITLES.get(method or "", "measurement")
    limit = AGE_LIMITS.get((reference, method or "", sex or ""))
    if code == ErrorCode.OK:
        return None
    if code == ErrorCode.UNKNOWN_SEX:
        return "sex: expected 'male' or 'female'"
    if code == ErrorCode.UNKNOWN_METHOD:
        return "measurement_method: expected one of weight, height, ofc, bmi"
    if code == ErrorCode.GESTATION_WEEKS_OUT_OF_RANGE:
        return (
            f"gestation_weeks: {gestation_weeks} is outside "
            f"{MIN_GESTATION_WEEKS}-{MAX_GESTATION_WEEKS} weeks "
            "(leave both gestation columns blank for a term baby)"
        )
    if code == ErrorCode.GESTATION_DAYS_OUT_OF_RANGE:
        return f"gestation_days: {gestation_days} is outside 0-6 (a week has 7 days: write 40+9 as 41+2)"
    if code == ErrorCode.OBSERVATION_BEFORE_BIRTH:
        return f"observation_date is {-chronological_age_days} days before birth_date"
    if code == ErrorCode.VALUE_NOT_FINITE:
        return "observation_value: not a finite number"
    if code == ErrorCode.VALUE_NOT_POSITIVE:
        return f"observation_value: {value:g} must be greater than 0"
    if code == ErrorCode.NO_REFERENCE_DATA:
        if reference == "turners":
            return "the Turner syndrome reference has height data for girls only"
        return f"the {ref} reference has no {what} data for {sex or 'this sex'}"
    if code == ErrorCode.CDC_BEFORE_DUE_DATE:
        pma = format_weeks_days(TERM_DAYS + corrected_age_days)
        return f"CDC has no data before the due date (this measurement is at {pma} weeks postmenstrual age)"
    if code in (ErrorCode.CORRECTED_AGE_BELOW_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_BELOW_REFERENCE):
        kind = "corrected" if code == ErrorCode.CORRECTED_AGE_BELOW_REFERENCE else "chronological"
        days = corrected_age_days if kind == "corrected" else chronological_age_days
        start = limit.low_text if limit else "its first age"
        age = _age_words(days)
        if days < 0:
            age += f" ({format_weeks_days(TERM_DAYS + days)} weeks postmenstrual age)"
        return f"{kind} age {age} is before the start of the {ref} {what} data ({start})"
    if code in (ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE, ErrorCode.CHRONOLOGICAL_AGE_ABOVE_REFERENCE):
        kind = "corrected" if code == ErrorCode.CORRECTED_AGE_ABOVE_REFERENCE else "chronological"
        days = corrected_age_days if kind == "corrected" else chronological_age_days
        end = limit.high_text if limit else "its last age"
        return f"{kind} age {_age_words(days)} is past the end of the {ref} {what} data ({end})"
    if code == ErrorCode.AGE_IN_TABLE_GAP:
        return f"the age falls between two {ref} tables (around 2 years); give ages in whole days"
    return f"this {what} value is too far outside the {ref} reference for a finite SDS"
