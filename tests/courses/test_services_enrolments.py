"""Enrolling: a place or the waiting list, the age rule with its message, consent, withdrawal, sharing,
and a new family joining through the course's link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kneadwell.accounts.models import Membership, User
from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import ConsentRequired, DomainError, NotFound, PermissionDenied, ValidationFailed
from kneadwell.courses import services
from kneadwell.courses.models import Enrolment
from kwtest.courses import enrol, make_course
from kwtest.people import Clinic, make_client, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_parent_enrols_their_baby_with_age_and_consent_recorded(clinic: Clinic) -> None:
    course = make_course(clinic, start=TODAY() + dt.timedelta(days=10))
    enrolment = enrol(clinic, course)
    assert clinic.client is not None
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.age_days_at_start == (course.start_date - clinic.client.birth_date).days
    assert enrolment.guardian.user == clinic.user(Role.CAREGIVER)
    assert enrolment.consent.client_id == clinic.client.pk
    assert enrolment.share_with_instructor is True
    event = AuditEvent.objects.get(entity="enrolment", action="create")
    assert event.client_id == clinic.client.pk


def test_a_full_course_puts_the_next_family_on_the_waiting_list(clinic: Clinic) -> None:
    course = make_course(clinic, capacity=1)
    enrol(clinic, course)
    second = make_client(
        clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER), given_name="Bo"
    )
    assert enrol(clinic, course, second).status == Enrolment.Status.WAITING


def test_a_baby_older_than_the_range_is_refused_with_a_message(clinic: Clinic) -> None:
    course = make_course(clinic, min_age_weeks=0, max_age_weeks=4)  # the clinic's baby is 40 days old
    with pytest.raises(ValidationFailed) as exc:
        enrol(clinic, course)
    message = exc.value.errors["client"][0]
    assert "will be 5 weeks 5 days old at the first class" in message
    assert "babies up to 4 weeks old" in message
    assert "older babies" in message
    assert not Enrolment.objects.exists()


def test_a_baby_younger_than_the_range_is_refused_with_a_message(clinic: Clinic) -> None:
    course = make_course(clinic, min_age_weeks=8, max_age_weeks=20)
    with pytest.raises(ValidationFailed) as exc:
        enrol(clinic, course)
    assert "babies 8 to 20 weeks old" in exc.value.errors["client"][0]
    assert "later course" in exc.value.errors["client"][0]


def test_the_range_counts_whole_days_at_the_first_class(clinic: Clinic) -> None:
    assert clinic.client is not None
    start = clinic.client.birth_date + dt.timedelta(weeks=8)
    assert (
        services.age_problem(
            make_course(clinic, start=start, min_age_weeks=8, max_age_weeks=12),
            given_name="Maya",
            birth_date=clinic.client.birth_date,
        )
        is None
    )


def test_a_baby_without_consent_for_sessions_is_not_enrolled(clinic: Clinic) -> None:
    course = make_course(clinic)
    baby = make_client(clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER), consent=False)
    with pytest.raises(ConsentRequired):
        enrol(clinic, course, baby)


def test_a_parent_cannot_enrol_a_baby_they_do_not_guard(clinic: Clinic) -> None:
    course = make_course(clinic)
    with pytest.raises(NotFound):
        enrol(clinic, course, clinic.other_client)


def test_staff_do_not_enrol_through_the_family_service(clinic: Clinic) -> None:
    course = make_course(clinic)
    with pytest.raises(PermissionDenied):
        services.enrolment_create(
            actor=clinic.actor(Role.INSTRUCTOR),
            course=course,
            client=clinic.client,
            share_with_instructor=True,
        )


def test_enrolling_twice_is_refused(clinic: Clinic) -> None:
    course = make_course(clinic)
    enrol(clinic, course)
    with pytest.raises(ValidationFailed) as exc:
        enrol(clinic, course)
    assert "already enrolled" in exc.value.errors["client"][0]


def test_a_finished_course_takes_no_one(clinic: Clinic) -> None:
    course = make_course(clinic, start=TODAY() - dt.timedelta(days=40), weeks=5)
    with pytest.raises(ValidationFailed) as exc:
        enrol(clinic, course)
    assert "finished" in exc.value.errors["course"][0]


def test_a_withdrawal_gives_the_place_to_the_first_waiting_family(
    clinic: Clinic, django_capture_on_commit_callbacks
) -> None:
    course = make_course(clinic, capacity=1)
    first = enrol(clinic, course)
    bo = make_client(clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER), given_name="Bo")
    waiting = enrol(clinic, course, bo)
    mail.outbox.clear()
    with pytest.raises(ValidationFailed):
        services.enrolment_withdraw(actor=clinic.actor(Role.CAREGIVER), enrolment=first, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(actor=clinic.actor(Role.CAREGIVER), enrolment=first, reason="moved away")
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == Enrolment.Status.WITHDRAWN
    assert first.withdraw_reason == "moved away"
    assert waiting.status == Enrolment.Status.ENROLLED
    assert [m.subject for m in mail.outbox] == [f"A place for Bo: {course.title}"]
    with pytest.raises(DomainError):
        services.enrolment_withdraw(actor=clinic.actor(Role.INSTRUCTOR), enrolment=first, reason="again")


def test_a_withdrawn_family_may_enrol_again(clinic: Clinic) -> None:
    course = make_course(clinic)
    first = enrol(clinic, course)
    services.enrolment_withdraw(actor=clinic.actor(Role.INSTRUCTOR), enrolment=first, reason="asked")
    again = enrol(clinic, course)
    assert again.pk == first.pk
    assert again.status == Enrolment.Status.ENROLLED


def test_another_instructor_cannot_withdraw_a_family(clinic: Clinic) -> None:
    from kwtest.people import actor_for, make_member

    course = make_course(clinic)
    enrolment = enrol(clinic, course)
    with pytest.raises(NotFound):
        services.enrolment_withdraw(
            actor=actor_for(make_member(clinic.org, Role.INSTRUCTOR)), enrolment=enrolment, reason="x"
        )


def test_the_family_changes_what_it_shares_and_it_is_audited(clinic: Clinic) -> None:
    course = make_course(clinic)
    enrolment = enrol(clinic, course, share=False)
    changed = services.enrolment_share_set(
        actor=clinic.actor(Role.CAREGIVER), enrolment=enrolment, share=True
    )
    assert changed.share_with_instructor is True
    assert AuditEvent.objects.filter(entity="enrolment", summary__startswith="shared").exists()
    with pytest.raises(PermissionDenied):
        services.enrolment_share_set(actor=clinic.actor(Role.INSTRUCTOR), enrolment=enrolment, share=False)


# --- a new family through the link --------------------------------------------------------------------
def _join(course, **changes):  # type: ignore[no-untyped-def]
    values = {
        "course": course,
        "full_name": "Amira Khan",
        "email": "amira@example.test",
        "password": "a-long-family-passphrase",
        "baby_given_name": "Noor",
        "baby_birth_date": course.start_date - dt.timedelta(weeks=9),
        "baby_sex": "female",
        "consent": True,
        "history": [],
        "share_with_instructor": True,
        "ip": "203.0.113.9",
        "base_url": "http://testserver/",
    }
    values.update(changes)
    return services.family_join(**values)


def test_a_new_family_joins_the_courses_organisation_in_one_step(
    clinic: Clinic, django_capture_on_commit_callbacks
) -> None:
    course = make_course(clinic)
    with django_capture_on_commit_callbacks(execute=True):
        joined = _join(course, other_parent="Sam Khan")
    assert joined is not None
    membership = Membership.objects.get(user=joined.user)
    assert membership.organisation == clinic.org
    assert membership.role == Role.CAREGIVER
    assert joined.client.organisation == clinic.org
    assert joined.enrolment.status == Enrolment.Status.ENROLLED
    assert joined.enrolment.other_parent == "Sam Khan"
    assert "class records" in joined.enrolment.consent.notes
    assert joined.enrolment.consent.scopes == ["care"]
    assert any("verify" in m.body for m in mail.outbox)


def test_a_new_family_with_a_baby_outside_the_range_gets_the_message_and_no_account(clinic: Clinic) -> None:
    course = make_course(clinic, max_age_weeks=6)
    with pytest.raises(ValidationFailed) as exc:
        _join(course)
    assert "will be 9 weeks old at the first class" in exc.value.errors["baby_birth_date"][0]
    assert not User.objects.filter(email="amira@example.test").exists()


def test_a_known_address_is_answered_without_saying_so(clinic: Clinic) -> None:
    course = make_course(clinic)
    make_user("amira@example.test")
    assert _join(course) is None
    assert not Enrolment.objects.exists()
    assert "already has an account" in mail.outbox[-1].body


def test_staff_of_the_organisation_cannot_join_as_a_family(clinic: Clinic) -> None:
    course = make_course(clinic)
    with pytest.raises(DomainError):
        services.course_membership_join(user=clinic.user(Role.THERAPIST), course=course)


def test_a_signed_in_parent_of_another_organisation_becomes_a_member(
    clinic: Clinic, outsider: Clinic
) -> None:
    course = make_course(clinic)
    parent = outsider.user(Role.CAREGIVER)
    membership = services.course_membership_join(user=parent, course=course)
    assert membership.organisation == clinic.org
    assert membership.role == Role.CAREGIVER
    assert services.course_membership_join(user=parent, course=course) == membership


def test_a_signed_in_parent_adds_a_baby_and_enrols_in_one_step(clinic: Clinic, outsider: Clinic) -> None:
    course = make_course(clinic)
    parent = outsider.user(Role.CAREGIVER)
    enrolment = services.family_join_signed_in(
        user=parent,
        course=course,
        baby_given_name="Ife",
        baby_birth_date=course.start_date - dt.timedelta(weeks=7),
        baby_sex="male",
        consent=True,
        history=[],
        share_with_instructor=False,
    )
    assert enrolment.client.organisation == clinic.org
    assert enrolment.guardian.user == parent
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_a_signed_in_parents_baby_outside_the_range_makes_nothing(clinic: Clinic, outsider: Clinic) -> None:
    course = make_course(clinic, max_age_weeks=4)
    parent = outsider.user(Role.CAREGIVER)
    with pytest.raises(ValidationFailed) as exc:
        services.family_join_signed_in(
            user=parent,
            course=course,
            baby_given_name="Ife",
            baby_birth_date=course.start_date - dt.timedelta(weeks=7),
            baby_sex="male",
            consent=True,
        )
    assert "older babies" in exc.value.errors["baby_birth_date"][0]
    assert not Membership.objects.filter(user=parent, organisation=clinic.org).exists()
