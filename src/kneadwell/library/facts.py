"""Build the screening's view of a client from the database record."""

from __future__ import annotations

import datetime as dt

from kneadwell.clients.models import Client
from kneadwell.library.screening import ClientFacts


def client_facts(client: Client, *, population: str, on: dt.date) -> ClientFacts:
    return ClientFacts.from_birth(
        population=population,
        birth_date=client.birth_date,
        on=on,
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days or 0,
        conditions=client.conditions,
    )
