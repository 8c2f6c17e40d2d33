"""Outcomes the evidence library's findings measure, their findings, and pooling them.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_evidence_…`)
before the evidence router was split, and clients and tests refer to them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.errors import responses
from kneadwell.api.evidence_types import Code, FindingOut, MethodCode, PoolOut, finding_out, pool_fields
from kneadwell.api.permissions import needs
from kneadwell.core.errors import NotFound
from kneadwell.evidence import selectors
from kneadwell.evidence.outcome_pool import OutcomeStatus

router = Router(tags=["evidence"])


class OutcomeOut(Schema):
    code: str
    label: str
    findings: int
    poolable: bool
    measure: str | None
    reason: str
    used_findings: list[str]


class LibraryPoolOut(PoolOut):
    outcome_code: str
    findings: list[str]
    content_version: str


class PoolParams(Schema):
    method: MethodCode = "REML"


def _outcome(s: OutcomeStatus) -> OutcomeOut:
    return OutcomeOut(
        code=s.code,
        label=s.label,
        findings=len(s.uses),
        poolable=s.poolable,
        measure=s.measure,
        reason=s.reason,
        used_findings=[f.id for f in s.used],
    )


@router.get(
    "/outcomes",
    operation_id="kneadwell_api_evidence_outcome_list",
    response=responses({200: list[OutcomeOut]}, 403),
    summary="Outcomes the library's findings measure, and whether each can be pooled (and why not)",
)
@needs(Perm.EVIDENCE_VIEW)
def outcome_list(request: HttpRequest) -> list[OutcomeOut]:
    return [_outcome(s) for s in selectors.outcome_statuses()]


@router.get(
    "/outcomes/{outcome_code}/findings",
    operation_id="kneadwell_api_evidence_outcome_findings",
    response=responses({200: list[FindingOut]}, 403, 404),
    summary="The findings for one outcome, as reported",
)
@needs(Perm.EVIDENCE_VIEW)
def outcome_findings(request: HttpRequest, outcome_code: Code) -> list[FindingOut]:
    findings = selectors.library().findings_for_outcome(outcome_code)
    if not findings:
        raise NotFound(
            _("No finding in the evidence library measures the outcome '%(outcome)s'.")
            % {"outcome": outcome_code}
        )
    return [finding_out(f) for f in findings]


@router.get(
    "/outcomes/{outcome_code}/pool",
    operation_id="kneadwell_api_evidence_outcome_pool",
    response=responses({200: LibraryPoolOut}, 403, 404),
    summary="Pool the library's findings for an outcome (422 with the reason when they cannot be pooled)",
)
@needs(Perm.EVIDENCE_VIEW)
def outcome_pool(request: HttpRequest, outcome_code: Code, params: Query[PoolParams]) -> LibraryPoolOut:
    status, result = selectors.outcome_pool_result(outcome_code=outcome_code, method=params.method)
    return LibraryPoolOut(
        **pool_fields(result, outcome_code),
        outcome_code=outcome_code,
        findings=[f.id for f in status.used],
        content_version=selectors.library().content_version,
    )
