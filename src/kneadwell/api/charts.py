"""Chart data (for a browser or another program to draw): the growth chart and an instrument's trend.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_outcomes_…`)
before the outcomes router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.outcome_types import InstrumentId, Reference
from kneadwell.api.permissions import needs
from kneadwell.api.types import Id
from kneadwell.clients.selectors import client_get
from kneadwell.outcomes import selectors

router = Router(tags=["outcomes"])

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
    operation_id="kneadwell_api_outcomes_growth_chart",
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
    operation_id="kneadwell_api_outcomes_trend_chart",
    response=responses({200: TrendChartOut}, 403, 404),
    summary="Trend chart data of one instrument: its series over time (entries in error left out)",
)
@needs(Perm.CLIENT_VIEW)
def trend_chart(request: HttpRequest, client_id: Id, instrument_id: InstrumentId) -> dict[str, Any]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="viewed a trend chart")
    inst = selectors.instrument_or_404(instrument_id)
    return selectors.trend_chart_data(selectors.instrument_trend(client=client, instrument_id=inst.id))
