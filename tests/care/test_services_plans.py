import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services
from kneadwell.care.models import Plan, ScheduledSession
from kneadwell.clients.services import consent_withdraw
from kneadwell.core.errors import ConsentRequired, DomainError, PermissionDenied, ValidationFailed
from kneadwell.library.loader import default_library
from kwtest.people import Clinic
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


def enrol(clinic: Clinic, client: Any, check: Any, role: Role = Role.THERAPIST, **extra: Any) -> Plan:
    start = timezone.now() + dt.timedelta(hours=1)
    return services.plan_create(
        actor=clinic.actor(role), client=client, check=check, starts_at=start, **extra
    )


def test_enrolment_on_tks_schedules_thirty_sessions_and_is_audited(
    clinic: Clinic, preterm: Any, tks_check: Any
) -> None:
    plan = enrol(clinic, preterm, tks_check, goals="Gain weight steadily")
    slots = list(plan.slots.all())
    assert len(slots) == 30
    assert slots[1].due_at - slots[0].due_at == dt.timedelta(hours=1)
    assert all(s.status == ScheduledSession.Status.DUE for s in slots)
    assert AuditEvent.objects.filter(entity="plan", action="create", client_id=preterm.pk).exists()


def test_a_blocking_check_blocks_enrolment(clinic: Clinic, preterm: Any) -> None:
    check = passing_check(
        clinic.actor(Role.THERAPIST),
        preterm,
        "preterm_tks_10d",
        "preterm_infant",
        clinician_confirms_stable="no",
    )
    assert check.blocks
    with pytest.raises(ValidationFailed) as caught:
        enrol(clinic, preterm, check)
    assert "check" in caught.value.errors
    assert not Plan.objects.filter(client=preterm).exists()


def test_enrolment_needs_consent(clinic: Clinic, preterm: Any, tks_check: Any) -> None:
    consent_withdraw(
        actor=clinic.actor(Role.THERAPIST), consent=preterm.consents.get(), reason="parents declined"
    )
    with pytest.raises(ConsentRequired):
        enrol(clinic, preterm, tks_check)


def test_a_researcher_cannot_enrol(clinic: Clinic, preterm: Any, tks_check: Any) -> None:
    with pytest.raises(PermissionDenied):
        enrol(clinic, preterm, tks_check, role=Role.RESEARCHER)


def test_one_active_plan_per_protocol(clinic: Clinic, preterm: Any, tks_check: Any) -> None:
    enrol(clinic, preterm, tks_check)
    with pytest.raises(ValidationFailed):
        enrol(clinic, preterm, tks_check)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"avoid_regions": ["tail"]}, "avoid_regions"),
        ({"minutes_factor": 1.5}, "minutes_factor"),
        ({"max_pressure": "firmest"}, "max_pressure"),
        ({"open_weeks": 0}, "open_weeks"),
    ],
)
def test_bad_personalisation_is_refused_with_the_field(
    clinic: Clinic, preterm: Any, tks_check: Any, extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        enrol(clinic, preterm, tks_check, **extra)
    assert field in caught.value.errors
    assert not Plan.objects.exists()


def test_ending_a_plan_cancels_what_is_still_due_and_keeps_the_rest(
    clinic: Clinic, preterm: Any, tks_check: Any
) -> None:
    plan = enrol(clinic, preterm, tks_check)
    services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=plan, reason="Discharged home")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ENDED
    assert plan.slots.filter(status=ScheduledSession.Status.CANCELLED).count() == 30
    with pytest.raises(DomainError):
        services.plan_end(actor=clinic.actor(Role.THERAPIST), plan=plan, reason="again")


# --- a plan whose routine would hold no massage step ------------------------------------------------


def test_a_rehabilitation_plan_without_focus_areas_is_refused_on_the_focus_field(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab")
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    with pytest.raises(ValidationFailed) as caught:
        enrol(clinic, person, check, goals="Walk without a stick")
    message = caught.value.errors["focus_regions"][0]
    assert "would have no massage step, only “Check-in and agreement”" in message
    assert "Choose the focus areas" in message
    assert not Plan.objects.filter(client=person).exists()
    assert not AuditEvent.objects.filter(entity="plan", client_id=person.pk).exists()


def test_a_rehabilitation_plan_with_a_focus_area_is_enrolled(clinic: Clinic, adult: Any) -> None:
    person = adult("rehab")
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    plan = enrol(clinic, person, check, focus_regions=["left_ankle"])
    assert plan.focus_regions == ["left_ankle"]


def test_a_focus_area_the_plan_always_leaves_out_is_refused_on_the_left_out_field(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab")
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    with pytest.raises(ValidationFailed) as caught:
        enrol(clinic, person, check, focus_regions=["left_ankle"], avoid_regions=["left_leg"])
    assert set(caught.value.errors) == {"avoid_regions"}
    assert "every area its massage steps work on is left out" in caught.value.errors["avoid_regions"][0]
    assert not Plan.objects.filter(client=person).exists()


def test_a_focus_area_the_clients_record_leaves_out_is_refused_naming_the_rule(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("rehab", fracture_unhealed="yes", fracture_regions=["left_ankle"])
    check = passing_check(clinic.actor(Role.THERAPIST), person, "rehab_injury_postop", "rehab")
    assert "left_ankle" in check.verdict["avoided_regions"]
    with pytest.raises(ValidationFailed) as caught:
        enrol(clinic, person, check, focus_regions=["left_ankle"])
    message = caught.value.errors["focus_regions"][0]
    rule = default_library().rules["known_fracture"].title
    assert f"left out ({rule})" in message
    assert "Choose focus areas that are not left out" in message
    assert enrol(clinic, person, check, focus_regions=["right_knee"]).focus_regions == ["right_knee"]


def test_a_stroke_plan_without_focus_areas_keeps_its_other_massage_and_is_enrolled(
    clinic: Clinic, adult: Any
) -> None:
    person = adult("stroke")
    check = passing_check(clinic.actor(Role.THERAPIST), person, "stroke_rehab", "stroke")
    assert enrol(clinic, person, check).focus_regions == []


def test_a_change_that_empties_the_routine_is_refused_and_changes_nothing(clinic: Clinic, adult: Any) -> None:
    person = adult("rehab")
    therapist = clinic.actor(Role.THERAPIST)
    check = passing_check(therapist, person, "rehab_injury_postop", "rehab")
    plan = enrol(clinic, person, check, focus_regions=["left_ankle"])
    with pytest.raises(ValidationFailed) as caught:
        services.plan_update(
            actor=therapist,
            plan=plan,
            expected_version=plan.version,
            avoid_regions=[],
            focus_regions=[],
            max_pressure="",
            minutes_factor=None,
            goals="",
            reminders=False,
        )
    assert "focus_regions" in caught.value.errors
    plan.refresh_from_db()
    assert plan.focus_regions == ["left_ankle"]
