"""Outcome instruments with their items, ranges, scoring bands and sources.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_outcomes_…`)
before the outcomes router was split, and clients and tests refer to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.outcomes import instruments
from kneadwell.outcomes.instruments import Instrument
from kneadwell.outcomes.scores import to_json

router = Router(tags=["outcomes"])


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
    operation_id="kneadwell_api_outcomes_instrument_list",
    response=responses({200: list[InstrumentOut]}, 403),
    summary="Outcome instruments with their items, ranges, scoring bands and sources",
)
@needs(Perm.LIBRARY_VIEW)
def instrument_list(request: HttpRequest) -> list[InstrumentOut]:
    return [_instrument_out(i) for i in instruments.list_instruments()]
