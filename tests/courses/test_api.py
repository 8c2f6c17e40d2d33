"""The courses API: an instructor's course, its families and classes; a family's enrolment, home routine,
practice and sharing. Errors are the one JSON shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Course, Enrolment
from kneadwell.library.loader import default_library
from kwtest.courses import course_with_family, make_course
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def call(client: HttpClient, clinic: Clinic, role: Role, method: str, path: str, body: Any = None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {clinic.token(role)}"}
    return getattr(client, method)(f"/api/v1{path}", body, content_type="application/json", headers=headers)


def test_an_instructor_creates_a_course_with_the_librarys_syllabus(
    client: HttpClient, clinic: Clinic
) -> None:
    body = {
        "title": "Online baby massage",
        "online_link": "https://meet.example.test/room",
        "start_date": str(timezone.localdate() + dt.timedelta(days=7)),
        "class_time": "18:30",
        "weeks": 4,
    }
    response = call(client, clinic, Role.INSTRUCTOR, "post", "/courses", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["class_time"] == "18:30"
    assert [c["week"] for c in data["classes"]] == [1, 2, 3, 4]
    assert "legs_and_feet.milking_indian" in data["classes"][0]["strokes_planned"]
    assert data["classes"][3]["review"] is False


def test_a_course_without_a_place_is_a_422_naming_the_field(client: HttpClient, clinic: Clinic) -> None:
    body = {"title": "X", "start_date": str(timezone.localdate()), "class_time": "10:00"}
    response = call(client, clinic, Role.INSTRUCTOR, "post", "/courses", body)
    assert response.status_code == 422
    assert response.json()["field"] == "venue"


def test_a_time_that_is_not_a_clock_time_is_refused(client: HttpClient, clinic: Clinic) -> None:
    body = {"title": "X", "venue": "Y", "start_date": str(timezone.localdate()), "class_time": "25:00"}
    assert call(client, clinic, Role.INSTRUCTOR, "post", "/courses", body).status_code == 422


def test_a_patch_needs_the_version_and_moves_the_classes(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic, start=timezone.localdate() + dt.timedelta(days=3))
    stale = call(
        client, clinic, Role.INSTRUCTOR, "patch", f"/courses/{course.pk}", {"version": 9, "weeks": 4}
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    ok = call(
        client,
        clinic,
        Role.INSTRUCTOR,
        "patch",
        f"/courses/{course.pk}",
        {"version": 1, "class_time": "11:00"},
    )
    assert ok.status_code == 200
    assert {
        timezone.localtime(dt.datetime.fromisoformat(c["starts_at"])).hour for c in ok.json()["classes"]
    } == {11}


def test_recording_a_class_then_reading_the_families(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    strokes = syl.strokes_of(default_library(), course.protocol_id)
    week1 = [s.key for s in syl.week_strokes(strokes, course.syllabus, 1)]
    body = {
        "version": 1,
        "families": [
            {
                "enrolment_id": enrolment.pk,
                "status": "left_early",
                "left_early_reason": "feed",
                "cues": ["yawning"],
            }
        ],
        "strokes_taught": week1,
        "notes": "First class.",
    }
    recorded = call(client, clinic, Role.INSTRUCTOR, "put", f"/courses/{course.pk}/classes/1", body)
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["classes"][0]["recorded"] is True
    families = call(client, clinic, Role.INSTRUCTOR, "get", f"/courses/{course.pk}/families").json()
    assert families[0]["attendance"] == [
        {
            "week": 1,
            "status": "left_early",
            "left_early_reason": "feed",
            "cues": ["yawning"],
            "response_note": "",
        }
    ]
    assert families[0]["follow_up"] == [
        "Left week 1 early (feed).",
        "No home practice in the last 7 days: a gentle check-in.",
    ]


def test_a_left_early_line_without_a_reason_names_the_family_line(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    body = {"version": 1, "families": [{"enrolment_id": enrolment.pk, "status": "left_early"}]}
    response = call(client, clinic, Role.INSTRUCTOR, "put", f"/courses/{course.pk}/classes/1", body)
    assert response.status_code == 422
    assert response.json()["field"] == "families.0.left_early_reason"


def test_practice_the_family_does_not_share_stays_hidden(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic, share=False)
    logged = call(
        client,
        clinic,
        Role.CAREGIVER,
        "post",
        f"/enrolments/{enrolment.pk}/practice",
        {"day": str(timezone.localdate()), "minutes": 7, "response": "mixed"},
    )
    assert logged.status_code == 201
    hidden = call(
        client, clinic, Role.INSTRUCTOR, "get", f"/courses/{course.pk}/families/{enrolment.pk}/practice"
    )
    assert hidden.json() == {"shared": False, "items": []}
    families = call(client, clinic, Role.INSTRUCTOR, "get", f"/courses/{course.pk}/families").json()
    assert families[0]["practice_days"] is None
    call(
        client,
        clinic,
        Role.CAREGIVER,
        "post",
        f"/enrolments/{enrolment.pk}/sharing",
        {"share_with_instructor": True},
    )
    shown = call(
        client, clinic, Role.INSTRUCTOR, "get", f"/courses/{course.pk}/families/{enrolment.pk}/practice"
    )
    assert shown.json()["items"][0]["minutes"] == 7


def test_a_parent_enrols_through_the_api_and_an_older_baby_is_refused(
    client: HttpClient, clinic: Clinic
) -> None:
    course = make_course(clinic, max_age_weeks=12)
    assert clinic.client is not None
    ok = call(
        client,
        clinic,
        Role.CAREGIVER,
        "post",
        "/enrolments",
        {"join_token": course.join_token, "client_id": clinic.client.pk, "share_with_instructor": True},
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["home_routine"] == []
    older = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=200,
        given_name="Ola",
    )
    refused = call(
        client,
        clinic,
        Role.CAREGIVER,
        "post",
        "/enrolments",
        {"join_token": course.join_token, "client_id": older.pk},
    )
    assert refused.status_code == 422
    assert "older babies" in refused.json()["detail"]
    assert Enrolment.objects.filter(course=course).count() == 1


def test_another_organisations_link_is_not_found(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    theirs = make_course(outsider)
    assert clinic.client is not None
    response = call(
        client,
        clinic,
        Role.CAREGIVER,
        "post",
        "/enrolments",
        {"join_token": theirs.join_token, "client_id": clinic.client.pk},
    )
    assert response.status_code == 404


def test_the_handout_pdf(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    response = call(client, clinic, Role.INSTRUCTOR, "get", f"/courses/{course.pk}/weeks/2/handout.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        call(client, clinic, Role.INSTRUCTOR, "get", f"/courses/{course.pk}/weeks/9/handout.pdf").status_code
        == 404
    )


def test_leaving_frees_the_place(client: HttpClient, clinic: Clinic) -> None:
    _, enrolment = course_with_family(clinic)
    response = call(
        client, clinic, Role.CAREGIVER, "post", f"/enrolments/{enrolment.pk}/leave", {"reason": "moving"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert Course.objects.count() == 1
