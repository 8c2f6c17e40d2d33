"""FHIR Bundles for import tests, written by hand the way another system would send them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
PATIENT_URL = "urn:uuid:8a3f0c4e-1111-4222-8333-944455556666"


def when(days_ago: int) -> str:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0))).isoformat()


def patient(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": "https://hospital.example/mrn", "value": "NICU-0042"}],
        "name": [{"use": "official", "family": "Adeyemi", "given": ["Tobi"]}],
        "gender": "male",
        "birthDate": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
    }
    resource.update(changes)
    return {"fullUrl": PATIENT_URL, "resource": {k: v for k, v in resource.items() if v is not None}}


def observation(code: str, value: float, unit: str, days_ago: int = 2, **changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": PATIENT_URL},
        "effectiveDateTime": when(days_ago),
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }
    resource.update(changes)
    return {"resource": {k: v for k, v in resource.items() if v is not None}}


def good_entries() -> list[dict[str, Any]]:
    """A baby born 30 days ago at 32+3 weeks weighing 1600 g, with a weight, length and head."""
    return [
        patient(),
        observation("76516-4", 32 + 3 / 7, "wk", days_ago=30, effectiveDateTime=None),
        observation("8339-4", 1600, "g", days_ago=30),
        observation("29463-7", 1850, "g", days_ago=3),
        observation("29463-7", 1.88, "kg", days_ago=1),
        observation("8306-3", 43.0, "cm", days_ago=3),
        observation("9843-4", 30.5, "cm", days_ago=3),
    ]


def bundle(entries: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": good_entries() if entries is None else entries,
    }


def text(value: dict[str, Any]) -> str:
    return json.dumps(value)
