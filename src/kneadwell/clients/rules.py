"""Pure rules about clients: age groups, field limits and consent. No Django import.

Numbers used here and their sources:
- Gestational age at birth 22+0 to 44+6 weeks: the range the growth CLI contract accepts
  (docs/ARCHITECTURE contract); births before 22 weeks fall outside every preterm reference.
- Birth weight 200–7,000 g: a plausibility bound of our own design (the smallest reported survivors weigh
  about 250 g; birth weights above 6,000 g are exceptional); values outside are refused as typing errors.
- Self-consent age (default 18) and assent prompt age (default 7): organisation settings; 18 is the most
  conservative age of majority in the jurisdictions we serve; seeking the assent of school-age children
  follows AAP Committee on Bioethics, Pediatrics 2016;138(2):e20161484 — the threshold of 7 is our design
  choice ("rule of sevens" used in research ethics), adjustable per organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kneadwell.core.marking import gettext_noop

GESTATION_MIN_WEEKS = 22
GESTATION_MAX_WEEKS = 44
BIRTH_WEIGHT_MIN_G = 200
BIRTH_WEIGHT_MAX_G = 7000
OLDEST_BIRTH_YEAR = 1900
MAX_NAME = 100
MAX_IDENTIFIER = 64

DEFAULT_SELF_CONSENT_AGE = 18
DEFAULT_ASSENT_AGE = 7


class AgeGroup(StrEnum):
    INFANT = "infant"
    CHILD = "child"
    ADULT = "adult"


class Scope(StrEnum):
    CARE = "care"
    MEASUREMENTS = "measurements"
    RESEARCH = "research"
    SHARING = "sharing"
    # Taking part in a study is more than lending data: the arm is chosen by chance and an assessor
    # measures the outcomes, so it is asked for on its own (issue 13; randomising requires it).
    STUDY = "study"


SCOPE_LABELS: dict[Scope, str] = {
    Scope.CARE: gettext_noop("Massage sessions and their notes"),
    Scope.MEASUREMENTS: gettext_noop("Measurements and outcome scores"),
    Scope.RESEARCH: gettext_noop("Use of de-identified data in programme evaluation"),
    Scope.SHARING: gettext_noop("Sharing reports with the referring clinician"),
    Scope.STUDY: gettext_noop(
        "Taking part in a research study: arm chosen by chance, outcomes measured by an assessor"
    ),
}


class ConsentKind(StrEnum):
    GUARDIAN = "guardian"
    SELF = "self"
    ASSENT = "assent"


CONSENT_KIND_LABELS: dict[ConsentKind, str] = {
    ConsentKind.GUARDIAN: gettext_noop("Consent by a parent, guardian or legal representative"),
    ConsentKind.SELF: gettext_noop("The client's own consent"),
    ConsentKind.ASSENT: gettext_noop("The child's assent"),
}


def age_in_years(birth_date: dt.date, on: dt.date) -> int:
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_group(birth_date: dt.date, on: dt.date, *, adult_age: int = 18) -> AgeGroup:
    if (on - birth_date).days < 365:
        return AgeGroup.INFANT
    if age_in_years(birth_date, on) < adult_age:
        return AgeGroup.CHILD
    return AgeGroup.ADULT


def client_field_errors(
    *,
    birth_date: dt.date | None,
    today: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    birth_weight_g: int | None,
    sex: str | None,
    given_name: str,
    family_name: str,
    identifier: str = "",
) -> dict[str, list[str]]:
    """Every problem with a client's details, keyed by field, in words a parent understands."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not given_name.strip():
        add("given_name", "Enter the client's first name.")
    if not family_name.strip():
        add("family_name", "Enter the client's family name.")
    for field, value in (("given_name", given_name), ("family_name", family_name)):
        if len(value) > MAX_NAME:
            add(field, f"Keep names to {MAX_NAME} characters.")
    if len(identifier) > MAX_IDENTIFIER:
        add("identifier", f"The hospital or clinic number can be at most {MAX_IDENTIFIER} characters.")
    if sex not in ("female", "male"):
        add("sex", "Choose female or male (sex recorded at birth; growth references need it).")
    if birth_date is None:
        add("birth_date", "Enter the date of birth.")
    elif birth_date > today:
        add("birth_date", f"The date of birth {birth_date:%d %b %Y} is in the future.")
    elif birth_date.year < OLDEST_BIRTH_YEAR:
        add("birth_date", f"The date of birth must be after {OLDEST_BIRTH_YEAR}.")
    if gestation_weeks is None and gestation_days not in (None, 0):
        add("gestation_weeks", "Enter the weeks of gestation as well as the days.")
    if gestation_weeks is not None and not GESTATION_MIN_WEEKS <= gestation_weeks <= GESTATION_MAX_WEEKS:
        add(
            "gestation_weeks",
            f"Gestation at birth must be between {GESTATION_MIN_WEEKS} and {GESTATION_MAX_WEEKS} weeks; "
            f"{gestation_weeks} is outside that range.",
        )
    if gestation_days is not None and not 0 <= gestation_days <= 6:
        add("gestation_days", f"Extra days of gestation must be 0 to 6; {gestation_days} is not.")
    if birth_weight_g is not None:
        if birth_weight_g <= 0:
            add("birth_weight_g", "Birth weight must be more than 0 grams.")
        elif not BIRTH_WEIGHT_MIN_G <= birth_weight_g <= BIRTH_WEIGHT_MAX_G:
            hint = " Did you enter kilograms? Enter grams, e.g. 1450." if birth_weight_g < 20 else ""
            add(
                "birth_weight_g",
                f"Birth weight must be between {BIRTH_WEIGHT_MIN_G} and {BIRTH_WEIGHT_MAX_G} grams.{hint}",
            )
    return errors


@dataclass(frozen=True)
class ConsentFacts:
    """What the consent rule needs to know about one consent record."""

    kind: ConsentKind
    scopes: frozenset[Scope]
    signed_on: dt.date
    withdrawn: bool


def has_active_consent(
    consents: Iterable[ConsentFacts],
    *,
    scope: Scope,
    birth_date: dt.date,
    today: dt.date,
    self_consent_age: int = DEFAULT_SELF_CONSENT_AGE,
) -> bool:
    """A guardian's (or legal representative's) consent covers anyone; the client's own consent counts
    only from the self-consent age; assent never stands in for consent. Withdrawn or future-dated
    consents do not count."""
    adult = age_in_years(birth_date, today) >= self_consent_age
    for consent in consents:
        if consent.withdrawn or consent.signed_on > today or scope not in consent.scopes:
            continue
        if consent.kind is ConsentKind.GUARDIAN:
            return True
        if consent.kind is ConsentKind.SELF and adult:
            return True
    return False


def assent_expected(
    birth_date: dt.date,
    today: dt.date,
    *,
    assent_age: int = DEFAULT_ASSENT_AGE,
    self_consent_age: int = DEFAULT_SELF_CONSENT_AGE,
) -> bool:
    age = age_in_years(birth_date, today)
    return assent_age <= age < self_consent_age
