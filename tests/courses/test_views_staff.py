"""The instructor's pages: list, create, course at a glance, change with the syllabus, invitations, a
class's attendance, a family's practice log, withdrawal, handouts (page and PDF)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.courses import services
from kneadwell.courses.models import Attendance, Course, CourseClass, Enrolment
from kwtest.courses import course_with_family, make_course
from kwtest.people import Clinic, actor_for, make_member

pytestmark = pytest.mark.django_db


def as_instructor(client: HttpClient, clinic: Clinic) -> HttpClient:
    client.force_login(clinic.user(Role.INSTRUCTOR))
    return client


def test_an_instructor_creates_a_course_from_the_page(client: HttpClient, clinic: Clinic) -> None:
    http = as_instructor(client, clinic)
    assert http.get(reverse("courses:create")).status_code == 200
    response = http.post(
        reverse("courses:create"),
        {
            "title": "Baby massage, Thursdays",
            "venue": "Library meeting room",
            "start_date": str(timezone.localdate() + dt.timedelta(days=2)),
            "class_time": "10:30",
            "class_minutes": "75",
            "weeks": "4",
            "capacity": "6",
            "language": "English",
            "min_age_weeks": "6",
            "max_age_weeks": "30",
            "reminders": "on",
        },
    )
    course = Course.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:detail", args=[course.pk])
    assert (course.weeks, course.capacity, course.min_age_weeks) == (4, 6, 6)
    assert CourseClass.objects.filter(course=course).count() == 4


def test_a_course_without_a_place_is_shown_the_message_on_its_field(
    client: HttpClient, clinic: Clinic
) -> None:
    http = as_instructor(client, clinic)
    response = http.post(
        reverse("courses:create"),
        {
            "title": "X",
            "start_date": str(timezone.localdate()),
            "class_time": "10:00",
            "weeks": "5",
            "capacity": "8",
            "language": "English",
            "min_age_weeks": "0",
            "max_age_weeks": "52",
            "class_minutes": "60",
        },
    )
    assert response.status_code == 200
    assert "Say where the classes are" in response.content.decode()
    assert not Course.objects.exists()


def test_the_course_page_shows_families_weeks_link_and_follow_up(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    item = CourseClass.objects.get(course=course, week=1)
    services.class_record(
        actor=clinic.actor(Role.INSTRUCTOR),
        course_class=item,
        expected_version=item.version,
        families=[services.FamilyInClass(enrolment.pk, "left_early", "baby unsettled", ["arching"])],
        strokes_taught=[],
    )
    page = as_instructor(client, clinic).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "Families at a glance" in page
    assert "Maya" in page
    assert "Left early" in page
    assert "Who to follow up" in page
    assert "Left week 1 early (baby unsettled)." in page
    assert "Arching the back" in page
    assert f"/courses/join/{course.join_token}/" in page
    assert reverse("courses:handout", args=[course.pk, 1]) in page
    # Opening the course page is a read of each family's record in the audit log.
    assert AuditEvent.objects.filter(action="read", client_id=enrolment.client_id).exists()


def test_changing_the_syllabus_moves_a_stroke_to_another_week(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    http = as_instructor(client, clinic)
    page = http.get(reverse("courses:edit", args=[course.pk]))
    assert page.status_code == 200
    form = page.context["syllabus_form"]
    data = {
        name: str(field.initial if field.initial is not None else form.initial.get(name, "0"))
        for name, field in form.fields.items()
    }
    data.update({k: str(v) for k, v in form.initial.items()})
    data["stroke__tummy__sun_and_moon"] = "4"
    data.update(
        {
            "version": str(course.version),
            "title": course.title,
            "venue": course.venue,
            "start_date": str(course.start_date),
            "class_time": "10:00",
            "class_minutes": "60",
            "weeks": "5",
            "capacity": "8",
            "language": "English",
            "min_age_weeks": "0",
            "max_age_weeks": "52",
            "reminders": "on",
        }
    )
    response = http.post(reverse("courses:edit", args=[course.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    course.refresh_from_db()
    assert course.syllabus["tummy.sun_and_moon"] == 4


def test_invitations_are_emailed_from_the_page(
    client: HttpClient, clinic: Clinic, django_capture_on_commit_callbacks
) -> None:
    course = make_course(clinic)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_instructor(client, clinic).post(
            reverse("courses:invite", args=[course.pk]), {"emails": "one@example.test, two@example.test"}
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.test", "two@example.test"]


def test_taking_attendance_saves_each_family_and_the_strokes(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    http = as_instructor(client, clinic)
    url = reverse("courses:class", args=[course.pk, 1])
    page = http.get(url)
    assert page.status_code == 200
    planned = page.context["form"].initial["strokes_taught"]
    response = http.post(
        url,
        {
            "version": "1",
            f"status_{enrolment.pk}": "present",
            f"cues_{enrolment.pk}": ["smiling", "mutual_gaze"],
            "strokes_taught": planned,
            "notes": "A calm first class.",
        },
    )
    assert response.status_code == 302
    line = Attendance.objects.get(enrolment=enrolment)
    assert (line.status, line.cues) == ("present", ["mutual_gaze", "smiling"])
    assert CourseClass.objects.get(course=course, week=1).strokes_taught == planned


def test_left_early_without_a_reason_is_refused_on_the_familys_line(
    client: HttpClient, clinic: Clinic
) -> None:
    course, enrolment = course_with_family(clinic)
    response = as_instructor(client, clinic).post(
        reverse("courses:class", args=[course.pk, 1]),
        {"version": "1", f"status_{enrolment.pk}": "left_early"},
    )
    assert response.status_code == 200
    assert "Maya left early: say why" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_family_page_shows_shared_practice(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    services.practice_log(
        actor=clinic.actor(Role.CAREGIVER),
        enrolment=enrolment,
        day=timezone.localdate(),
        minutes=9,
        response="mixed",
        note="Fussy after the tummy",
    )
    page = as_instructor(client, clinic).get(reverse("courses:family", args=[course.pk, enrolment.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Fussy after the tummy" in text
    assert "Noted by the family" in text


def test_the_family_page_hides_practice_the_family_did_not_share(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic, share=False)
    services.practice_log(
        actor=clinic.actor(Role.CAREGIVER),
        enrolment=enrolment,
        day=timezone.localdate(),
        minutes=9,
        response="mixed",
        note="Private note",
    )
    text = (
        as_instructor(client, clinic)
        .get(reverse("courses:family", args=[course.pk, enrolment.pk]))
        .content.decode()
    )
    assert "Private note" not in text
    assert "has not shared" in text


def test_withdrawing_a_family_from_the_page(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    response = as_instructor(client, clinic).post(
        reverse("courses:family_withdraw", args=[course.pk, enrolment.pk]), {"reason": "moved away"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


@pytest.mark.parametrize("week", [1, 2, 5])
def test_the_handout_page_and_pdf_say_the_same_week(client: HttpClient, clinic: Clinic, week: int) -> None:
    course = make_course(clinic)
    http = as_instructor(client, clinic)
    page = http.get(reverse("courses:handout", args=[course.pk, week]))
    pdf = http.get(reverse("courses:handout_pdf", args=[course.pk, week]))
    assert page.status_code == 200
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    title = page.context["document"].title
    assert title.startswith(f"Week {week} of 5")
    text = page.content.decode()
    assert 'id="cues"' in text
    if week == 1:
        assert "Indian milking" in text
        assert "<svg" in text  # where the strokes go, on the body map


def test_a_week_outside_the_course_is_not_found(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic, weeks=4)
    assert (
        as_instructor(client, clinic).get(reverse("courses:handout", args=[course.pk, 5])).status_code == 404
    )


def test_another_instructors_course_is_not_found(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    other = make_member(clinic.org, Role.INSTRUCTOR)
    client.force_login(other.user)
    for name, args in (
        ("courses:detail", [course.pk]),
        ("courses:class", [course.pk, 1]),
        ("courses:handout", [course.pk, 1]),
        ("courses:edit", [course.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert actor_for(other).can  # the other instructor is a real member


def test_an_administrator_sees_every_course(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    client.force_login(clinic.user(Role.ADMIN))
    assert course.title in client.get(reverse("courses:list")).content.decode()
