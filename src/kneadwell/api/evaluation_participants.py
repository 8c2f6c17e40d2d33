"""Programme evaluation's API, part 2: participants (screening, randomising, receipt, withdrawal), the
results (follow-up, CONSORT, analysis, the dataset and its dictionary), and the assessor's operations,
whose answers carry nothing of the arm."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import ErrorOut, responses
from kneadwell.api.evaluation_types import (
    EvaluationAnalysisOut,
    EvaluationAssessmentIn,
    EvaluationAssessmentOut,
    EvaluationConsortOut,
    EvaluationDueOut,
    EvaluationFollowUpOut,
    EvaluationMissingOut,
    EvaluationParticipantOut,
    EvaluationReceivedIn,
    EvaluationScreenIn,
    EvaluationTaskOut,
    EvaluationWithdrawIn,
    Population,
    consort_out,
    participant_out,
    result_out,
)
from kneadwell.api.permissions import needs
from kneadwell.clients.selectors import client_get
from kneadwell.evaluation import services
from kneadwell.evaluation.methods import dataset as files
from kneadwell.evaluation.models import Participant
from kneadwell.evaluation.selectors import results
from kneadwell.evaluation.selectors.assessment import assessment_task, assessment_tasks
from kneadwell.evaluation.selectors.studies import participant_get, shows_names, study_get

router = Router(tags=["evaluation"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
CSV = {"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


def _participant(request: HttpRequest, study_id: int, participant_id: int, perm: Perm) -> Participant:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=perm)
    return participant_get(actor=actor, study=study, participant_id=participant_id, perm=perm)


def _out(request: HttpRequest, p: Participant) -> EvaluationParticipantOut:
    return participant_out(p, named=shows_names(actor_of(request)))


@router.get(
    "/studies/{study_id}/participants",
    operation_id="kneadwell_api_evaluation_participant_list",
    response=responses({200: list[EvaluationParticipantOut]}, 403, 404),
    summary="Everyone screened for the study, by study number",
)
@needs(Perm.STUDY_VIEW)
def participant_list(request: HttpRequest, study_id: Id) -> list[EvaluationParticipantOut]:
    study = study_get(actor=actor_of(request), study_id=study_id)
    return [_out(request, p) for p in results.study_data(study).participants]


@router.post(
    "/studies/{study_id}/participants",
    operation_id="kneadwell_api_evaluation_participant_screen",
    response=responses({201: EvaluationParticipantOut}, 403, 404, 409),
    summary="Screen a client: eligible, not eligible (with the criteria that failed), declined or excluded",
)
@needs(Perm.STUDY_RANDOMISE)
def participant_screen(
    request: HttpRequest, study_id: Id, payload: EvaluationScreenIn
) -> Status[EvaluationParticipantOut]:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.STUDY_RANDOMISE)
    client = client_get(actor=actor, client_id=payload.client_id, purpose="screened for a study")
    p = services.participant_screen(
        actor=actor,
        study=study,
        client=client,
        checks_confirmed=payload.checks_confirmed,
        site=payload.site,
        decision=payload.decision,
        reason=payload.reason,
    )
    return Status(201, _out(request, p))


@router.get(
    "/studies/{study_id}/participants/{participant_id}",
    operation_id="kneadwell_api_evaluation_participant_get",
    response=responses({200: EvaluationParticipantOut}, 403, 404),
    summary="One participant",
)
@needs(Perm.STUDY_VIEW)
def participant_get_op(request: HttpRequest, study_id: Id, participant_id: Id) -> EvaluationParticipantOut:
    return _out(request, _participant(request, study_id, participant_id, Perm.STUDY_VIEW))


@router.post(
    "/studies/{study_id}/participants/{participant_id}/randomise",
    operation_id="kneadwell_api_evaluation_participant_randomise",
    response=responses({200: EvaluationParticipantOut}, 403, 404, 409),
    summary="Randomise an eligible participant: the next line of the concealed list; irreversible",
)
@needs(Perm.STUDY_RANDOMISE)
def participant_randomise(request: HttpRequest, study_id: Id, participant_id: Id) -> EvaluationParticipantOut:
    p = _participant(request, study_id, participant_id, Perm.STUDY_RANDOMISE)
    return _out(request, services.participant_randomise(actor=actor_of(request), participant=p))


@router.post(
    "/studies/{study_id}/participants/{participant_id}/received",
    operation_id="kneadwell_api_evaluation_participant_received",
    response=responses({200: EvaluationParticipantOut}, 403, 404),
    summary="Whether the allocated programme was received (a no needs its reason)",
)
@needs(Perm.STUDY_RANDOMISE)
def participant_received(
    request: HttpRequest, study_id: Id, participant_id: Id, payload: EvaluationReceivedIn
) -> EvaluationParticipantOut:
    p = _participant(request, study_id, participant_id, Perm.STUDY_RANDOMISE)
    return _out(
        request,
        services.participant_mark_received(
            actor=actor_of(request), participant=p, received=payload.received, note=payload.note
        ),
    )


@router.post(
    "/studies/{study_id}/participants/{participant_id}/withdraw",
    operation_id="kneadwell_api_evaluation_participant_withdraw",
    response=responses({200: EvaluationParticipantOut}, 403, 404),
    summary="Withdraw a participant, with the reason (they stay in the intention-to-treat analysis)",
)
@needs(Perm.STUDY_RANDOMISE)
def participant_withdraw(
    request: HttpRequest, study_id: Id, participant_id: Id, payload: EvaluationWithdrawIn
) -> EvaluationParticipantOut:
    p = _participant(request, study_id, participant_id, Perm.STUDY_RANDOMISE)
    return _out(
        request,
        services.participant_withdraw(
            actor=actor_of(request),
            participant=p,
            kind=payload.kind,
            reason=payload.reason,
            data_kept=payload.data_kept,
        ),
    )


@router.get(
    "/studies/{study_id}/follow-up",
    operation_id="kneadwell_api_evaluation_followup",
    response=responses({200: EvaluationFollowUpOut}, 403, 404),
    summary="Each participant's time points, and the missing-data report by outcome and arm",
)
@needs(Perm.STUDY_VIEW)
def followup(request: HttpRequest, study_id: Id) -> EvaluationFollowUpOut:
    data = results.study_data(study_get(actor=actor_of(request), study_id=study_id))
    return EvaluationFollowUpOut(
        time_points=[
            EvaluationDueOut(
                participant=d.participant.code,
                instrument_id=d.point.instrument_id,
                day=d.point.day,
                opens=d.opens,
                due=d.due,
                closes=d.closes,
                status=d.status,
                value=d.entry.point.number if d.entry else None,
                blinded=d.entry.blinded if d.entry else None,
            )
            for d in results.followup(data)
        ],
        missing=[
            EvaluationMissingOut(
                outcome=r.outcome.code,
                arm=r.arm.code,
                randomised=r.randomised,
                with_data=r.with_data,
                reasons=r.reasons,
            )
            for r in results.missing_report(data)
        ],
    )


@router.get(
    "/studies/{study_id}/consort",
    operation_id="kneadwell_api_evaluation_consort",
    response=responses({200: EvaluationConsortOut}, 403, 404),
    summary="The CONSORT flow counts (the page draws them; /studies/<id>/consort.svg is the figure)",
)
@needs(Perm.STUDY_VIEW)
def consort(
    request: HttpRequest, study_id: Id, population: Query[Population] = "itt"
) -> EvaluationConsortOut:
    study = study_get(actor=actor_of(request), study_id=study_id)
    return consort_out(results.consort_flow(results.study_data(study), population=population))


@router.get(
    "/studies/{study_id}/analysis",
    operation_id="kneadwell_api_evaluation_analysis",
    response=responses({200: EvaluationAnalysisOut}, 403, 404),
    summary="Every outcome analysed (statsmodels): per arm n, mean (SD) or events/n; differences with 95% CI",
)
@needs(Perm.STUDY_VIEW)
def analysis(
    request: HttpRequest, study_id: Id, population: Query[Population] = "itt"
) -> EvaluationAnalysisOut:
    study = study_get(actor=actor_of(request), study_id=study_id)
    found = results.analyse(results.study_data(study), population=population)
    return EvaluationAnalysisOut(
        population=population, outcomes=[result_out(a.outcome, a.result) for a in found]
    )


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/studies/{study_id}/dataset.csv",
    operation_id="kneadwell_api_evaluation_dataset",
    response={200: str, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The analysis dataset as CSV, one row per randomised participant (audited as an export)",
    openapi_extra=CSV,
)
@needs(Perm.STUDY_MANAGE)
def dataset(request: HttpRequest, study_id: Id, population: Query[Population] = "itt") -> HttpResponse:
    actor = actor_of(request)
    study = study_get(actor=actor, study_id=study_id, perm=Perm.STUDY_MANAGE)
    exported = services.dataset_export(actor=actor, study=study, population=population)
    return _csv(exported.data, f"{study.code}-{population}-dataset.csv")


@router.get(
    "/studies/{study_id}/dictionary.csv",
    operation_id="kneadwell_api_evaluation_dictionary",
    response={200: str, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The dataset's data dictionary as CSV: variable, label, type, unit, coded values",
    openapi_extra=CSV,
)
@needs(Perm.STUDY_MANAGE)
def dictionary(request: HttpRequest, study_id: Id) -> HttpResponse:
    study = study_get(actor=actor_of(request), study_id=study_id, perm=Perm.STUDY_MANAGE)
    columns, _rows = results.dataset(results.study_data(study))
    return _csv(files.dictionary_csv(columns), f"{study.code}-dictionary.csv")


@router.get(
    "/assessments",
    operation_id="kneadwell_api_evaluation_assessment_list",
    response=responses({200: list[EvaluationTaskOut]}, 403),
    summary="Outcome time points due now or coming up, for the assessor (nothing of the arm)",
)
@needs(Perm.OUTCOME_ASSESS)
def assessment_list(request: HttpRequest) -> list[EvaluationTaskOut]:
    return [
        EvaluationTaskOut(**{k: v for k, v in vars(t).items() if k in EvaluationTaskOut.model_fields})
        for t in assessment_tasks(actor=actor_of(request))
    ]


@router.post(
    "/assessments/{participant_id}/measurements",
    operation_id="kneadwell_api_evaluation_assessment_enter",
    response=responses({201: EvaluationAssessmentOut}, 403, 404, 409),
    summary="Enter a participant's outcome for a time point (recorded as blinded when the role is)",
)
@needs(Perm.OUTCOME_ASSESS)
def assessment_enter(
    request: HttpRequest, participant_id: Id, payload: EvaluationAssessmentIn
) -> Status[EvaluationAssessmentOut]:
    actor = actor_of(request)
    participant, _task = assessment_task(
        actor=actor, participant_id=participant_id, instrument_id=payload.instrument_id, day=payload.day
    )
    entry = services.outcome_enter(
        actor=actor,
        participant=participant,
        instrument_id=payload.instrument_id,
        day=payload.day,
        answers=payload.answers,
        taken_at=payload.taken_at,
        confirm_unusual=payload.confirm_unusual,
        notes=payload.notes,
    )
    return Status(
        201,
        EvaluationAssessmentOut(
            id=entry.pk,
            participant_code=participant.code,
            instrument_id=entry.instrument_id,
            day=entry.day,
            measurement_id=entry.measurement_id,
            blinded=entry.blinded,
            entered_role=entry.entered_role,
        ),
    )
