"""A family notes a day of home practice; the instructor sees it only when the family shares it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import NotFound, PermissionDenied, ValidationFailed
from kneadwell.courses import selectors, services
from kwtest.courses import course_with_family
from kwtest.people import Clinic, actor_for, make_member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_family_notes_practice_and_it_is_audited(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    entry = services.practice_log(
        actor=clinic.actor(Role.CAREGIVER), enrolment=enrolment, day=TODAY(), minutes=8, response="enjoyed"
    )
    assert entry.minutes == 8
    assert AuditEvent.objects.get(entity="practice").client_id == enrolment.client_id
    practice = selectors.practice_of(course=course, enrolments=[enrolment])[enrolment.pk]
    assert [(p.day, p.minutes, p.response, p.source) for p in practice] == [
        (TODAY(), 8.0, "enjoyed", "noted")
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"day": None}, "day"),
        ({"day": TODAY() + dt.timedelta(days=1)}, "day"),
        ({"day": TODAY() - dt.timedelta(days=30)}, "day"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 500}, "minutes"),
        ({"response": "great"}, "response"),
    ],
)
def test_bad_practice_is_refused_by_field(clinic: Clinic, change: dict, field: str) -> None:
    _, enrolment = course_with_family(clinic)
    values = {"day": TODAY(), "minutes": 8, "response": "enjoyed", **change}
    with pytest.raises(ValidationFailed) as exc:
        services.practice_log(actor=clinic.actor(Role.CAREGIVER), enrolment=enrolment, **values)
    assert field in exc.value.errors


def test_only_the_babys_own_parent_notes_practice(clinic: Clinic) -> None:
    _, enrolment = course_with_family(clinic)
    values = {"enrolment": enrolment, "day": TODAY(), "minutes": 5, "response": "mixed"}
    with pytest.raises(NotFound):
        services.practice_log(actor=actor_for(make_member(clinic.org, Role.CAREGIVER)), **values)
    with pytest.raises(PermissionDenied):
        services.practice_log(actor=clinic.actor(Role.INSTRUCTOR), **values)


def test_the_course_page_leaves_out_practice_a_family_does_not_share(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic, share=False)
    services.practice_log(
        actor=clinic.actor(Role.CAREGIVER), enrolment=enrolment, day=TODAY(), minutes=8, response="enjoyed"
    )
    actor = clinic.actor(Role.INSTRUCTOR)
    rows = selectors.course_overview(
        course=course,
        enrolments=selectors.enrolment_list(actor=actor, course=course),
        classes=selectors.class_list(course=course),
    )
    assert rows[0].practice == []
    assert rows[0].summary.practice_days == 0
