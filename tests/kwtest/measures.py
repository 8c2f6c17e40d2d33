"""A made-up organisation measure for tests (its items are our own words, not any licensed instrument's),
and helpers to define and publish it."""

from __future__ import annotations

import copy
from typing import Any

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kneadwell.outcomes.models import OrganisationMeasure
from kwtest.people import Clinic

OFTEN = [
    {"value": 0, "label": "Never"},
    {"value": 1, "label": "Rarely"},
    {"value": 2, "label": "Sometimes"},
    {"value": 3, "label": "Often"},
    {"value": 4, "label": "Always"},
]

DAY_CHECK: dict[str, Any] = {
    "name": "Day-to-day check (made up for tests)",
    "short_name": "Day check",
    "measures": "How the child's days go at home and at school, as the parent sees it.",
    "population": "Children 2-12 years, parent report.",
    "items": [
        {"label": "Plays with other children", "options": OFTEN},
        {"label": "Sleeps through the night", "options": OFTEN},
        {"label": "Is upset by being touched", "options": OFTEN, "reversed": True},
        {
            "label": "Minutes of outdoor play yesterday",
            "numeric": {"unit": "min", "minimum": 0, "maximum": 4},
        },
    ],
    "scoring": {"method": "sum"},
    "direction": "higher_better",
    "bands": [
        {"label": "Needs a closer look", "minimum": 0, "maximum": 7},
        {"label": "Going well", "minimum": 8, "maximum": 16},
    ],
    "licence": "Our own measure: no licence needed (made up for tests).",
    "sources": "Written by the clinic's team, 2026.",
    "notes": "",
}


def day_check(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(DAY_CHECK)
    out.update(changes)
    return out


def define(
    clinic: Clinic, definition: dict[str, Any] | None = None, *, publish: bool = True
) -> OrganisationMeasure:
    """The clinic's administrator defines (and by default publishes) a measure."""
    lead = clinic.actor(Role.ADMIN)
    measure = services.organisation_measure_create(actor=lead, definition=definition or day_check())
    if publish:
        services.organisation_measure_publish(actor=lead, measure=measure, expected_version=measure.version)
        measure.refresh_from_db()
    return measure
