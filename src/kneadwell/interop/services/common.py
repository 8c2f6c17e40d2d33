"""What the FHIR and CSV imports share: a measurement to import, its import through the outcomes
service, and the signal that leaves a transaction without saving.

Imported measurements and consent: consent gates *recording new* care data. Measurements arriving in an
import were taken elsewhere, earlier; they are a transfer of the existing record. They are therefore
checked and scored exactly like new measurements (instrument scoring, growth plausibility, the date
rules) but not refused for want of consent, and the imported client has no consent until one is
recorded here, so nothing new can be recorded for them until then (the result page says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kneadwell.accounts.actor import Actor
from kneadwell.clients.models import Client
from kneadwell.outcomes import services as outcomes_services
from kneadwell.outcomes.models import Measurement


class _Rollback(Exception):
    """Leave the transaction without saving (a dry run, or an import with problems)."""


# --- measurements, checked and saved by the outcomes import service -----------------------------------


@dataclass(frozen=True)
class MeasurementIn:
    label: str  # how a problem names the row ("line 4", "Observation 3 (...)")
    instrument_id: str
    answers: dict[str, Any]
    taken_at: dt.datetime | dt.date
    context: str = Measurement.Context.ROUTINE
    notes: str = ""
    confirmed: bool = False
    scored_with: tuple[str, str] = ("", "")  # versions the file says scored it (outcomes.csv_rows)


def _import_measurements(
    actor: Actor, client: Client, items: Sequence[MeasurementIn], *, source: str, confirm_all: bool = False
) -> list[Measurement]:
    """Score, check and save the items through `outcomes.services.measurement_import` (the same checks
    as a new measurement, no consent needed for an earlier record; module docstring). Raises its
    MeasurementsRefused, saving nothing, when any item has a problem."""
    return outcomes_services.measurement_import(
        actor=actor,
        client=client,
        measurements=[
            outcomes_services.ImportedMeasurement(
                instrument_id=item.instrument_id,
                answers=item.answers,
                taken_at=item.taken_at,
                context=item.context,
                notes=item.notes,
                confirmed=item.confirmed or confirm_all,
                scored_with=item.scored_with,
            )
            for item in items
        ],
        source=source,
    )
