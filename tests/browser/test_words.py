"""Words follow the role, and codes never reach the page. A crawl of the main pages for a parent, a
therapist and an administrator (at 390 px) reads each page as a person sees it: no snake_case or
run-together codes for anyone, and for a parent none of the staff words ("client", "API tokens", "FHIR")."""

from __future__ import annotations

import re

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.care import services as care
from kwtest.browser import codes_in, log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_WORDS = re.compile(r"\bclients?\b|API tokens?|FHIR", re.IGNORECASE)


def _session(actor, baby, protocol: str, population: str):  # type: ignore[no-untyped-def]
    check = passing_check(actor, baby, protocol, population)
    session = care.session_start(actor=actor, client=baby, check=check)
    for index in range(len(session.steps)):
        care.session_step(actor=actor, session=session, index=index, outcome="done")
        if index == 0:
            care.session_observe(
                actor=actor, session=session, key=f"k{session.pk}", kind="cue", code="smiling"
            )
    session = care.session_complete(actor=actor, session=session)
    return check, session


def _pages(clinic: Clinic) -> list[str]:
    """The main pages around one baby: a parent's session with a signed diary, a therapist's session with
    a signed SOAP note."""
    parent, therapist = clinic.actor(Role.CAREGIVER), clinic.actor(Role.THERAPIST)
    baby = make_client(
        therapist, guardian_user=parent.user, born_days_ago=60, weeks=39, days=0, given_name="Ivy"
    )
    check, home = _session(parent, baby, "iaim_first_week", "infant")
    diary = care.note_save(
        actor=parent,
        session=home,
        expected_version=None,
        response="Calm",
        sleep_after="as_usual",
        stools="no",
    )
    care.note_sign(actor=parent, note=diary, expected_version=diary.version)
    _, visit = _session(therapist, baby, "iaim_parent_routine", "infant")
    soap = care.note_save(
        actor=therapist,
        session=visit,
        expected_version=None,
        subjective="Settled",
        techniques=["milking_indian", "thumb_over_thumb"],
        pressure="light",
    )
    care.note_sign(actor=therapist, note=soap, expected_version=soap.version)
    return [
        "/",
        f"/clients/{baby.pk}/",
        "/clients/",
        f"/clients/{baby.pk}/checks/{check.pk}/",
        f"/sessions/{home.pk}/",
        f"/sessions/{home.pk}/note/",
        f"/sessions/{visit.pk}/note/",
        "/library/",
    ]


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.THERAPIST, Role.ADMIN])
def test_the_main_pages_show_words_not_codes(phone, clinic: Clinic, role: Role) -> None:  # type: ignore[no-untyped-def]
    paths = _pages(clinic)
    problems: list[tuple[str, list[str]]] = []  # the phone fixture also reads every update
    log_in(phone, clinic.user(role).email, PASSWORD)
    staff_words: list[tuple[str, list[str]]] = []
    for path in paths:
        phone.goto(path)
        text = phone.locator("body").inner_text()
        if codes_in(text):
            problems.append((path, codes_in(text)))
        if role is Role.CAREGIVER and "/checks/" not in path:  # see the test below
            found = STAFF_WORDS.findall(text)
            if found:
                staff_words.append((path, found))
    shot(phone, f"words-{role.value}-last-page")
    assert not problems, problems
    assert not staff_words, staff_words


def test_a_parent_sees_no_staff_words_on_todays_check(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    parent = clinic.actor(Role.CAREGIVER)
    baby = make_client(
        clinic.actor(Role.THERAPIST), guardian_user=parent.user, born_days_ago=60, weeks=39, days=0
    )
    check = passing_check(parent, baby, "iaim_first_week", "infant")
    log_in(phone, parent.user.email, PASSWORD)
    phone.goto(f"/clients/{baby.pk}/checks/{check.pk}/")
    assert not STAFF_WORDS.findall(phone.locator("body").inner_text())
