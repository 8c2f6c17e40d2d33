"""Reminders before a class: emailed once to each family with a place, audited; not to the waiting list,
not for a course that sends none; the command line runs them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.cli import main
from kneadwell.courses import services
from kneadwell.courses.models import CourseClass
from kneadwell.courses.reminders import send_class_reminders
from kwtest.courses import enrol, make_course
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def _tomorrow_course(clinic: Clinic, **extra):  # type: ignore[no-untyped-def]
    course = make_course(clinic, start=timezone.localdate() + dt.timedelta(days=1), capacity=1, **extra)
    CourseClass.objects.filter(course=course, week=1).update(
        starts_at=timezone.now() + dt.timedelta(hours=20)
    )
    return course


def test_each_family_with_a_place_is_reminded_once(clinic: Clinic) -> None:
    course = _tomorrow_course(clinic)
    enrolment = enrol(clinic, course)
    enrol(
        clinic, course, make_client(clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER))
    )
    mail.outbox.clear()
    assert send_class_reminders() == 1  # the second baby is on the waiting list
    assert mail.outbox[0].subject.startswith(f"{course.title}: week 1 on ")
    assert enrolment.client.given_name in mail.outbox[0].body
    assert mail.outbox[0].to == [clinic.user(Role.CAREGIVER).email]
    assert send_class_reminders() == 0
    event = AuditEvent.objects.get(entity="reminder")
    assert event.client_id == enrolment.client_id


def test_a_course_without_reminders_sends_none(clinic: Clinic) -> None:
    course = _tomorrow_course(clinic, reminders=False)
    enrol(clinic, course)
    mail.outbox.clear()
    assert send_class_reminders() == 0


def test_a_moved_class_is_reminded_again_at_its_new_time(clinic: Clinic) -> None:
    course = _tomorrow_course(clinic)
    enrol(clinic, course)
    assert send_class_reminders() == 1
    course.refresh_from_db()
    services.course_update(
        actor=clinic.actor(Role.INSTRUCTOR),
        course=course,
        expected_version=course.version,
        class_time=dt.time(9, 0) if course.class_time != dt.time(9, 0) else dt.time(11, 0),
    )
    assert CourseClass.objects.get(course=course, week=1).reminded_at is None


def test_the_command_line_sends_them(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    course = _tomorrow_course(clinic)
    enrol(clinic, course)
    assert main(["course-reminders", "--hours", "24"]) == 0
    assert "Sent 1 class reminder(s)." in capsys.readouterr().out
    assert main(["course-reminders", "--hours", "100"]) == 2
