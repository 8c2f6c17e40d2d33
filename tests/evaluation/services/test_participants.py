"""Screening, randomising (the next line of the stratum's list, once and for ever, with study consent),
receiving the allocated programme, and withdrawal."""

from __future__ import annotations

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import Conflict, ConsentRequired, DomainError, PermissionDenied, ValidationFailed
from kneadwell.evaluation import services
from kneadwell.evaluation.models import AllocationSlot, Participant
from kwtest.evaluation import enrol, make_study, study_consent
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def test_each_randomisation_takes_the_next_line_of_its_stratum_list(clinic: Clinic) -> None:
    study = make_study(clinic, strata=["gestation_band"], gestation_cuts=[28], target_size=8)
    young = [enrol(clinic, study, weeks=26) for _ in range(4)]
    older = [enrol(clinic, study, weeks=31) for _ in range(4)]
    for group, key in ((young, "gestation_band=<28"), (older, "gestation_band=>=28")):
        lines = list(AllocationSlot.objects.filter(allocation__study=study, stratum=key).order_by("position"))
        assert [p.arm_id for p in group] == [s.arm_id for s in lines[:4]]
        assert [s.participant_id for s in lines[:4]] == [p.pk for p in group]
        assert all(s.participant_id is None for s in lines[4:])
        assert {p.stratum for p in group} == {key}


def test_a_completed_block_leaves_the_arms_balanced(clinic: Clinic) -> None:
    study = make_study(clinic, block_sizes=[4], target_size=8)
    arms = [enrol(clinic, study).arm_id for _ in range(8)]
    assert sorted(arms[:4]) == sorted(arms[4:])
    assert len(set(arms)) == 2
    assert arms.count(arms[0]) == 4


def test_randomisation_is_irreversible(clinic: Clinic) -> None:
    study = make_study(clinic)
    participant = enrol(clinic, study)
    arm = participant.arm_id
    with pytest.raises(DomainError, match="irreversible"):
        services.participant_randomise(actor=clinic.actor(Role.THERAPIST), participant=participant)
    participant.refresh_from_db()
    assert participant.arm_id == arm
    assert AllocationSlot.objects.filter(participant=participant).count() == 1
    # Not even a save around the services changes it.
    other = study.arms.exclude(pk=arm).get()
    participant.arm = other
    with pytest.raises(DomainError, match="never changed"):
        participant.save()
    slot = AllocationSlot.objects.get(participant_id=participant.pk)
    slot.participant = None
    with pytest.raises(DomainError, match="never changed"):
        slot.save()


def test_randomising_is_one_audited_act_naming_the_arm(clinic: Clinic) -> None:
    study = make_study(clinic)
    participant = enrol(clinic, study)
    event = AuditEvent.objects.get(entity="study participant", entity_id=str(participant.pk), action="update")
    assert participant.arm is not None
    assert participant.arm.name in event.summary
    assert event.changes["arm"] == [None, participant.arm.code]
    assert event.client_id == participant.client_id


def test_randomising_needs_consent_to_take_part_in_a_study(clinic: Clinic) -> None:
    study = make_study(clinic)
    therapist = clinic.actor(Role.THERAPIST)
    baby = make_client(therapist)  # care and measurements consent only
    participant = services.participant_screen(actor=therapist, study=study, client=baby)
    with pytest.raises(ConsentRequired):
        services.participant_randomise(actor=therapist, participant=participant)
    participant.refresh_from_db()
    assert participant.arm_id is None
    assert not AllocationSlot.objects.filter(participant_id=participant.pk).exists()
    study_consent(clinic, baby)
    assert services.participant_randomise(actor=therapist, participant=participant).arm_id is not None


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ASSESSOR, Role.CAREGIVER, Role.INSTRUCTOR])
def test_only_clinicians_screen_and_randomise(clinic: Clinic, role: Role) -> None:
    study = make_study(clinic)
    assert clinic.client is not None
    with pytest.raises(PermissionDenied):
        services.participant_screen(actor=clinic.actor(role), study=study, client=clinic.client)
    participant = enrol(clinic, study, randomise=False)
    with pytest.raises(PermissionDenied):
        services.participant_randomise(actor=clinic.actor(role), participant=participant)


