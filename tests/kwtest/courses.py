"""Courses for tests: one an instructor of the clinic runs, with the clinic's baby enrolled through the
real services (so the instructor reaches the family exactly as the app lets them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.courses import services
from kneadwell.courses.models import Course, Enrolment
from kwtest.people import Clinic


def make_course(clinic: Clinic, *, start: dt.date | None = None, **extra: Any) -> Course:
    values: dict[str, Any] = {
        "title": "Baby massage, Tuesday mornings",
        "venue": "Church hall, Mill Lane",
        "start_date": start or timezone.localdate(),
        "class_time": dt.time(10, 0),
    }
    values.update(extra)
    return services.course_create(actor=clinic.actor(Role.INSTRUCTOR), **values)


def enrol(clinic: Clinic, course: Course, client: Any = None, *, share: bool = True) -> Enrolment:
    """Enrol a baby the clinic's caregiver guards (the clinic's own baby unless another is given)."""
    return services.enrolment_create(
        actor=clinic.actor(Role.CAREGIVER),
        course=course,
        client=client or clinic.client,
        share_with_instructor=share,
    )


def course_with_family(clinic: Clinic, *, share: bool = True) -> tuple[Course, Enrolment]:
    course = make_course(clinic)
    return course, enrol(clinic, course, share=share)


def instructor_family(clinic: Clinic, baby: Any) -> Enrolment:
    """Make `baby` (guarded by the clinic's caregiver) a family of the clinic instructor's own course that
    shares its record, with week 1 held and every stroke taught: the instructor then reaches the baby's
    record, and a session gives the whole routine."""
    from kneadwell.courses import syllabus as syl
    from kneadwell.courses.models import CourseClass
    from kneadwell.library.loader import default_library

    course = make_course(clinic)
    enrolment = enrol(clinic, course, baby)
    item = CourseClass.objects.get(course=course, week=1)
    services.class_record(
        actor=clinic.actor(Role.INSTRUCTOR),
        course_class=item,
        expected_version=item.version,
        families=[services.FamilyInClass(enrolment.pk, "present")],
        strokes_taught=[s.key for s in syl.strokes_of(default_library(), course.protocol_id)],
    )
    return enrolment
