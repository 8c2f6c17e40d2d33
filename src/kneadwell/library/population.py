"""Which population's questions and rules fit a client. The group follows from the record (birth date,
gestation at birth, conditions); a choice that contradicts it is refused, so no one can skip the preterm
rules by calling a 31-week baby "a baby". Pure; no Django.

The cut-off for "preterm baby" is our design choice, not a published threshold: a baby born before
37 weeks keeps the preterm question set and rules until 52 weeks postmenstrual age (about three months
after the due date). The preterm set asks more safety questions, so erring towards it is the cautious
side.

Where the record leaves room (gestation not recorded; a teenager, who may be a child or a sports client),
more than one group fits and the person chooses among those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

PRETERM_BEFORE_WEEKS = 37  # WHO definition of preterm birth: before 37 completed weeks of gestation
PRETERM_SET_UNTIL_PMA_WEEKS = 52  # design choice, see the module docstring
SPORTS_FROM_YEARS = 12  # design choice: a teenager in sports rehabilitation may use the rehab group


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


def allowed_populations(
    *,
    birth_date: dt.date,
    on: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    conditions: Collection[str],
) -> set[str]:
    """Every group the record allows (the suggestion is always one of them)."""
    suggested = suggest_population(
        birth_date=birth_date,
        on=on,
        gestation_weeks=gestation_weeks,
        gestation_days=gestation_days,
        conditions=conditions,
    )
    if suggested in ("infant", "preterm_infant"):
        # Without a gestation we cannot tell a preterm baby from a term one.
        return {"infant", "preterm_infant"} if gestation_weeks is None else {suggested}
    if suggested == "child":
        years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
        return {"child", "rehab"} if years >= SPORTS_FROM_YEARS else {"child"}
    return {suggested}
