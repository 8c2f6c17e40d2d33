"""The analysis dataset leaving Kneadwell as files: audited as an export (who, which study, which
analysis population, how many rows). The rows carry study numbers and arms, never names or dates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.core.errors import ValidationFailed
from kneadwell.evaluation.methods.dataset import data_csv, dictionary_csv
from kneadwell.evaluation.models import Study
from kneadwell.evaluation.selectors.results import POPULATIONS, dataset, study_data


@dataclass(frozen=True)
class DatasetFiles:
    data: str
    dictionary: str
    rows: int


def dataset_export(*, actor: Actor, study: Study, population: str = "itt") -> DatasetFiles:
    actor.require(Perm.STUDY_MANAGE)
    if population not in POPULATIONS:
        raise ValidationFailed(
            {"population": [_("Choose one of %(populations)s.") % {"populations": ", ".join(POPULATIONS)}]}
        )
    columns, rows = dataset(study_data(study), population=population)
    files = DatasetFiles(data_csv(columns, rows), dictionary_csv(columns), len(rows))
    with transaction.atomic():
        audit_action(
            actor=actor,
            action=Action.EXPORT,
            entity="study",
            entity_id=study.pk,
            summary=f"exported the analysis dataset of study {study.code} ({POPULATIONS[population]}, "
            f"{len(rows)} rows)",
            changes={"format": "CSV", "population": population, "rows": len(rows)},
        )
    return files
