"""Ages of a baby or child, in the terms of the AAP policy statement.

Source: American Academy of Pediatrics, Committee on Fetus and Newborn (Engle WA). Age terminology during
the perinatal period. Pediatrics 2004;114(5):1362-1364, doi:10.1542/peds.2004-1915 (reaffirmed since):

* gestational age: time from the first day of the last menstrual period to the day of delivery, expressed
  in completed weeks (a baby born at 25 weeks 5 days is "25 weeks", never rounded up to 26);
* chronological (postnatal) age: time since birth, in days, weeks, months or years;
* postmenstrual age: gestational age + chronological age, in weeks (weeks + days in the neonatal unit);
* corrected age: chronological age reduced by the weeks born before 40 weeks of gestation; for children
  born preterm, up to about 3 years of age. The statement prefers postmenstrual age, not corrected age,
  while the baby is still in the perinatal period (before term).

Our choices, stated:

* Arithmetic uses the gestation in weeks + days (gestation days = 7·weeks + days) rather than completed
  weeks, so the due date is exact: due date = birth date + (280 − gestation days). This is what
  rcpchgrowth does. Completed weeks (:func:`completed_weeks`) are for labels and for the AAP/WHO
  categories (e.g. "born before 37 weeks").
* Corrected age = chronological age − (280 − gestation days), in whole days. Before the due date it is
  negative: −20 days means "20 days before the due date", i.e. a postmenstrual age of 37+1 weeks. We keep
  the negative number (it is what growth references are indexed by: rcpchgrowth places age 0 at 40+0
  weeks and reads the UK90 preterm table at negative decimal ages down to 23 weeks) and show people the
  postmenstrual age instead while it is negative, as the AAP advises.
* For a baby born at or after 40+0 weeks, the correction is zero or negative, so the corrected age equals
  or exceeds the chronological age. UK-WHO in rcpchgrowth corrects every gestation this way; the ``who``
  and ``cdc`` references do not correct 37-42 weeks (see :mod:`zscores`).
* How long to keep correcting is a clinical choice (the AAP: up to about 3 years; the RCPCH UK-WHO "Fact
  Sheet 5: plotting preterm infants" gives the UK rule for charts). These functions always return the
  arithmetic; the growth references apply their own rules (rcpchgrowth's UK-WHO never stops correcting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TERM_DAYS = 280  # 40 weeks, the AAP's reference point for corrected age


@dataclass(frozen=True, order=True)
class WeeksDays:
    """A duration in weeks + days (e.g. a gestation of 30+2)."""

    weeks: int
    days: int

    @classmethod
    def from_days(cls, total_days: int) -> WeeksDays:
        weeks, days = divmod(total_days, 7)
        return cls(weeks, days)

    @property
    def total_days(self) -> int:
        return self.weeks * 7 + self.days

    def __str__(self) -> str:
        return f"{self.weeks}+{self.days}"


def format_weeks_days(total_days: int) -> str:
    """``266`` → ``"38+0"``."""
    return str(WeeksDays.from_days(total_days))


def gestation_days(weeks: int, days: int = 0) -> int:
    """Gestation in days from weeks + days. Days must be 0-6 (40+9 is not a gestation: write 41+2)."""
    if not 0 <= days <= 6:
        raise ValueError(f"gestation days must be 0-6, got {days}")
    if weeks < 0:
        raise ValueError(f"gestation weeks must not be negative, got {weeks}")
    return weeks * 7 + days


def completed_weeks(weeks: int, days: int = 0) -> int:
    """Gestational age in completed weeks (AAP 2004): 25+5 is 25 weeks."""
    return gestation_days(weeks, days) // 7


def chronological_age_days(birth_date: dt.date, observation_date: dt.date) -> int:
    """Days since birth (AAP chronological age). Negative if the observation is before birth."""
    return (observation_date - birth_date).days


def due_date(birth_date: dt.date, gestation_weeks: int, gestation_days_: int = 0) -> dt.date:
    """The date the baby reaches 40+0 weeks postmenstrual age (estimated date of delivery)."""
    return birth_date + dt.timedelta(days=TERM_DAYS - gestation_days(gestation_weeks, gestation_days_))


def corrected_age_days(
    birth_date: dt.date, observation_date: dt.date, gestation_weeks: int, gestation_days_: int = 0
) -> int:
    """AAP corrected age in days: chronological age − (40 weeks − gestational age). Negative before the due
    date; equal to the chronological age for a baby born at 40+0."""
    correction = TERM_DAYS - gestation_days(gestation_weeks, gestation_days_)
    return chronological_age_days(birth_date, observation_date) - correction


def postmenstrual_age(
    birth_date: dt.date, observation_date: dt.date, gestation_weeks: int, gestation_days_: int = 0
) -> WeeksDays:
    """AAP postmenstrual age = gestational age + chronological age, as weeks + days."""
    total = gestation_days(gestation_weeks, gestation_days_) + chronological_age_days(
        birth_date, observation_date
    )
    return WeeksDays.from_days(total)


@dataclass(frozen=True)
class Ages:
    """All the ages of one observation."""

    gestation: WeeksDays
    gestation_completed_weeks: int
    chronological_days: int
    corrected_days: int
    postmenstrual: WeeksDays
    due_date: dt.date

    @property
    def before_due_date(self) -> bool:
        return self.corrected_days < 0

    @property
    def preterm(self) -> bool:
        """Born before 37 completed weeks (WHO definition of preterm birth)."""
        return self.gestation_completed_weeks < 37

    def describe(self) -> str:
        """Words for a parent or nurse: postmenstrual age before the due date, corrected age after."""
        if self.before_due_date:
            return f"{self.postmenstrual} weeks postmenstrual age ({self.chronological_days} days old)"
        if self.corrected_days == self.chronological_days:
            return f"{self.chronological_days} days old"
        return f"{self.chronological_days} days old, {self.corrected_days} days corrected"


def ages(
    birth_date: dt.date,
    observation_date: dt.date,
    gestation_weeks: int | None = None,
    gestation_days_: int | None = None,
) -> Ages:
    """Every age for an observation. Gestation None means term (40+0), as in the growth CLI contract."""
    weeks = 40 if gestation_weeks is None else gestation_weeks
    days = 0 if gestation_days_ is None else gestation_days_
    return Ages(
        gestation=WeeksDays(weeks, days),
        gestation_completed_weeks=completed_weeks(weeks, days),
        chronological_days=chronological_age_days(birth_date, observation_date),
        corrected_days=corrected_age_days(birth_date, observation_date, weeks, days),
        postmenstrual=postmenstrual_age(birth_date, observation_date, weeks, days),
        due_date=due_date(birth_date, weeks, days),
    )
