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
