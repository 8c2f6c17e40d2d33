"""Creating and changing a course: classes week by week, the default syllabus, validation, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kneadwell.courses import services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import CourseClass, Enrolment
from kneadwell.library.loader import default_library
from kwtest.courses import enrol, make_course
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_course_has_one_class_a_week_at_its_time(clinic: Clinic) -> None:
    start = TODAY() + dt.timedelta(days=3)
    course = make_course(clinic, start=start, weeks=4)
    classes = list(CourseClass.objects.filter(course=course).order_by("week"))
    assert [c.week for c in classes] == [1, 2, 3, 4]
    assert [timezone.localtime(c.starts_at).date() for c in classes] == [
        start + dt.timedelta(days=7 * n) for n in range(4)
    ]
    assert {timezone.localtime(c.starts_at).time() for c in classes} == {dt.time(10, 0)}
    assert course.instructor == clinic.user(Role.INSTRUCTOR)
    assert course.syllabus == syl.default_syllabus(default_library(), syl.DEFAULT_PROTOCOL, 4)


def test_creating_a_course_is_audited_with_its_classes(clinic: Clinic) -> None:
    course = make_course(clinic, weeks=5)
    events = AuditEvent.objects.filter(organisation=clinic.org, entity__in=("course", "course_class"))
    assert events.filter(entity="course", entity_id=str(course.pk), action="create").count() == 1
    assert events.filter(entity="course_class").count() == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"venue": "", "online_link": ""}, "venue"),
        ({"venue": "", "online_link": "not a link"}, "online_link"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 13}, "weeks"),
        ({"capacity": 0}, "capacity"),
        ({"min_age_weeks": 20, "max_age_weeks": 12}, "max_age_weeks"),
        ({"max_age_weeks": 60}, "max_age_weeks"),
        ({"language": " "}, "language"),
        ({"start_date": None}, "start_date"),
    ],
)
def test_bad_course_details_are_refused_by_field(clinic: Clinic, change: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_course(clinic, **change)
    assert field in exc.value.errors
    assert not CourseClass.objects.exists()


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.CAREGIVER, Role.ASSESSOR, Role.RESEARCHER])
def test_only_instructors_and_administrators_create_courses(clinic: Clinic, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        services.course_create(
            actor=clinic.actor(role), title="X", venue="Y", start_date=TODAY(), class_time=dt.time(10)
        )


def test_an_instructor_cannot_create_a_course_for_someone_else(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_course(clinic, instructor=clinic.user(Role.ADMIN))
    assert "instructor" in exc.value.errors


def test_an_administrator_creates_a_course_for_an_instructor(clinic: Clinic) -> None:
    course = services.course_create(
        actor=clinic.actor(Role.ADMIN),
        title="Online class",
        online_link="https://meet.example.test/baby",
        start_date=TODAY(),
        class_time=dt.time(18, 30),
        instructor=clinic.user(Role.INSTRUCTOR),
    )
    assert course.instructor == clinic.user(Role.INSTRUCTOR)
    assert course.where == "Online"


def test_a_therapist_cannot_be_made_a_course_instructor(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.course_create(
            actor=clinic.actor(Role.ADMIN),
            title="X",
            venue="Y",
            start_date=TODAY(),
            class_time=dt.time(10),
            instructor=clinic.user(Role.THERAPIST),
        )
    assert "instructor" in exc.value.errors


def test_moving_a_course_moves_its_classes_not_yet_held(clinic: Clinic) -> None:
    course = make_course(clinic, start=TODAY() + dt.timedelta(days=7), weeks=5)
    moved = services.course_update(
        actor=clinic.actor(Role.INSTRUCTOR),
        course=course,
        expected_version=course.version,
        start_date=TODAY() + dt.timedelta(days=8),
        class_time=dt.time(11, 15),
        weeks=4,
    )
    classes = list(CourseClass.objects.filter(course=course).order_by("week"))
    assert [c.week for c in classes] == [1, 2, 3, 4]
    assert timezone.localtime(classes[0].starts_at) == timezone.make_aware(
        dt.datetime.combine(TODAY() + dt.timedelta(days=8), dt.time(11, 15))
    )
    assert max(moved.syllabus.values()) == 4  # week 5's strokes came into week 4 (none were in 5)
    assert moved.version == course.version + 1


def test_an_edit_from_an_old_version_is_refused(clinic: Clinic) -> None:
    course = make_course(clinic)
    actor = clinic.actor(Role.INSTRUCTOR)
    services.course_update(actor=actor, course=course, expected_version=course.version, title="New")
    with pytest.raises(Conflict):
        services.course_update(actor=actor, course=course, expected_version=course.version, title="Newer")


def test_the_syllabus_is_editable_but_the_rituals_stay_in_week_one(clinic: Clinic) -> None:
    course = make_course(clinic)
    actor = clinic.actor(Role.INSTRUCTOR)
    changed = services.course_update(
        actor=actor,
        course=course,
        expected_version=course.version,
        syllabus={**course.syllabus, "tummy.sun_and_moon": 3, "face.relax_jaw": 0},
    )
    assert changed.syllabus["tummy.sun_and_moon"] == 3
    assert changed.syllabus["face.relax_jaw"] == 0
    with pytest.raises(ValidationFailed):
        services.course_update(
            actor=actor,
            course=changed,
            expected_version=changed.version,
            syllabus={**changed.syllabus, "closing.closing_ritual": 4},
        )


def test_another_instructor_cannot_change_the_course(clinic: Clinic) -> None:
    from kwtest.people import actor_for, make_member

    course = make_course(clinic)
    other = actor_for(make_member(clinic.org, Role.INSTRUCTOR))
    with pytest.raises(NotFound):
        services.course_update(actor=other, course=course, expected_version=course.version, title="Mine")


def test_more_places_take_families_from_the_waiting_list_in_order(clinic: Clinic) -> None:
    course = make_course(clinic, capacity=1)
    therapist = clinic.actor(Role.THERAPIST)
    first = enrol(clinic, course)
    twins = [
        make_client(
            therapist, guardian_user=clinic.user(Role.CAREGIVER), given_name=name, weeks=None, days=None
        )
        for name in ("Ada", "Bo")
    ]
    waiting = [enrol(clinic, course, baby) for baby in twins]
    assert first.status == Enrolment.Status.ENROLLED
    assert [w.status for w in waiting] == [Enrolment.Status.WAITING] * 2
    course.refresh_from_db()
    services.course_update(
        actor=clinic.actor(Role.INSTRUCTOR), course=course, expected_version=course.version, capacity=2
    )
    statuses = {e.client.given_name: e.status for e in Enrolment.objects.filter(course=course)}
    assert statuses == {"Maya": "enrolled", "Ada": "enrolled", "Bo": "waiting"}


def test_invitations_email_the_course_link_and_are_audited(
    clinic: Clinic, django_capture_on_commit_callbacks
) -> None:
    course = make_course(clinic)
    with pytest.raises(ValidationFailed):
        services.course_invite(
            actor=clinic.actor(Role.INSTRUCTOR), course=course, emails=["nope"], base_url="http://t/"
        )
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.course_invite(
            actor=clinic.actor(Role.INSTRUCTOR),
            course=course,
            emails=["a@example.test", "A@example.test ", "b@example.test"],
            base_url="http://t/",
        )
    assert [i.email for i in sent] == ["a@example.test", "b@example.test"]
    assert len(mail.outbox) == 2
    assert f"/courses/join/{course.join_token}/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(entity="course_invitation").count() == 2


def test_a_new_link_stops_the_old_one(clinic: Clinic) -> None:
    from kneadwell.courses import selectors

    course = make_course(clinic)
    old = course.join_token
    services.course_link_renew(actor=clinic.actor(Role.INSTRUCTOR), course=course)
    assert selectors.course_by_join_token(token=old) is None
    course.refresh_from_db()
    assert selectors.course_by_join_token(token=course.join_token) == course
