"""An organisation's own meta-analyses: entering, changing, deleting and pooling them.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_evidence_…`)
before the evidence router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.evidence_types import MethodCode, PoolOut, pool_fields
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, LongText, Name, ShortText
from kneadwell.evidence import selectors, services
from kneadwell.evidence.models import MetaAnalysis

router = Router(tags=["evidence"])

AnalysisId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
MeasureCode = Literal["RR", "OR", "RD", "MD", "SMD"]
OutcomeCodeOrEmpty = Annotated[str, Field(max_length=80, pattern=r"^[a-z0-9_]*$")]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
# Finite and bounded: JSON parsers accept NaN and Infinity, and an effect on a log scale beyond ±1e6
# (or a mean beyond ±1e12) is a typing error, not data.
Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


class AnalysisRowIn(BodyIn):
    """One study, with the columns of one layout: counts (RR, OR, RD), means and SDs (MD, SMD), or
    yi and vi (yi as a log ratio for RR and OR)."""

    study: ShortText
    events_treatment: Count | None = None
    n_treatment: Count | None = None
    events_control: Count | None = None
    n_control: Count | None = None
    mean_treatment: Number | None = None
    sd_treatment: Number | None = None
    mean_control: Number | None = None
    sd_control: Number | None = None
    yi: Number | None = None
    vi: Number | None = None


Rows = Annotated[list[AnalysisRowIn], Field(min_length=1, max_length=200)]


class AnalysisIn(BodyIn):
    title: Name
    outcome: Name
    outcome_code: OutcomeCodeOrEmpty = Field("", description="The evidence library's outcome code, if any")
    measure: MeasureCode
    method: MethodCode = "REML"
    notes: LongText = ""
    rows: Rows


class AnalysisPatch(BodyIn):
    version: Version = Field(..., description="The version you loaded; a newer one on the server is a 409")
    title: Name | None = None
    outcome: Name | None = None
    outcome_code: OutcomeCodeOrEmpty | None = None
    measure: MeasureCode | None = None
    method: MethodCode | None = None
    notes: LongText | None = None
    rows: Rows | None = None


class AnalysisOut(Schema):
    id: int
    title: str
    outcome: str
    outcome_code: str
    measure: str
    method: str
    notes: str
    rows: list[dict[str, Any]]
    version: int
    created_by: str
    updated_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class AnalysisResultOut(PoolOut):
    analysis_id: int
    version: int


class DeletedOut(Schema):
    id: int
    deleted: bool


class ResultParams(Schema):
    method: MethodCode | None = Field(None, description="Another τ² method than the saved one")


class DeleteParams(Schema):
    version: Version = Field(..., description="The version you loaded; a newer one on the server is a 409")


def _analysis(a: MetaAnalysis) -> AnalysisOut:
    return AnalysisOut(
        id=a.pk,
        title=a.title,
        outcome=a.outcome,
        outcome_code=a.outcome_code,
        measure=a.measure,
        method=a.method,
        notes=a.notes,
        rows=a.rows,
        version=a.version,
        created_by=a.created_by.email,
        updated_by=a.updated_by.email,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def _rows(rows: list[AnalysisRowIn]) -> list[dict[str, Any]]:
    return [r.model_dump(exclude_none=True) for r in rows]


@router.get(
    "/analyses",
    operation_id="kneadwell_api_evidence_analysis_list",
    response=responses({200: list[AnalysisOut]}, 403),
    summary="Your organisation's meta-analyses, most recently changed first",
)
@needs(Perm.EVIDENCE_VIEW)
def analysis_list(request: HttpRequest) -> list[AnalysisOut]:
    return [_analysis(a) for a in selectors.meta_analysis_queryset(actor=actor_of(request))[:200]]


@router.post(
    "/analyses",
    operation_id="kneadwell_api_evidence_analysis_create",
    response=responses({201: AnalysisOut}, 403),
    summary="Enter a meta-analysis (rows in the kneadwell meta columns); a bad row is a 422 naming it",
)
@needs(Perm.EVIDENCE_EDIT)
def analysis_create(request: HttpRequest, payload: AnalysisIn) -> Status[AnalysisOut]:
    item = services.meta_analysis_create(
        actor=actor_of(request),
        title=payload.title,
        outcome=payload.outcome,
        outcome_code=payload.outcome_code,
        measure=payload.measure,
        method=payload.method,
        notes=payload.notes,
        rows=_rows(payload.rows),
    )
    return Status(201, _analysis(item))


@router.get(
    "/analyses/{analysis_id}",
    response=responses({200: AnalysisOut}, 403, 404),
    summary="One analysis",
    operation_id="kneadwell_api_evidence_analysis_get",
)
@needs(Perm.EVIDENCE_VIEW)
def analysis_get(request: HttpRequest, analysis_id: AnalysisId) -> AnalysisOut:
    return _analysis(selectors.meta_analysis_get(actor=actor_of(request), analysis_id=analysis_id))


@router.patch(
    "/analyses/{analysis_id}",
    operation_id="kneadwell_api_evidence_analysis_update",
    response=responses({200: AnalysisOut}, 403, 404, 409),
    summary="Change an analysis (fields left out keep their value)",
)
@needs(Perm.EVIDENCE_EDIT)
def analysis_update(request: HttpRequest, analysis_id: AnalysisId, payload: AnalysisPatch) -> AnalysisOut:
    actor = actor_of(request)
    selectors.meta_analysis_get(actor=actor, analysis_id=analysis_id)
    changes = payload.model_dump(exclude={"version", "rows"}, exclude_none=True)
    item = services.meta_analysis_update(
        actor=actor,
        analysis_id=analysis_id,
        expected_version=payload.version,
        rows=_rows(payload.rows) if payload.rows is not None else None,
        **changes,
    )
    return _analysis(item)


@router.delete(
    "/analyses/{analysis_id}",
    operation_id="kneadwell_api_evidence_analysis_delete",
    response=responses({200: DeletedOut}, 403, 404, 409),
    summary="Delete an analysis (the audit log keeps its rows)",
)
@needs(Perm.EVIDENCE_EDIT)
def analysis_delete(request: HttpRequest, analysis_id: AnalysisId, params: Query[DeleteParams]) -> DeletedOut:
    actor = actor_of(request)
    selectors.meta_analysis_get(actor=actor, analysis_id=analysis_id)
    services.meta_analysis_delete(actor=actor, analysis_id=analysis_id, expected_version=params.version)
    return DeletedOut(id=analysis_id, deleted=True)


@router.get(
    "/analyses/{analysis_id}/result",
    operation_id="kneadwell_api_evidence_analysis_result",
    response=responses({200: AnalysisResultOut}, 403, 404),
    summary="The pooled result of an analysis (with its saved method, or another one)",
)
@needs(Perm.EVIDENCE_VIEW)
def analysis_result(
    request: HttpRequest, analysis_id: AnalysisId, params: Query[ResultParams]
) -> AnalysisResultOut:
    item = selectors.meta_analysis_get(actor=actor_of(request), analysis_id=analysis_id)
    result = selectors.meta_analysis_result(analysis=item, method=params.method)
    return AnalysisResultOut(
        **pool_fields(result, item.outcome_code or None), analysis_id=item.pk, version=item.version
    )
