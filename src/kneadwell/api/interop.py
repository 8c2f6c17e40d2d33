"""FHIR export and import of one client, and CSV export and import of the organisation's clients."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Id
from kneadwell.core.errors import ValidationFailed
from kneadwell.interop import services

router = Router(tags=["import and export"])

# JSON bodies are read whole by Django, which refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by
# default); CSV text is bounded below that. The pages take files up to 5 MB.
MAX_CSV_CHARS = 2_000_000


def _text(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValueError("must not contain control characters (such as NUL)")
    return value


CsvText = Annotated[str, Field(max_length=MAX_CSV_CHARS), AfterValidator(_text)]


class FhirImportParams(Schema):
    dry_run: bool = Field(False, description="Check everything and save nothing")
    confirm_unusual: bool = Field(
        False,
        description="Keep values that are possible but unusual (flagged); otherwise a 422 lists them",
    )


class FhirImportOut(Schema):
    client_id: int | None = Field(description="The new client's id; null for a dry run")
    given_name: str
    family_name: str
    measurements: int
    dry_run: bool
    skipped: list[str] = Field(description="What the Bundle held that was not imported, and why")
    consent_note: str
    unusual_confirmed: list[str]


@router.get(
    "/clients/{client_id}/fhir",
    response=responses({200: dict[str, Any]}, 403, 404),
    summary="A client's record as a FHIR R4B Bundle (collection)",
    description=(
        "Patient, RelatedPerson for each guardian, Consent, QuestionnaireResponse for the intake and an "
        "Observation per measurement (LOINC codes, UCUM units; those entered in error have status "
        "entered-in-error). Audited as an export."
    ),
)
@needs(Perm.RECORD_EXPORT)
def fhir_export(request: HttpRequest, client_id: Id) -> dict[str, Any]:
    return services.fhir_export(actor=actor_of(request), client_id=client_id).bundle


@router.post(
    "/fhir/import",
    response=responses({200: FhirImportOut, 201: FhirImportOut}, 403, 413),
    summary="Create a client from a FHIR R4B Bundle (Patient with weight, length and head Observations)",
    description=(
        "The body is the Bundle. All or nothing: a Bundle that cannot be imported answers 422 with every "
        "reason and saves nothing. The new client has no consent until one is recorded."
    ),
)
@needs(Perm.RECORD_IMPORT)
def fhir_import(
    request: HttpRequest, bundle: Body[dict[str, Any]], params: Query[FhirImportParams]
) -> Status[FhirImportOut]:
    actor = actor_of(request)
    try:
        text = json.dumps(bundle, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise ValidationFailed(
            {"bundle": [_("The Bundle holds numbers JSON cannot carry (NaN or infinity).")]}
        ) from None
    plan = services.fhir_plan(text)
    result = services.fhir_import(
        actor=actor, plan=plan, confirm_unusual=params.confirm_unusual, dry_run=params.dry_run
    )
    out = FhirImportOut(
        client_id=result.client.pk if result.client else None,
        given_name=plan.given_name,
        family_name=plan.family_name,
        measurements=result.measurements,
        dry_run=result.dry_run,
        skipped=list(plan.skipped),
        consent_note=result.consent_note,
        unusual_confirmed=list(result.warnings),
    )
    return Status(200 if result.dry_run else 201, out)


class CsvExportOut(Schema):
    clients_csv: str
    measurements_csv: str
    sessions_csv: str
    clients: int
    measurements: int
    sessions: int


class CsvImportIn(BodyIn):
    clients_csv: CsvText = Field(description="The clients file's text (see docs/interop.md for columns)")
    measurements_csv: CsvText = Field("", description="The measurements file's text, linked by client_ref")
    sessions_csv: CsvText = Field("", description="The sessions file's text, linked by client_ref")


class CsvImportOut(Schema):
    clients: int
    measurements: int
    sessions: int
    client_ids: list[int]


@router.get(
    "/csv/export",
    response=responses({200: CsvExportOut}, 403),
    summary="Every client of the organisation, their measurements and finished sessions, as CSV text",
)
@needs(Perm.EXPORT_DATA)
def csv_export(request: HttpRequest) -> CsvExportOut:
    export = services.csv_export(actor=actor_of(request))
    return CsvExportOut(
        clients_csv=export.files["clients"],
        measurements_csv=export.files["measurements"],
        sessions_csv=export.files["sessions"],
        clients=export.counts["clients"],
        measurements=export.counts["measurements"],
        sessions=export.counts["sessions"],
    )


@router.post(
    "/csv/import",
    response=responses({201: CsvImportOut}, 403, 413),
    summary="Add clients (and their measurements and sessions) from CSV text; every row is checked first",
    description="All or nothing: a bad row answers 422 listing every problem as '<file> line <n>.<column>'.",
)
@needs(Perm.EXPORT_DATA)
def csv_import(request: HttpRequest, payload: CsvImportIn) -> Status[CsvImportOut]:
    report = services.csv_import(
        actor=actor_of(request),
        clients_csv=payload.clients_csv,
        measurements_csv=payload.measurements_csv,
        sessions_csv=payload.sessions_csv,
    )
    if report.problems:
        raise ValidationFailed(report.as_errors())
    return Status(
        201,
        CsvImportOut(
            clients=report.clients,
            measurements=report.measurements,
            sessions=report.sessions,
            client_ids=list(report.client_ids),
        ),
    )
