"""Study design services: an outcome may be an organisation's own measure, but only the study's own
organisation's, whether or not a request is in force (the CLI and the shell have none)."""

from __future__ import annotations

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.core.errors import ValidationFailed
from kneadwell.evaluation import services
from kneadwell.evaluation.models import StudyOutcome
from kwtest.evaluation import make_study
from kwtest.measures import define
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def add_outcome(clinic: Clinic, instrument_id: str) -> StudyOutcome:
    study = make_study(clinic, open_it=False)
    return services.outcome_add(
        actor=clinic.actor(Role.ADMIN),
        study=study,
        code="day_check",
        name="The clinic's own check",
        instrument_id=instrument_id,
        measure="change",
        days=[0, 5],
        analysis_day=5,
        baseline_day=0,
    )


def test_the_studys_own_organisation_measure_can_be_an_outcome(clinic: Clinic) -> None:
    ours = define(clinic)
    outcome = add_outcome(clinic, f"org-{ours.organisation_id}-{ours.slug}")
    assert outcome.instrument_id == f"org-{clinic.org.pk}-{ours.slug}"


def test_another_organisations_measure_is_refused_outside_a_request(clinic: Clinic, outsider: Clinic) -> None:
    theirs = define(outsider)
    with pytest.raises(ValidationFailed) as caught:
        add_outcome(clinic, f"org-{theirs.organisation_id}-{theirs.slug}")
    assert "No instrument" in caught.value.errors["instrument_id"][0]
    assert not StudyOutcome.objects.filter(instrument_id__startswith=f"org-{outsider.org.pk}-").exists()
