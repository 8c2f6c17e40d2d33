"""The growth summary: latest SDS and centiles (chronological and corrected) and weight velocity.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_outcomes_…`)
before the outcomes router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.outcome_types import Reference
from kneadwell.api.permissions import needs
from kneadwell.api.types import Id
from kneadwell.clients.selectors import client_get
from kneadwell.outcomes import instruments, selectors

router = Router(tags=["outcomes"])

Method = Literal["exponential", "average-2-point", "linear"]


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
    operation_id="kneadwell_api_outcomes_growth_summary",
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
