"""Programme evaluation's API, part 1: studies (design, opening, closing) and the allocation list (for its
holder only). Operation ids are explicit and stable."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.evaluation_types import (
    EvaluationAllocationOut,
    EvaluationArmIn,
    EvaluationGenerateIn,
    EvaluationOutcomeIn,
    EvaluationSlotOut,
    EvaluationStudyIn,
    EvaluationStudyOut,
    EvaluationUploadIn,
    EvaluationVersionIn,
    study_out,
)
from kneadwell.api.permissions import needs
from kneadwell.evaluation import services
from kneadwell.evaluation.models import Study
from kneadwell.evaluation.selectors.allocation import allocation_view
from kneadwell.evaluation.selectors.design import arms_of, outcomes_of
from kneadwell.evaluation.selectors.studies import study_get, study_list

router = Router(tags=["evaluation"])
StudyId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _out(study: Study) -> EvaluationStudyOut:
    return study_out(study, arms_of(study), outcomes_of(study))


@router.get(
    "/studies",
    operation_id="kneadwell_api_evaluation_study_list",
    response=responses({200: list[EvaluationStudyOut]}, 403),
    summary="Your organisation's studies, newest first",
)
@needs(Perm.STUDY_VIEW)
def study_list_op(request: HttpRequest) -> list[EvaluationStudyOut]:
    return [_out(s) for s in study_list(actor=actor_of(request))[:200]]


@router.post(
    "/studies",
    operation_id="kneadwell_api_evaluation_study_create",
    response=responses({201: EvaluationStudyOut}, 403),
    summary="Create a study (then add its arms and outcomes; the allocation-list holder makes its list)",
)
@needs(Perm.STUDY_MANAGE)
def study_create(request: HttpRequest, payload: EvaluationStudyIn) -> Status[EvaluationStudyOut]:
    study = services.study_create(actor=actor_of(request), **payload.model_dump())
    return Status(201, _out(study))


@router.get(
    "/studies/{study_id}",
    operation_id="kneadwell_api_evaluation_study_get",
    response=responses({200: EvaluationStudyOut}, 403, 404),
    summary="One study with its arms and outcomes",
)
@needs(Perm.STUDY_VIEW)
def study_get_op(request: HttpRequest, study_id: StudyId) -> EvaluationStudyOut:
    return _out(study_get(actor=actor_of(request), study_id=study_id))


@router.post(
    "/studies/{study_id}/arms",
    operation_id="kneadwell_api_evaluation_arm_add",
    response=responses({201: EvaluationStudyOut}, 403, 404),
    summary="Add an arm (only while the study is designed)",
)
@needs(Perm.STUDY_MANAGE)
def arm_add(request: HttpRequest, study_id: StudyId, payload: EvaluationArmIn) -> Status[EvaluationStudyOut]:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.STUDY_MANAGE)
    services.arm_add(actor=actor, study=study, **payload.model_dump())
    return Status(201, _out(study))


@router.post(
    "/studies/{study_id}/outcomes",
    operation_id="kneadwell_api_evaluation_outcome_add",
    response=responses({201: EvaluationStudyOut}, 403, 404),
    summary="Add a primary or secondary outcome (only while the study is designed)",
)
@needs(Perm.STUDY_MANAGE)
def outcome_add(
    request: HttpRequest, study_id: StudyId, payload: EvaluationOutcomeIn
) -> Status[EvaluationStudyOut]:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.STUDY_MANAGE)
    services.outcome_add(actor=actor, study=study, **payload.model_dump())
    return Status(201, _out(study))


@router.post(
    "/studies/{study_id}/open",
    operation_id="kneadwell_api_evaluation_study_open",
    response=responses({200: EvaluationStudyOut}, 403, 404, 409),
    summary="Open to recruitment (arms, a control, a primary outcome and the allocation list needed)",
)
@needs(Perm.STUDY_MANAGE)
def study_open(request: HttpRequest, study_id: StudyId, payload: EvaluationVersionIn) -> EvaluationStudyOut:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.STUDY_MANAGE)
    return _out(services.study_open(actor=actor, study=study, expected_version=payload.version))


@router.post(
    "/studies/{study_id}/close",
    operation_id="kneadwell_api_evaluation_study_close",
    response=responses({200: EvaluationStudyOut}, 403, 404, 409),
    summary="Close to recruitment (follow-up goes on)",
)
@needs(Perm.STUDY_MANAGE)
def study_close(request: HttpRequest, study_id: StudyId, payload: EvaluationVersionIn) -> EvaluationStudyOut:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.STUDY_MANAGE)
    return _out(services.study_close(actor=actor, study=study, expected_version=payload.version))


def _allocation(request: HttpRequest, study: Study) -> EvaluationAllocationOut:
    view = allocation_view(actor=actor_of(request), study=study)
    listing = view.listing
    return EvaluationAllocationOut(
        method=listing.method if listing else None,
        algorithm=listing.algorithm if listing else "",
        seed=listing.seed if listing else "",
        table_sha256=listing.table_sha256 if listing else "",
        reproduces=view.reproduces,
        balance_problems=view.balance_problems,
        slots=[
            EvaluationSlotOut(
                stratum=s.stratum,
                position=s.position,
                block=s.block,
                block_size=s.block_size,
                arm=s.arm.code,
                participant=s.participant.code if s.participant else None,
                used_at=s.used_at,
            )
            for s in view.slots
        ],
    )


@router.get(
    "/studies/{study_id}/allocation",
    operation_id="kneadwell_api_evaluation_allocation_get",
    response=responses({200: EvaluationAllocationOut}, 403, 404),
    summary="The allocation list, its seed and its check (the allocation-list holder only)",
)
@needs(Perm.ALLOCATION_VIEW)
def allocation_get(request: HttpRequest, study_id: StudyId) -> EvaluationAllocationOut:
    study = study_get(actor=actor_of(request), study_id=study_id, perm=Perm.ALLOCATION_VIEW)
    return _allocation(request, study)


@router.post(
    "/studies/{study_id}/allocation/generate",
    operation_id="kneadwell_api_evaluation_allocation_generate",
    response=responses({201: EvaluationAllocationOut}, 403, 404),
    summary="Generate the list: stratified permuted blocks of random sizes (while the study is designed)",
)
@needs(Perm.ALLOCATION_VIEW)
def allocation_generate(
    request: HttpRequest, study_id: StudyId, payload: EvaluationGenerateIn
) -> Status[EvaluationAllocationOut]:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.ALLOCATION_VIEW)
    services.allocation_generate(actor=actor, study=study, seed=payload.seed)
    return Status(201, _allocation(request, study))


@router.post(
    "/studies/{study_id}/allocation/upload",
    operation_id="kneadwell_api_evaluation_allocation_upload",
    response=responses({201: EvaluationAllocationOut}, 403, 404),
    summary="Upload an allocation table as CSV (columns arm, one per stratification factor, block optional)",
)
@needs(Perm.ALLOCATION_VIEW)
def allocation_upload(
    request: HttpRequest, study_id: StudyId, payload: EvaluationUploadIn
) -> Status[EvaluationAllocationOut]:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.ALLOCATION_VIEW)
    services.allocation_upload(actor=actor, study=study, table=payload.csv, filename=payload.filename)
    return Status(201, _allocation(request, study))
