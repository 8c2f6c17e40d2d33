"""Measurements: a client's list, recording one or a series of daily weights, marking one in error,
and importing CSV.

Errors name the input at fault: instrument answers as `answers.<item>` (e.g. `answers.value`,
`answers.face`), daily weights as `rows.<n>.value`, CSV rows as `line <n>.<column>`. A possible-but-unusual
value that was not confirmed is a 422 whose errors include `confirm_unusual`: check it, then send the same
request with `confirm_unusual: true` to keep it (it is then flagged).

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_outcomes_…`)
before the outcomes router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.outcome_types import InstrumentId
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, DateOrDateTime, Id, LongText
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import ValidationFailed
from kneadwell.outcomes import selectors, services
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services import UnusualValue

router = Router(tags=["outcomes"])

Context = Literal["baseline", "session", "weekly", "end", "routine"]
Number = Annotated[float, Field(allow_inf_nan=False)]
TOP_LEVEL = frozenset({"instrument_id", "taken_at", "context", "notes", "confirm_unusual", "answers", "rows"})


class MeasurementIn(BodyIn):
    instrument_id: InstrumentId
    taken_at: DateOrDateTime = Field(
        ...,
        description="A date (read as 12:00 local time, or now for today before noon) or a date-time with "
        "its UTC offset; a date-time without an offset is a 422",
    )
    context: Context = "routine"
    answers: dict[str, Any] = Field(
        ...,
        description="The instrument's answers: item id -> value (see GET /instruments); for single "
        'measurements {"value": 1450, "unit": "g"}',
    )
    confirm_unusual: bool = Field(False, description="Keep a possible-but-unusual value (it is flagged)")
    notes: LongText = ""


class MeasurementOut(Schema):
    id: int
    client_id: int
    instrument_id: str
    taken_at: dt.datetime
    context: str
    answers: dict[str, Any]
    value: float | None = Field(
        description="Single measurements, in `unit` (the instrument's canonical unit)"
    )
    unit: str
    display: str
    total: float | None
    subscores: dict[str, Any]
    band: str
    band_label: str
    details: dict[str, Any]
    warnings: list[str]
    site: str
    side: str
    confirmed_unusual: bool
    confirmed_warnings: list[str]
    notes: str
    recorded_by: str
    entered_in_error: bool
    entered_in_error_at: dt.datetime | None
    entered_in_error_reason: str
    content_version: str = Field(
        description="The content version whose instrument catalogue scored this entry (empty if older)"
    )
    instrument_version: str = Field(
        "", description="The version of the instrument (its items and bands) this result was scored with"
    )
    scoring_version: str = Field(
        "", description="The version of the scoring rule this result was scored with"
    )
    version: int
    created_at: dt.datetime


class MeasurementPage(Schema):
    count: int
    items: list[MeasurementOut]


class ListParams(Schema):
    instrument: InstrumentId | None = None
    include_in_error: bool = False
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class WeightRowIn(BodyIn):
    taken_at: DateOrDateTime = Field(
        ..., description="A date (read as 12:00 local time) or a date-time with its UTC offset"
    )
    value: Number


class WeightsIn(BodyIn):
    unit: Literal["g", "kg"] = "g"
    context: Context = "routine"
    confirm_unusual: bool = False
    rows: list[WeightRowIn] = Field(..., min_length=1, max_length=services.MAX_SERIES_ROWS)


class InErrorIn(BodyIn):
    version: int = Field(..., ge=1, le=2**31 - 1, description="The version you loaded; a newer one is a 409")
    reason: LongText


def measurement_out(m: Measurement) -> MeasurementOut:
    return MeasurementOut(
        id=m.pk,
        client_id=m.client_id,
        instrument_id=m.instrument_id,
        taken_at=m.taken_at,
        context=m.context,
        answers=dict(m.answers),
        value=m.value,
        unit=m.unit,
        display=selectors.display_value(m),
        total=m.total,
        subscores=dict(m.subscores),
        band=m.band,
        band_label=m.band_label,
        details=dict(m.details),
        warnings=list(m.warnings),
        site=m.site,
        side=m.side,
        confirmed_unusual=m.confirmed_unusual,
        confirmed_warnings=list(m.confirmed_warnings),
        notes=m.notes,
        recorded_by=m.recorded_by.email,
        entered_in_error=m.in_error,
        entered_in_error_at=m.entered_in_error_at,
        entered_in_error_reason=m.entered_in_error_reason,
        content_version=m.content_version,
        instrument_version=m.instrument_version,
        scoring_version=m.scoring_version,
        version=m.version,
        created_at=m.created_at,
    )


def _named(exc: ValidationFailed) -> ValidationFailed:
    """The same error with instrument answers named as `answers.<item>`, as they are in the request."""
    errors = {(k if k.split(".")[0] in TOP_LEVEL else f"answers.{k}"): v for k, v in exc.errors.items()}
    if isinstance(exc, UnusualValue):
        return UnusualValue(errors, exc.warnings)
    return ValidationFailed(errors)


@router.get(
    "/clients/{client_id}/measurements",
    operation_id="kneadwell_api_outcomes_measurement_list",
    response=responses({200: MeasurementPage}, 403, 404),
    summary="A client's measurements, newest first (entries in error only when asked for)",
)
@needs(Perm.CLIENT_VIEW)
def measurement_list(request: HttpRequest, client_id: Id, params: Query[ListParams]) -> MeasurementPage:
    qs = selectors.measurements_for_client(
        actor=actor_of(request),
        client_id=client_id,
        instrument_id=params.instrument,
        include_in_error=params.include_in_error,
    ).select_related("recorded_by")
    return MeasurementPage(
        count=qs.count(),
        items=[measurement_out(m) for m in qs[params.offset : params.offset + params.limit]],
    )


@router.post(
    "/clients/{client_id}/measurements",
    operation_id="kneadwell_api_outcomes_measurement_create",
    response=responses({201: MeasurementOut}, 403, 404, 409),
    summary="Record a measurement (scored, plausibility-checked; 409 without consent for measurements)",
)
@needs(Perm.MEASUREMENT_RECORD)
def measurement_create(request: HttpRequest, client_id: Id, payload: MeasurementIn) -> Status[MeasurementOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="recorded a measurement")
    try:
        m = services.measurement_record(
            actor=actor,
            client=client,
            instrument_id=payload.instrument_id,
            answers=payload.answers,
            taken_at=payload.taken_at,
            context=payload.context,
            confirm_unusual=payload.confirm_unusual,
            notes=payload.notes,
        )
    except ValidationFailed as exc:
        raise _named(exc) from None
    return Status(201, measurement_out(m))


@router.post(
    "/clients/{client_id}/measurements/weights",
    operation_id="kneadwell_api_outcomes_weights_create",
    response=responses({201: list[MeasurementOut]}, 403, 404, 409),
    summary="Record several weights at once (daily weights): all are saved or none",
)
@needs(Perm.MEASUREMENT_RECORD)
def weights_create(request: HttpRequest, client_id: Id, payload: WeightsIn) -> Status[list[MeasurementOut]]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="recorded daily weights")
    saved = services.weights_record_series(
        actor=actor,
        client=client,
        weights=[(row.taken_at, row.value) for row in payload.rows],
        unit=payload.unit,
        context=payload.context,
        confirm_unusual=payload.confirm_unusual,
    )
    return Status(201, [measurement_out(m) for m in saved])


@router.get(
    "/clients/{client_id}/measurements/{measurement_id}",
    operation_id="kneadwell_api_outcomes_measurement_get",
    response=responses({200: MeasurementOut}, 403, 404),
    summary="One measurement",
)
@needs(Perm.CLIENT_VIEW)
def measurement_get(request: HttpRequest, client_id: Id, measurement_id: Id) -> MeasurementOut:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a measurement")
    return measurement_out(selectors.measurement_get(client=client, measurement_id=measurement_id))


@router.post(
    "/clients/{client_id}/measurements/{measurement_id}/in-error",
    operation_id="kneadwell_api_outcomes_measurement_in_error",
    response=responses({200: MeasurementOut}, 403, 404, 409),
    summary="Mark a measurement as entered in error (kept in the record, left out of charts)",
)
@needs(Perm.MEASUREMENT_RECORD)
def measurement_in_error(
    request: HttpRequest, client_id: Id, measurement_id: Id, payload: InErrorIn
) -> MeasurementOut:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="marked a measurement in error")
    m = selectors.measurement_get(client=client, measurement_id=measurement_id)
    marked = services.measurement_mark_in_error(
        actor=actor, measurement=m, reason=payload.reason, expected_version=payload.version
    )
    marked.recorded_by = m.recorded_by
    return measurement_out(marked)


# --- CSV import -----------------------------------------------------------------------------------


class ImportIn(BodyIn):
    csv: Annotated[str, Field(min_length=1, max_length=2_000_000)] = Field(
        ..., description="The CSV text (header row: see docs/outcomes.md)"
    )
    mode: Literal["all_or_nothing", "good_rows"] = Field(
        "all_or_nothing",
        description="all_or_nothing (default, safer): any bad row means nothing is saved (422 listing every "
        "bad line); good_rows: save the good rows and list the bad ones",
    )


class ProblemOut(Schema):
    line: int
    field: str
    message: str


class ImportOut(Schema):
    mode: str
    rows: int
    saved: int
    measurement_ids: list[int]
    problems: list[ProblemOut]


@router.post(
    "/measurements/import",
    operation_id="kneadwell_api_outcomes_measurement_import",
    response=responses({200: ImportOut}, 403),
    summary="Import measurements from CSV text; every row is checked first, problems listed by line",
)
@needs(Perm.MEASUREMENT_RECORD)
def measurement_import(request: HttpRequest, payload: ImportIn) -> ImportOut:
    report = services.measurements_import_csv(actor=actor_of(request), text=payload.csv, mode=payload.mode)
    if report.problems and report.mode == services.IMPORT_ALL_OR_NOTHING:
        raise ValidationFailed(report.as_errors())
    return ImportOut(
        mode=report.mode,
        rows=report.rows,
        saved=report.saved,
        measurement_ids=list(report.measurement_ids),
        problems=[ProblemOut(line=p.line, field=p.field, message=p.message) for p in report.problems],
    )
