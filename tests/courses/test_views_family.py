"""The family's side: the enrolment link (a new family, a signed-in parent, staff, a baby outside the
range, a full course), the family's course page, noting practice, sharing, leaving, their handout."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.models import Membership, User
from kneadwell.accounts.roles import Role
from kneadwell.courses.models import Enrolment, PracticeEntry
from kwtest.courses import course_with_family, enrol, make_course
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def _new_family(course, **changes):  # type: ignore[no-untyped-def]
    data = {
        "full_name": "Amira Khan",
        "email": "amira@example.test",
        "password": "a-long-family-passphrase",
        "baby_given_name": "Noor",
        "baby_birth_date": str(course.start_date - dt.timedelta(weeks=9)),
        "baby_sex": "female",
        "gestation": "term",
        "history": ["none"],
        "consent": "on",
        "share_with_instructor": "on",
    }
    data.update(changes)
    return data


def test_a_new_family_enrols_through_the_link(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    url = reverse("courses:join", args=[course.join_token])
    page = client.get(url)
    assert page.status_code == 200
    assert course.title in page.content.decode()
    response = client.post(url, _new_family(course))
    enrolment = Enrolment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:my_course", args=[enrolment.pk])
    assert enrolment.share_with_instructor is True
    user = User.objects.get(email="amira@example.test")
    assert Membership.objects.get(user=user).organisation == clinic.org
    course_page = client.get(response["Location"])
    assert course_page.status_code == 200
    assert "begins after your first class" in course_page.content.decode()


def test_a_baby_outside_the_range_is_refused_on_the_page(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic, max_age_weeks=6)
    response = client.post(reverse("courses:join", args=[course.join_token]), _new_family(course))
    assert response.status_code == 200
    text = response.content.decode()
    assert "will be 9 weeks old at the first class" in text
    assert "older babies" in text
    assert not User.objects.filter(email="amira@example.test").exists()


def test_a_full_course_puts_the_new_family_on_the_waiting_list(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic, capacity=1)
    enrol(clinic, course)
    response = client.post(
        reverse("courses:join", args=[course.join_token]), _new_family(course), follow=True
    )
    assert Enrolment.objects.get(client__given_name="Noor").status == Enrolment.Status.WAITING
    assert "waiting list" in response.content.decode()


def test_a_signed_in_parent_enrols_a_baby_they_have(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    url = reverse("courses:join", args=[course.join_token])
    assert "Maya" in client.get(url).content.decode()
    assert clinic.client is not None
    response = client.post(
        url, {"action": "enrol", "client": str(clinic.client.pk), "share_with_instructor": "on"}
    )
    assert response.status_code == 302
    assert Enrolment.objects.get().client == clinic.client


def test_a_parent_cannot_enrol_another_familys_baby_through_the_form(
    client: HttpClient, clinic: Clinic
) -> None:
    course = make_course(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    assert clinic.other_client is not None
    response = client.post(
        reverse("courses:join", args=[course.join_token]),
        {"action": "enrol", "client": str(clinic.other_client.pk)},
    )
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


def test_staff_opening_the_link_are_told_to_send_it_on(client: HttpClient, clinic: Clinic) -> None:
    course = make_course(clinic)
    client.force_login(clinic.user(Role.THERAPIST))
    assert (
        "send the link to the family"
        in client.get(reverse("courses:join", args=[course.join_token])).content.decode()
    )


def test_an_unknown_link_is_not_found(client: HttpClient, clinic: Clinic) -> None:
    assert client.get(reverse("courses:join", args=["nothing-here"])).status_code == 404


def test_the_family_notes_practice_and_sees_it(client: HttpClient, clinic: Clinic) -> None:
    _, enrolment = course_with_family(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    response = client.post(
        reverse("courses:practice", args=[enrolment.pk]),
        {"day": str(timezone.localdate()), "minutes": "12", "response": "enjoyed"},
    )
    assert response.status_code == 302
    assert PracticeEntry.objects.get().minutes == 12
    page = client.get(reverse("courses:my_course", args=[enrolment.pk])).content.decode()
    assert "12 min" in page


def test_bad_practice_is_shown_on_its_field(client: HttpClient, clinic: Clinic) -> None:
    _, enrolment = course_with_family(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    response = client.post(
        reverse("courses:practice", args=[enrolment.pk]), {"day": str(timezone.localdate()), "minutes": "0"}
    )
    assert response.status_code == 200
    assert "Enter the minutes" in response.content.decode()


def test_the_family_changes_sharing_and_leaves(client: HttpClient, clinic: Clinic) -> None:
    _, enrolment = course_with_family(clinic, share=False)
    client.force_login(clinic.user(Role.CAREGIVER))
    client.post(reverse("courses:share", args=[enrolment.pk]), {"share": "yes"})
    enrolment.refresh_from_db()
    assert enrolment.share_with_instructor is True
    client.post(reverse("courses:my_withdraw", args=[enrolment.pk]), {"reason": "back to work"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_another_family_cannot_open_the_course_page(client: HttpClient, clinic: Clinic) -> None:
    from kwtest.people import make_member

    _, enrolment = course_with_family(clinic)
    client.force_login(make_member(clinic.org, Role.CAREGIVER).user)
    assert client.get(reverse("courses:my_course", args=[enrolment.pk])).status_code == 404
    assert client.get(reverse("courses:my_handout", args=[enrolment.pk, 1])).status_code == 404


def test_the_familys_handout_and_calendar(client: HttpClient, clinic: Clinic) -> None:
    course, enrolment = course_with_family(clinic)
    client.force_login(clinic.user(Role.CAREGIVER))
    assert client.get(reverse("courses:my_handout", args=[enrolment.pk, 1])).status_code == 200
    pdf = client.get(reverse("courses:my_handout_pdf", args=[enrolment.pk, 1]))
    assert pdf.content.startswith(b"%PDF")
    client.logout()
    feed = client.get(reverse("courses:calendar", args=[course.calendar_token]))
    assert feed.status_code == 200
    body = feed.content.decode()
    assert body.count("BEGIN:VEVENT") == course.weeks
    assert "Maya" not in body  # the feed names the course, never a family
    assert client.get(reverse("courses:calendar", args=["wrong"])).status_code == 404


def test_a_second_baby_of_a_signed_in_parent_is_added_and_enrolled(
    client: HttpClient, clinic: Clinic
) -> None:
    course = make_course(clinic)
    enrol(clinic, course)
    client.force_login(clinic.user(Role.CAREGIVER))
    data = _new_family(course, baby_given_name="Zara")
    data["action"] = "new_baby"
    response = client.post(reverse("courses:join", args=[course.join_token]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Enrolment.objects.filter(client__given_name="Zara").exists()
