"""The demo organisation has a class series: the demo instructor's course with the demo parent's Leo
enrolled, week 1 recorded and home practice noted; a second --demo run adds nothing."""

from __future__ import annotations

import pytest

from kneadwell.core.demo import DEMO_ORG, demo_create
from kneadwell.courses.models import Attendance, Course, Enrolment, PracticeEntry

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_course_with_a_family_a_recorded_class_and_practice() -> None:
    lines = demo_create()
    assert any("instructor@demo.kneadwell.test" in line for line in lines)
    course = Course.objects.get(organisation__name=DEMO_ORG)
    assert course.instructor.email == "instructor@demo.kneadwell.test"
    enrolment = Enrolment.objects.get(course=course)
    assert enrolment.client.given_name == "Leo"
    assert Attendance.objects.get(enrolment=enrolment).status == "present"
    assert PracticeEntry.objects.filter(enrolment=enrolment).count() == 3
    demo_create()
    assert Course.objects.filter(organisation__name=DEMO_ORG).count() == 1
