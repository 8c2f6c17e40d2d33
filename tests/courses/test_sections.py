"""The course cards on the home page and the baby's page."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kwtest.courses import course_with_family, instructor_family
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_a_parent_on_a_course_sees_the_class_and_the_home_routine_on_the_home_page(
    client: HttpClient, clinic: Clinic
) -> None:
    enrolment = instructor_family(clinic, clinic.client)
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(reverse("dashboard")).content.decode()
    assert "Baby massage class" in page
    assert reverse("courses:my_course", args=[enrolment.pk]) in page
    assert f"?protocol={enrolment.course.protocol_id}" in page


def test_before_the_first_class_the_card_says_when_the_routine_begins(
    client: HttpClient, clinic: Clinic
) -> None:
    course_with_family(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(reverse("dashboard")).content.decode()
    assert "begins after your first class" in page


def test_the_babys_page_shows_the_class_to_the_parent(client: HttpClient, clinic: Clinic) -> None:
    course, _ = course_with_family(clinic)
    assert clinic.client is not None
    client.force_login(clinic.user(Role.CAREGIVER))
    assert course.title in client.get(reverse("clients:detail", args=[clinic.client.pk])).content.decode()


def test_an_instructor_sees_their_courses_on_the_home_page(client: HttpClient, clinic: Clinic) -> None:
    course, _ = course_with_family(clinic)
    client.force_login(clinic.user(Role.INSTRUCTOR))
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your courses" in page
    assert course.title in page
    assert "week 1 today" in page
    assert reverse("courses:list") in page


def test_a_therapist_sees_no_course_card(client: HttpClient, clinic: Clinic) -> None:
    course_with_family(clinic)
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your courses" not in page
    assert "Baby massage class" not in page