def test_a_client_outside_the_criteria_is_recorded_as_not_eligible_with_why(clinic: Clinic) -> None:
    study = make_study(
        clinic,
        eligibility="gestation_weeks < 32\npostmenstrual_age_weeks >= 34",
        screener_checks=["Clinically stable"],
    )
    therapist = clinic.actor(Role.THERAPIST)
    term = make_client(therapist, weeks=39, days=0)
    p = services.participant_screen(actor=therapist, study=study, client=term, checks_confirmed=[True])
    assert p.status == Participant.Status.NOT_ELIGIBLE
    assert "Completed weeks of gestation at birth < 32" in p.exclusion_reason
    unstable = make_client(therapist, weeks=30, born_days_ago=40)
    p = services.participant_screen(actor=therapist, study=study, client=unstable, checks_confirmed=[False])
    assert p.status == Participant.Status.NOT_ELIGIBLE
    assert "Clinically stable" in p.exclusion_reason
    with pytest.raises(DomainError, match="only eligible"):
        services.participant_randomise(actor=therapist, participant=p)


def test_a_criterion_the_record_cannot_answer_stops_the_screening(clinic: Clinic) -> None:
    study = make_study(clinic, eligibility="gestation_weeks < 32")
    therapist = clinic.actor(Role.THERAPIST)
    unknown = make_client(therapist, weeks=None, days=None)
    with pytest.raises(ValidationFailed, match="The record does not say"):
        services.participant_screen(actor=therapist, study=study, client=unknown)
    declined = services.participant_screen(
        actor=therapist, study=study, client=unknown, decision="declined", reason="Parents prefer not to"
    )
    assert declined.status == Participant.Status.DECLINED
    with pytest.raises(Conflict, match="already been screened"):
        services.participant_screen(
            actor=therapist, study=study, client=unknown, decision="declined", reason="x"
        )


def test_participants_are_numbered_from_the_study_code(clinic: Clinic) -> None:
    study = make_study(clinic, code="MAS")
    assert [enrol(clinic, study, randomise=False).code for _ in range(3)] == ["MAS-001", "MAS-002", "MAS-003"]


def test_a_stratum_needs_its_facts_and_a_site_must_be_one_of_the_studys(clinic: Clinic) -> None:
    study = make_study(clinic, strata=["site"], sites=["Ward A", "Ward B"])
    therapist = clinic.actor(Role.THERAPIST)
    baby = make_client(therapist)
    with pytest.raises(ValidationFailed, match="Choose the site"):
        services.participant_screen(actor=therapist, study=study, client=baby, site="Ward C")
    p = enrol(clinic, study, site="Ward B")
    assert p.stratum == "site=Ward B"
    assert p.strata_values == {"site": "Ward B"}


def test_withdrawal_keeps_the_arm_and_says_why(clinic: Clinic) -> None:
    study = make_study(clinic)
    therapist = clinic.actor(Role.THERAPIST)
    p = enrol(clinic, study)
    with pytest.raises(ValidationFailed):
        services.participant_withdraw(actor=therapist, participant=p, kind="lost", reason="")
    p = services.participant_withdraw(actor=therapist, participant=p, kind="lost", reason="Moved away")
    assert p.withdrawn_at is not None
    assert p.arm_id is not None
    assert p.status == Participant.Status.RANDOMISED
    with pytest.raises(DomainError, match="already withdrawn"):
        services.participant_withdraw(actor=therapist, participant=p, kind="other", reason="again")


def test_not_receiving_the_allocated_programme_needs_the_reason(clinic: Clinic) -> None:
    study = make_study(clinic)
    therapist = clinic.actor(Role.THERAPIST)
    p = enrol(clinic, study)
    with pytest.raises(ValidationFailed):
        services.participant_mark_received(actor=therapist, participant=p, received=False)
    p = services.participant_mark_received(actor=therapist, participant=p, received=False, note="Transferred")
    assert p.received is False
    unrandomised = enrol(clinic, study, randomise=False)
    with pytest.raises(DomainError, match="not been randomised"):
        services.participant_mark_received(actor=therapist, participant=unrandomised, received=True)


def test_a_list_used_up_for_a_stratum_refuses_and_randomises_nobody(clinic: Clinic) -> None:
    study = make_study(clinic, block_sizes=[2], target_size=2)
    enrol(clinic, study)
    enrol(clinic, study)
    third = enrol(clinic, study, randomise=False)
    with pytest.raises(DomainError, match="no line left"):
        services.participant_randomise(actor=clinic.actor(Role.THERAPIST), participant=third)
    third.refresh_from_db()
    assert third.status == Participant.Status.ELIGIBLE
