from django.urls import path

from kneadwell.evaluation.views import allocation, assessment, participants, results, studies

app_name = "evaluation"
STUDY = "<int:study_id>/"
PARTICIPANT = STUDY + "participants/<int:participant_id>/"
urlpatterns = [
    path("", studies.index, name="index"),
    path("new/", studies.study_create, name="study_create"),
    path(STUDY, studies.study, name="study"),
    path(STUDY + "arms/new/", studies.arm_add, name="arm_add"),
    path(STUDY + "outcomes/new/", studies.outcome_add, name="outcome_add"),
    path(STUDY + "open/", studies.study_open, name="study_open"),
    path(STUDY + "close/", studies.study_close, name="study_close"),
    path(STUDY + "allocation/", allocation.allocation, name="allocation"),
    path(STUDY + "allocation/generate/", allocation.allocation_generate, name="allocation_generate"),
    path(STUDY + "allocation/upload/", allocation.allocation_upload, name="allocation_upload"),
    path(STUDY + "screen/", participants.screen, name="screen"),
    path(PARTICIPANT, participants.participant, name="participant"),
    path(PARTICIPANT + "randomise/", participants.randomise, name="randomise"),
    path(PARTICIPANT + "received/", participants.received, name="received"),
    path(PARTICIPANT + "withdraw/", participants.withdraw, name="withdraw"),
    path(STUDY + "follow-up/", results.followup, name="followup"),
    path(STUDY + "consort/", results.consort_page, name="consort"),
    path(STUDY + "consort.svg", results.consort_svg, name="consort_svg"),
    path(STUDY + "analysis/", results.analysis, name="analysis"),
    path(STUDY + "dataset.csv", results.dataset_csv, name="dataset_csv"),
    path(STUDY + "dictionary.csv", results.dictionary_csv, name="dictionary_csv"),
    path("assess/", assessment.assess, name="assess"),
    path(
        "assess/<int:participant_id>/<slug:instrument_id>/",
        assessment.assess_entry,
        name="assess_entry",
    ),
]
