"""Entering a study outcome: through the outcomes app (scored, checked, audited), for a time point the
study has and inside its window, with who entered it and whether they were blinded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kneadwell.evaluation import services
from kneadwell.evaluation.blinding import role_is_blinded
from kneadwell.outcomes.models import Measurement
from kwtest.evaluation import backdate, enrol, enter_weight, make_study
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_an_assessors_entry_is_a_measurement_recorded_blinded(clinic: Clinic) -> None:
    study = make_study(clinic)
    participant = backdate(enrol(clinic, study), 5)
    entry = enter_weight(clinic, participant, 5, 1520)
    assert entry.blinded is True
    assert entry.entered_role == "assessor"
    assert entry.entered_by == clinic.user(Role.ASSESSOR)
    m = entry.measurement
    assert m.client_id == participant.client_id
    assert m.value == pytest.approx(1.52)
    assert m.context == "end"
    assert m.recorded_by == clinic.user(Role.ASSESSOR)
    assert AuditEvent.objects.filter(entity="measurement", entity_id=str(m.pk), action="create").exists()
    assert (
        AuditEvent.objects.filter(entity="study measurement", entity_id=str(entry.pk))
        .get()
        .changes["blinded"]
    )


def test_a_therapists_entry_is_recorded_as_not_blinded(clinic: Clinic) -> None:
    study = make_study(clinic)
    participant = enrol(clinic, study)
    entry = enter_weight(clinic, participant, 0, 1400, role=Role.THERAPIST)
    assert entry.blinded is False
    assert entry.entered_role == "therapist"


def test_only_the_assessor_role_is_blind_to_the_arm() -> None:
    assert [r for r in Role if role_is_blinded(r)] == [Role.ASSESSOR]


def test_a_time_point_is_entered_only_inside_its_window(clinic: Clinic) -> None:
    study = make_study(clinic)
    participant = backdate(enrol(clinic, study), 5)
    randomised_on = timezone.localtime(participant.randomised_at).date()  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="take it between"):
        services.outcome_enter(
            actor=clinic.actor(Role.ASSESSOR),
            participant=participant,
            instrument_id="weight",
            day=5,
            answers={"value": 1500, "unit": "g"},
            taken_at=randomised_on + dt.timedelta(days=3),
        )
    # The baseline is taken on or before the day of randomisation, never after the programme started.
    with pytest.raises(ValidationFailed, match="take it between"):
        services.outcome_enter(
            actor=clinic.actor(Role.ASSESSOR),
            participant=participant,
            instrument_id="weight",
            day=0,
            answers={"value": 1400, "unit": "g"},
            taken_at=randomised_on + dt.timedelta(days=1),
        )
    assert not Measurement.objects.filter(client_id=participant.client_id).exists()


def test_an_instrument_or_day_the_study_does_not_measure_is_not_found(clinic: Clinic) -> None:
    study = make_study(clinic)
    participant = enrol(clinic, study)
    for instrument, day in (("nips", 0), ("weight", 3)):
        with pytest.raises(NotFound):
            services.outcome_enter(
                actor=clinic.actor(Role.ASSESSOR),
                participant=participant,
                instrument_id=instrument,
                day=day,
                answers={"value": 1400, "unit": "g"},
                taken_at=timezone.localdate(),
            )


def test_a_participant_not_randomised_or_whose_data_is_withdrawn_takes_no_entry(clinic: Clinic) -> None:
    study = make_study(clinic)
    waiting = enrol(clinic, study, randomise=False)
    with pytest.raises(NotFound):
        services.outcome_enter(
            actor=clinic.actor(Role.ASSESSOR),
            participant=waiting,
            instrument_id="weight",
            day=0,
            answers={"value": 1400, "unit": "g"},
            taken_at=timezone.localdate(),
        )
    gone = enrol(clinic, study)
    services.participant_withdraw(
        actor=clinic.actor(Role.THERAPIST),
        participant=gone,
        kind="consent",
        reason="Parents asked",
        data_kept=False,
    )
    with pytest.raises(DomainError, match="not to be used"):
        enter_weight(clinic, gone, 0, 1400)


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.INSTRUCTOR, Role.RESEARCHER])
def test_roles_without_the_assessment_right_are_refused(clinic: Clinic, role: Role) -> None:
    study = make_study(clinic)
    participant = enrol(clinic, study)
    with pytest.raises(PermissionDenied):
        enter_weight(clinic, participant, 0, 1400, role=role)


def test_another_organisations_participant_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    study = make_study(outsider)
    participant = enrol(outsider, study)
    with pytest.raises(NotFound):
        enter_weight(clinic, participant, 0, 1400)
