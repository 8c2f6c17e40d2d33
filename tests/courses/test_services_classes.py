"""Recording a class: attendance per family, left early with why, the baby's cues, strokes taught, notes;
corrections audited; another instructor's class refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kneadwell.courses import selectors, services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Attendance, Course, CourseClass
from kneadwell.courses.services import FamilyInClass
from kneadwell.library.loader import default_library
from kwtest.courses import course_with_family, make_course
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def week_one(course: Course) -> list[str]:
    strokes = syl.strokes_of(default_library(), course.protocol_id)
    return [s.key for s in syl.week_strokes(strokes, course.syllabus, 1)]


def record(clinic: Clinic, course: Course, week: int, families: list[FamilyInClass], **extra):  # type: ignore[no-untyped-def]
    course_class = CourseClass.objects.get(course=course, week=week)
    values = {"strokes_taught": week_one(course), "notes": "Lovely group."}
    values.update(extra)
    return services.class_record(
        actor=clinic.actor(Role.INSTRUCTOR),
        course_class=course_class,
        expected_version=course_class.version,
        families=families,
        **values,
    )


def test_a_class_records_attendance_cues_strokes_and_notes(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    held = record(
        clinic,
        course,
        1,
        [FamilyInClass(enrolment.pk, "left_early", "baby unsettled", ["smiling", "arching"], "fed first")],
    )
    assert held.held_at is not None
    assert held.recorded_by == clinic.user(Role.INSTRUCTOR)
    assert held.strokes_taught == week_one(course)
    line = Attendance.objects.get(course_class=held, enrolment=enrolment)
    assert (line.status, line.left_early_reason, line.cues) == (
        "left_early",
        "baby unsettled",
        ["arching", "smiling"],
    )
    event = AuditEvent.objects.get(entity="attendance")
    assert event.client_id == enrolment.client_id


def test_left_early_needs_a_reason(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    with pytest.raises(ValidationFailed) as exc:
        record(clinic, course, 1, [FamilyInClass(enrolment.pk, "left_early", " ")])
    assert "families.0.left_early_reason" in exc.value.errors
    assert not Attendance.objects.exists()
    assert CourseClass.objects.get(course=course, week=1).held_at is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (lambda e: FamilyInClass(e, "late"), "families.0.status"),
        (lambda e: FamilyInClass(e, "present", cues=["apnoea_seen"]), "families.0.cues"),  # a NICU cue
        (lambda e: FamilyInClass(e, "absent", cues=["smiling"]), "families.0.cues"),
        (lambda e: FamilyInClass(999999, "present"), "families.0.enrolment_id"),
    ],
)
def test_bad_lines_are_named_by_family(clinic: Clinic, line, field: str) -> None:  # type: ignore[no-untyped-def]
    course, enrolment = course_with_family(clinic)
    with pytest.raises(ValidationFailed) as exc:
        record(clinic, course, 1, [line(enrolment.pk)])
    assert field in exc.value.errors


def test_every_enrolled_family_needs_a_line(clinic: Clinic) -> None:
    course, _ = course_with_family(clinic)
    with pytest.raises(ValidationFailed) as exc:
        record(clinic, course, 1, [])
    assert "Maya" in exc.value.errors["families"][0]


def test_unknown_strokes_are_refused(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    with pytest.raises(ValidationFailed) as exc:
        record(clinic, course, 1, [FamilyInClass(enrolment.pk, "present")], strokes_taught=["x.y"])
    assert "strokes_taught" in exc.value.errors


def test_a_class_in_the_future_cannot_be_recorded_yet(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    with pytest.raises(ValidationFailed) as exc:
        record(clinic, course, 2, [FamilyInClass(enrolment.pk, "present")])
    assert "record it on the day" in exc.value.errors["class"][0]


def test_a_correction_is_audited_and_needs_the_current_version(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    first = record(clinic, course, 1, [FamilyInClass(enrolment.pk, "present")])
    with pytest.raises(Conflict):
        services.class_record(
            actor=clinic.actor(Role.INSTRUCTOR),
            course_class=first,
            expected_version=first.version - 1,
            families=[FamilyInClass(enrolment.pk, "absent")],
            strokes_taught=[],
        )
    again = services.class_record(
        actor=clinic.actor(Role.INSTRUCTOR),
        course_class=first,
        expected_version=first.version,
        families=[FamilyInClass(enrolment.pk, "absent")],
        strokes_taught=week_one(course),
    )
    assert Attendance.objects.get(enrolment=enrolment).status == "absent"
    assert again.version == first.version + 1
    assert AuditEvent.objects.filter(entity="attendance", summary__startswith="corrected").count() == 1
    assert AuditEvent.objects.filter(entity="course_class", summary__startswith="corrected").count() == 1


def test_only_the_courses_instructor_or_an_administrator_records_it(clinic: Clinic) -> None:
    from kwtest.people import actor_for, make_member

    course, enrolment = course_with_family(clinic)
    course_class = CourseClass.objects.get(course=course, week=1)
    line = [FamilyInClass(enrolment.pk, "present")]
    with pytest.raises(NotFound):
        services.class_record(
            actor=actor_for(make_member(clinic.org, Role.INSTRUCTOR)),
            course_class=course_class,
            expected_version=1,
            families=line,
            strokes_taught=[],
        )
    with pytest.raises(PermissionDenied):
        services.class_record(
            actor=clinic.actor(Role.THERAPIST),
            course_class=course_class,
            expected_version=1,
            families=line,
            strokes_taught=[],
        )
    services.class_record(
        actor=clinic.actor(Role.ADMIN),
        course_class=course_class,
        expected_version=1,
        families=line,
        strokes_taught=week_one(course),
    )


def test_the_attendance_reads_back_by_class(clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    held = record(clinic, course, 1, [FamilyInClass(enrolment.pk, "present", cues=["smiling"])])
    assert selectors.attendance_of_class(course_class=held)[enrolment.pk].cues == ["smiling"]


def test_waiting_families_are_not_in_the_class(clinic: Clinic) -> None:
    from kwtest.courses import enrol
    from kwtest.people import make_client

    course = make_course(clinic, capacity=1, start=timezone.localdate() - dt.timedelta(days=1))
    first = enrol(clinic, course)
    waiting = enrol(
        clinic,
        course,
        make_client(clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER), given_name="Bo"),
    )
    with pytest.raises(ValidationFailed) as exc:
        record(clinic, course, 1, [FamilyInClass(first.pk, "present"), FamilyInClass(waiting.pk, "present")])
    assert "families.1.enrolment_id" in exc.value.errors
