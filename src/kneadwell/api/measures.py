"""An organisation's own outcome measures (docs/custom-measures.md): list, define, a new version, one
measure. Once a version is published, the measure's `instrument_id` is recorded through
`POST /clients/{id}/measurements` like any instrument, and it is listed by `GET /instruments`.

Reading the definitions: any member (`library.view`); defining them: the clinical lead
(`measure.define`, the administrator). Another organisation's measure is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, ShortText, _printable
from kneadwell.outcomes import selectors, services
from kneadwell.outcomes.instruments.organisation import measure_instrument_id
from kneadwell.outcomes.models import OrganisationMeasure

router = Router(tags=["outcomes"])


Unit = Annotated[str, Field(min_length=1, max_length=16), AfterValidator(_printable)]
Label = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_printable)]
ItemLabel = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_printable)]
Short = Annotated[str, Field(max_length=40), AfterValidator(_printable)]
Code = Annotated[str, Field(max_length=80), AfterValidator(_printable)]
Line = Annotated[str, Field(max_length=300), AfterValidator(_printable)]
What = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_printable)]
Licence = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_printable)]
Words = Annotated[str, Field(max_length=3000), AfterValidator(_printable)]


Slug = Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
Number = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]
OptionValue = Annotated[int, Field(ge=-10_000, le=10_000)]


class OptionIn(BodyIn):
    value: OptionValue
    label: ShortText


class NumericIn(BodyIn):
    unit: Unit
    minimum: Number
    maximum: Number
    decimals: Annotated[int, Field(ge=0, le=3)] = 0


class ItemIn(BodyIn):
    """One item: answers to choose from (`options`, each a whole-number value and its label) or a number
    (`numeric`: unit, range, decimals); `reversed` scores it the other way round."""

    label: ItemLabel
    options: Annotated[list[OptionIn], Field(max_length=11)] | None = None
    numeric: NumericIn | None = None
    reversed: bool = False


class ScoringIn(BodyIn):
    method: Literal["sum", "mean"] = "sum"
    min_answered: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="For a mean: how many items must be answered (default: all)"
    )


class BandIn(BodyIn):
    label: Label
    minimum: Number
    maximum: Number


class DefinitionIn(BodyIn):
    name: Label
    short_name: Short = ""
    measures: What
    population: Line = ""
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=100)]
    scoring: ScoringIn = Field(default_factory=lambda: ScoringIn(method="sum", min_answered=None))
    score_range: Annotated[list[Number], Field(min_length=2, max_length=2)] | None = Field(
        None, description="Optional check: the lowest and highest total the items must give"
    )
    direction: Literal["higher_better", "higher_worse"]
    bands: Annotated[list[BandIn], Field(max_length=10)] = Field(default_factory=list)
    licence: Licence = Field(..., description="Who holds the licence (or that none is needed)")
    sources: Words = ""
    notes: Words = ""
    protocol_measure: Code = Field("", description="The programmes' measure it records (e.g. pedsql)")


class MeasureCreateIn(BodyIn):
    slug: Slug | Literal[""] = Field("", description="The end of its instrument id; made from the short name")
    definition: DefinitionIn
    publish: bool = Field(False, description="Publish version 1 at once (else it stays a draft)")


class MeasureVersionIn(BodyIn):
    version: Version = Field(..., description="The measure's version you loaded; a newer one is a 409")
    definition: DefinitionIn
    publish: bool = Field(False, description="Publish it at once (else it stays a draft)")


class MeasureVersionOut(Schema):
    number: int
    published: bool
    published_at: dt.datetime | None
    definition: dict[str, Any]


class MeasureOut(Schema):
    slug: str
    instrument_id: str
    name: str
    published_number: int = Field(..., description="The version new entries are scored with (0: none yet)")
    retired: bool
    version: int = Field(..., description="Send it back with a new version (optimistic locking)")
    versions: list[MeasureVersionOut]


def _out(measure: OrganisationMeasure) -> MeasureOut:
    versions = selectors.measure_versions(measure=measure)
    return MeasureOut(
        slug=measure.slug,
        instrument_id=measure_instrument_id(measure.organisation_id, measure.slug),
        name=str(versions[0].definition.get("name", measure.slug)) if versions else measure.slug,
        published_number=measure.published_number,
        retired=measure.retired_at is not None,
        version=measure.version,
        versions=[
            MeasureVersionOut(
                number=v.number,
                published=v.published_at is not None,
                published_at=v.published_at,
                definition=v.definition,
            )
            for v in versions
        ],
    )


def _definition(payload: DefinitionIn) -> dict[str, Any]:
    return payload.model_dump(exclude_none=True)


@router.get(
    "/measures",
    operation_id="kneadwell_api_outcomes_measure_list",
    response=responses({200: list[MeasureOut]}, 403),
    summary="Your organisation's own outcome measures, with every version",
)
@needs(Perm.LIBRARY_VIEW)
def measure_list(request: HttpRequest) -> list[MeasureOut]:
    actor = actor_of(request)
    return [_out(s.measure) for s in selectors.organisation_measure_list(actor=actor)]


@router.post(
    "/measures",
    operation_id="kneadwell_api_outcomes_measure_create",
    response=responses({201: MeasureOut}, 403),
    summary="Define a measure: version 1, a draft unless `publish`",
)
@needs(Perm.MEASURE_DEFINE)
def measure_create(request: HttpRequest, payload: MeasureCreateIn) -> Status[MeasureOut]:
    actor = actor_of(request)
    measure = services.organisation_measure_create(
        actor=actor, definition=_definition(payload.definition), slug=payload.slug
    )
    if payload.publish:
        services.organisation_measure_publish(actor=actor, measure=measure, expected_version=measure.version)
        measure.refresh_from_db()
    return Status(201, _out(measure))


@router.get(
    "/measures/{measure_id}",
    operation_id="kneadwell_api_outcomes_measure_get",
    response=responses({200: MeasureOut}, 403, 404),
    summary="One measure with every version",
)
@needs(Perm.LIBRARY_VIEW)
def measure_get(request: HttpRequest, measure_id: Slug) -> MeasureOut:
    return _out(selectors.organisation_measure_get(actor=actor_of(request), slug=measure_id))


@router.post(
    "/measures/{measure_id}/versions",
    operation_id="kneadwell_api_outcomes_measure_version",
    response=responses({201: MeasureOut}, 403, 404, 409),
    summary="A new version (or a change to the draft); entries already recorded keep their version",
)
@needs(Perm.MEASURE_DEFINE)
def measure_version(request: HttpRequest, measure_id: Slug, payload: MeasureVersionIn) -> Status[MeasureOut]:
    actor = actor_of(request)
    measure = selectors.organisation_measure_get(actor=actor, slug=measure_id)
    services.organisation_measure_revise(
        actor=actor,
        measure=measure,
        definition=_definition(payload.definition),
        expected_version=payload.version,
    )
    measure.refresh_from_db()
    if payload.publish:
        services.organisation_measure_publish(actor=actor, measure=measure, expected_version=measure.version)
        measure.refresh_from_db()
    return Status(201, _out(measure))
