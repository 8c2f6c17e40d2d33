"""One client's record as a FHIR R4B Bundle (type `collection`).

The Bundle is built as plain dicts by one *section* function per part of the record, then validated by
constructing the `fhir.resources.R4B` Bundle model (so a malformed resource fails here, never at the
receiver). References use `urn:uuid:` full URLs derived from the organisation, the resource kind and the
row id (uuid5), so exporting the same record twice gives the same ids and every reference resolves to an
entry in the Bundle.

Adding a part of the record is one function `def xyz_section(ctx: ExportContext) -> None` that calls
`ctx.add(...)` per row (with a fixed number of queries, whatever the row count), and one line in
`SECTIONS`. Codes come from `fhir_codes`. The sections live beside this module: `fhir_export_person`
(organisation, Patient, birth, guardians, consent, intake) and `fhir_export_care` (measurements, plans,
sessions, adverse events); `fhir_export_base` holds the `ExportContext` and the datatype builders.
This module assembles and validates the Bundle.

This module reads records that the caller has already loaded through `clients.selectors.client_get`
(tenancy, permission and the read audit row are the caller's); it writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from kneadwell.clients.models import Client
from kneadwell.interop import fhir_codes as codes
from kneadwell.interop.fhir_export_base import ExportContext, Section, _instant
from kneadwell.interop.fhir_export_care import (
    adverse_event_section,
    careplan_section,
    measurement_section,
    procedure_section,
)
from kneadwell.interop.fhir_export_person import (
    birth_section,
    consent_section,
    guardian_section,
    intake_section,
    organisation_section,
    patient_section,
)

# The parts of the record, in Bundle order.
SECTIONS: tuple[Section, ...] = (
    organisation_section,
    patient_section,
    birth_section,
    guardian_section,
    consent_section,
    intake_section,
    measurement_section,
    careplan_section,
    procedure_section,
    adverse_event_section,
)


@dataclass(frozen=True)
class ExportResult:
    bundle: dict[str, Any]
    counts: dict[str, int]


def export_client(client: Client, *, sections: Iterable[Section] = SECTIONS) -> ExportResult:
    """The client's record as a validated R4B Bundle (a JSON-ready dict)."""
    ctx = ExportContext(client=client)
    for section in sections:
        section(ctx)
    now = timezone.now()
    bundle = {
        "resourceType": "Bundle",
        "identifier": {
            "system": codes.SID_RECORD,
            "value": f"export/client/{client.pk}/{now:%Y%m%dT%H%M%S%f}",
        },
        "type": "collection",
        "timestamp": _instant(now),
        "entry": ctx.entries,
    }
    # Constructing the R4B model checks every resource's structure, types and required elements; it
    # raises rather than let a malformed Bundle leave. The dict is returned as built (re-serialising the
    # model would only cost time: the same JSON comes out).
    Bundle.model_validate(bundle)
    return ExportResult(bundle=bundle, counts=dict(ctx.counts))
