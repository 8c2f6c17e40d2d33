"""Writes of programme evaluation, each `<entity>_<verb>(*, actor, ...)`, checked, validated and audited
in one transaction (kneadwell.audit.writes):

* `studies`: `study_create`, `arm_add`, `outcome_add`, `study_open`, `study_close`;
* `allocation`: `allocation_generate`, `allocation_upload` (the allocation-list right only);
* `participants`: `participant_screen`, `participant_randomise` (irreversible), `participant_mark_received`,
  `participant_withdraw`;
* `assessment`: `outcome_enter` (an assessor's measurement for a participant's time point);
* `export`: `dataset_export` (the analysis dataset and its dictionary as CSV, audited)."""

from kneadwell.evaluation.services.allocation import allocation_generate, allocation_upload
from kneadwell.evaluation.services.assessment import outcome_enter
from kneadwell.evaluation.services.export import dataset_export
from kneadwell.evaluation.services.participants import (
    participant_mark_received,
    participant_randomise,
    participant_screen,
    participant_withdraw,
)
from kneadwell.evaluation.services.studies import (
    arm_add,
    outcome_add,
    study_close,
    study_create,
    study_open,
)

__all__ = [
    "allocation_generate",
    "allocation_upload",
    "arm_add",
    "dataset_export",
    "outcome_add",
    "outcome_enter",
    "participant_mark_received",
    "participant_randomise",
    "participant_screen",
    "participant_withdraw",
    "study_close",
    "study_create",
    "study_open",
]
