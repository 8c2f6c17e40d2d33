"""The shared parts of the FHIR export (`fhir_export`): the context every section adds its resources to,
with the stable `urn:uuid:` references, and the small builders of FHIR datatypes the sections use."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kneadwell.clients.models import Client
from kneadwell.interop import fhir_codes as codes

# A fixed namespace for uuid5: ids are stable across exports of the same record.
_NAMESPACE = uuid.UUID("5c1f3b9e-2a57-4c55-9d0f-6b8a3f1e7d21")
Resource = dict[str, Any]


@dataclass
class ExportContext:
    client: Client
    entries: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def ref(self, kind: str, pk: object) -> str:
        """The full URL (and so the reference) of a row's resource, whether or not it is added yet."""
        name = f"{self.client.organisation_id}/{kind}/{pk}"
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"

    def reference(self, kind: str, pk: object, display: str = "") -> dict[str, str]:
        out = {"reference": self.ref(kind, pk)}
        if display:
            out["display"] = display
        return out

    @property
    def patient(self) -> dict[str, str]:
        return self.reference("Patient", self.client.pk, self.client.display_name)

    def add(self, kind: str, pk: object, resource: Resource) -> str:
        url = self.ref(kind, pk)
        resource = {"resourceType": kind, "id": url.removeprefix("urn:uuid:"), **resource}
        self.entries.append({"fullUrl": url, "resource": resource})
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return url


Section = Callable[[ExportContext], None]


# --- helpers ---------------------------------------------------------------------------------------


def _instant(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


def _concept(*codings: codes.Code, text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [c.coding() for c in codings]}
    if text:
        out["text"] = text
    return out


def _record_id(kind: str, pk: int) -> dict[str, str]:
    return {"system": codes.SID_RECORD, "value": f"{kind}/{pk}"}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    ucum = codes.UCUM_UNITS.get(unit)
    out: dict[str, Any] = {"value": value, "unit": unit}
    if ucum:
        out |= {"system": codes.UCUM, "code": ucum}
    return out
