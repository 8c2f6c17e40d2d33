"""Outcome instruments, measurements and growth.

Errors name the input at fault: instrument answers as `answers.<item>` (e.g. `answers.value`,
`answers.face`), daily weights as `rows.<n>.value`, CSV rows as `line <n>.<column>`. A possible-but-unusual
value that was not confirmed is a 422 whose errors include `confirm_unusual`: check it, then send the same
request with `confirm_unusual: true` to keep it (it is then flagged)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, DateOrDateTime, Id, LongText
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import ValidationFailed
from kneadwell.outcomes import instruments, selectors, services
from kneadwell.outcomes.instruments import Instrument
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.scores import to_json
from kneadwell.outcomes.services import UnusualValue

router = Router(tags=["outcomes"])

InstrumentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
Context = Literal["baseline", "session", "weekly", "end", "routine"]
Reference = Literal["uk-who", "who", "cdc", "trisomy-21", "turners"]
Method = Literal["exponential", "average-2-point", "linear"]
Number = Annotated[float, Field(allow_inf_nan=False)]
TOP_LEVEL = frozenset({"instrument_id", "taken_at", "context", "notes", "confirm_unusual", "answers", "rows"})


# --- instruments ----------------------------------------------------------------------------------


class OptionOut(Schema):
    value: int | str
    label: str


class NumericOut(Schema):
    unit: str
    minimum: float
    maximum: float
    decimals: int
    usual_minimum: float | None
    usual_maximum: float | None


class ItemOut(Schema):
    id: str
    label: str
    section: str | None
    options: list[OptionOut]
    numeric: NumericOut | None
    required: bool
    help: str
    source_ids: list[str]


class SectionOut(Schema):
    id: str
    label: str
    max_score: int | None
    parent: str | None


class BandOut(Schema):
    id: str
    label: str
    minimum: float
    maximum: float
    source_ids: list[str]


class McidOut(Schema):
    low: float
    high: float
    applies_to: str
    source_ids: list[str]


class SourceOut(Schema):
    id: str
    short: str
    citation: str
    url: str
    kind: str
    note: str


class InstrumentOut(Schema):
    id: str
    name: str
    kind: str
    measures: str
    population: str
    age_min_days: int | None
    age_max_days: int | None
    age_note: str
    direction: str
    score_min: float | None
    score_max: float | None
    allow_partial: bool
    items: list[ItemOut]
    raw_inputs: list[ItemOut]
    sections: list[SectionOut]
    bands: list[BandOut]
    mcid: McidOut | None
    licence: str
    notes: list[str]
    source_ids: list[str]
    sources: list[SourceOut]
    extra: dict[str, Any] = Field(
        description="Kind-specific data: units, MAS grades and muscle groups, ROM norms"
    )


def _item_out(item: instruments.Item) -> ItemOut:
    n = item.numeric
    return ItemOut(
        id=item.id,
        label=item.label,
        section=item.section,
        options=[OptionOut(value=o.value, label=o.label) for o in item.options],
        numeric=None
        if n is None
        else NumericOut(
            unit=n.unit,
            minimum=n.minimum,
            maximum=n.maximum,
            decimals=n.decimals,
            usual_minimum=n.usual_minimum,
            usual_maximum=n.usual_maximum,
        ),
        required=item.required,
        help=item.help,
        source_ids=list(item.source_ids),
    )


def _instrument_out(inst: Instrument) -> InstrumentOut:
    sources = []
    for sid in sorted(inst.all_source_ids()):
        try:
            s = instruments.get_source(sid)
        except KeyError:
            continue
        sources.append(
            SourceOut(id=s.id, short=s.short, citation=s.citation, url=s.url, kind=s.kind, note=s.note)
        )
    return InstrumentOut(
        id=inst.id,
        name=inst.name,
        kind=inst.kind.value,
        measures=inst.measures,
        population=inst.population,
        age_min_days=inst.age_range.min_days,
        age_max_days=inst.age_range.max_days,
        age_note=inst.age_range.note,
        direction=inst.direction.value,
        score_min=inst.score_min,
        score_max=inst.score_max,
        allow_partial=inst.allow_partial,
        items=[_item_out(i) for i in inst.items],
        raw_inputs=[_item_out(i) for i in inst.raw_inputs],
        sections=[
            SectionOut(id=s.id, label=s.label, max_score=s.max_score, parent=s.parent) for s in inst.sections
        ],
        bands=[
            BandOut(
                id=b.id, label=b.label, minimum=b.minimum, maximum=b.maximum, source_ids=list(b.source_ids)
            )
            for b in inst.bands
        ],
        mcid=None
        if inst.mcid is None
        else McidOut(
            low=inst.mcid.low,
            high=inst.mcid.high,
            applies_to=inst.mcid.applies_to,
            source_ids=list(inst.mcid.source_ids),
        ),
        licence=inst.licence,
        notes=list(inst.notes),
        source_ids=list(inst.source_ids),
        sources=sources,
        extra=to_json(inst.extra),
    )


@router.get(
    "/instruments",
    response=responses({200: list[InstrumentOut]}, 403),
    summary="Outcome instruments with their items, ranges, scoring bands and sources",
)
@needs(Perm.LIBRARY_VIEW)
def instrument_list(request: HttpRequest) -> list[InstrumentOut]:
    return [_instrument_out(i) for i in instruments.list_instruments()]


# --- measurements ---------------------------------------------------------------------------------


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
    response=responses({200: MeasurementOut}, 403, 404),
    summary="One measurement",
)
@needs(Perm.CLIENT_VIEW)
def measurement_get(request: HttpRequest, client_id: Id, measurement_id: Id) -> MeasurementOut:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a measurement")
    return measurement_out(selectors.measurement_get(client=client, measurement_id=measurement_id))


@router.post(
    "/clients/{client_id}/measurements/{measurement_id}/in-error",
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


# --- growth ---------------------------------------------------------------------------------------


class GrowthParams(Schema):
    reference: Reference = "uk-who"
    method: Method = "exponential"
    window_days: Literal[7, 14, 28, 0] = Field(
        7, description="Velocity over the last N days (0: all weights)"
    )
    start_after_regain: bool = False


class SdsOut(Schema):
    measure: str
    label: str
    measurement_id: int
    date: dt.date
    value: float
    unit: str
    chronological_age_days: int | None
    corrected_age_days: int | None
    chronological_sds: float | None
    corrected_sds: float | None
    chronological_centile: float | None
    corrected_centile: float | None
    error: str | None
    advisory: str | None


class VelocityOut(Schema):
    method: str
    method_label: str
    formula: str
    source: str
    window_days: int
    window: str
    start_after_regain: bool
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    days: int | None = None
    start_weight_g: float | None = None
    end_weight_g: float | None = None
    gain_g_per_day: float | None = None
    velocity_g_kg_day: float | None = None
    points_used: int | None = None
    regain_date: dt.date | None = None
    error: str
    goal_note: str


class GrowthOut(Schema):
    client_id: int
    reference: str
    reference_title: str
    reference_source: str
    age_source: str
    chronological_age_days: int
    corrected_age_days: int
    postmenstrual_age: str
    latest: list[SdsOut]
    velocity: VelocityOut
    notes: list[str]


@router.get(
    "/clients/{client_id}/growth",
    response=responses({200: GrowthOut}, 403, 404),
    summary="Growth summary: latest SDS and centiles (chronological and corrected), velocity with its method",
)
@needs(Perm.CLIENT_VIEW)
def growth_summary(request: HttpRequest, client_id: Id, params: Query[GrowthParams]) -> GrowthOut:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed growth")
    s = selectors.growth_summary(
        client=client,
        reference=params.reference,
        method=params.method,
        window_days=params.window_days,
        start_after_regain=params.start_after_regain,
    )
    v = s.velocity
    r = v.result
    return GrowthOut(
        client_id=client.pk,
        reference=s.reference,
        reference_title=s.reference_title,
        reference_source=s.reference_source,
        age_source=s.age_source,
        chronological_age_days=s.today.chronological_days,
        corrected_age_days=s.today.corrected_days,
        postmenstrual_age=str(s.today.postmenstrual),
        latest=[
            SdsOut(
                measure=g.instrument_id,
                label=g.label,
                measurement_id=g.measurement_id,
                date=g.date,
                value=g.value,
                unit=instruments.get_instrument(g.instrument_id).canonical_unit,
                chronological_age_days=g.sds.chronological_age_days,
                corrected_age_days=g.sds.corrected_age_days,
                chronological_sds=g.sds.chronological_sds,
                corrected_sds=g.sds.corrected_sds,
                chronological_centile=g.sds.chronological_centile,
                corrected_centile=g.sds.corrected_centile,
                error=g.sds.error,
                advisory=str(g.sds.advisory) if g.sds.advisory else None,
            )
            for g in s.latest
        ],
        velocity=VelocityOut(
            method=v.method,
            method_label=v.info.label,
            formula=v.info.formula,
            source=v.info.source,
            window_days=v.window_days,
            window=v.window_text,
            start_after_regain=v.start_after_regain,
            error=v.error,
            goal_note=v.goal_note,
            start_date=r.start_date if r else None,
            end_date=r.end_date if r else None,
            days=r.days if r else None,
            start_weight_g=r.start_weight_g if r else None,
            end_weight_g=r.end_weight_g if r else None,
            gain_g_per_day=r.gain_g_per_day if r else None,
            velocity_g_kg_day=r.velocity_g_kg_day if r else None,
            points_used=r.points_used if r else None,
            regain_date=r.regain_date if r else None,
        ),
        notes=list(s.notes),
    )


# --- charts (data for a browser or another program to draw) ---------------------------------------

Measure = Literal["weight", "length_height", "head_circumference"]


class ChartParams(Schema):
    measure: Measure = "weight"
    reference: Reference = "uk-who"


class SegmentOut(Schema):
    x: list[float] = Field(description="Corrected age in the axis unit (see x_label)")
    y: list[float | None] = Field(description="The centile's value (null where the reference has none)")


class CentileLineOut(Schema):
    centile: float
    label: str
    median: bool
    segments: list[SegmentOut] = Field(description="Split where the reference changes table")


class GrowthChartPointOut(Schema):
    date: dt.date
    x: float = Field(description="Corrected age in the axis unit")
    y: float = Field(description="The measurement (kg or cm)")
    corrected_age_days: int
    chronological_age_days: int
    centile: float | None


class ChronologicalPointOut(Schema):
    date: dt.date
    x: float = Field(description="Chronological age in the axis unit")
    x_corrected: float = Field(description="Corrected age in the axis unit (the line joins the two)")
    y: float


class GrowthChartOut(Schema):
    kind: Literal["growth"]
    title: str
    description: str = Field(description="The chart in words (its text alternative)")
    x_label: str
    y_label: str
    x_range: list[float]
    y_range: list[float] | None
    centiles: list[CentileLineOut]
    points: list[GrowthChartPointOut]
    chronological: list[ChronologicalPointOut] = Field(
        description="Measurements also shown at chronological age (the latest, for a baby born early)"
    )


@router.get(
    "/clients/{client_id}/growth/chart",
    response=responses({200: GrowthChartOut}, 403, 404),
    summary="Growth chart data: centile lines and the child's points at corrected and chronological age",
)
@needs(Perm.CLIENT_VIEW)
def growth_chart(request: HttpRequest, client_id: Id, params: Query[ChartParams]) -> dict[str, Any]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed the growth chart")
    return selectors.growth_chart_data(
        client=client, instrument_id=params.measure, reference=params.reference
    )


class TickOut(Schema):
    value: float
    label: str


class TrendPointOut(Schema):
    date: dt.date
    y: float


class TrendSeriesOut(Schema):
    label: str
    colour: str
    marker: str = Field(description="circle, square, triangle-up, diamond, ... (one shape per series)")
    dash: list[float] = Field(description="Line dash pattern in pixels (empty: solid)")
    points: list[TrendPointOut]


class TrendChartOut(Schema):
    kind: Literal["trend"]
    title: str
    description: str = Field(description="The chart in words (its text alternative)")
    y_label: str
    x_range: list[dt.date] | None
    y_range: list[float] | None
    y_ticks: list[TickOut] = Field(description="Named ticks of an ordinal scale (Modified Ashworth grades)")
    integer: bool
    reference_lines: list[TickOut]
    legend: bool
    series: list[TrendSeriesOut]


@router.get(
    "/clients/{client_id}/trends/{instrument_id}/chart",
    response=responses({200: TrendChartOut}, 403, 404),
    summary="Trend chart data of one instrument: its series over time (entries in error left out)",
)
@needs(Perm.CLIENT_VIEW)
def trend_chart(request: HttpRequest, client_id: Id, instrument_id: InstrumentId) -> dict[str, Any]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a trend chart")
    inst = selectors.instrument_or_404(instrument_id)
    return selectors.trend_chart_data(selectors.instrument_trend(client=client, instrument_id=inst.id))


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
