"""Which population's questions and rules fit a client: a suggestion the person confirms on the intake.
Pure; no Django.

The cut-off for "preterm baby" is our design choice, not a published threshold: a baby born before
37 weeks keeps the preterm question set and rules until 52 weeks postmenstrual age (about three months
after the due date). The preterm set asks more safety questions, so erring towards it is the cautious
side; a clinician can choose "baby" earlier on the intake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

PRETERM_BEFORE_WEEKS = 37  # WHO definition of preterm birth: before 37 completed weeks of gestation
PRETERM_SET_UNTIL_PMA_WEEKS = 52  # design choice, see the module docstring


def suggest_population(
    *,
    birth_date: dt.date,
    on: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    conditions: Collection[str],
) -> str:
    age_days = (on - birth_date).days
    if age_days < 365:
        if gestation_weeks is not None and gestation_weeks < PRETERM_BEFORE_WEEKS:
            pma_days = gestation_weeks * 7 + (gestation_days or 0) + age_days
            if pma_days < PRETERM_SET_UNTIL_PMA_WEEKS * 7:
                return "preterm_infant"
        return "infant"
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if years < 18:
        return "child"
    return "stroke" if "stroke" in conditions else "rehab"
