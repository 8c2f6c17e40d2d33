"""A parent on a phone fills in today's check with a fever and is stopped, with the reason shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.library.models import ReadinessCheck
from kwtest.browser import answer_all, log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import clear_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_with_a_feverish_baby_is_stopped_with_the_reason(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=80,
        weeks=39,
        days=5,
        given_name="Noah",
    )
    page = phone
    log_in(page, clinic.user(Role.CAREGIVER).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/")
    page.get_by_role("link", name="Fill in the health history").click()
    answer_all(page, clear_form("infant", "intake"))
    shot(page, "intake-infant-phone")
    page.get_by_role("button", name="Save intake").click()
    expect(page.get_by_text("Intake saved.")).to_be_visible()

    page.get_by_role("link", name="Start today's check").click()
    page.get_by_role("link", name="Baby massage at home").click()
    answer_all(page, clear_form("infant", "today", fever_today="yes"))
    page.get_by_role("button", name="Check").click()

    panel = page.get_by_role("alert")
    expect(panel).to_contain_text("Not today")
    expect(panel).to_contain_text("What to do instead")
    expect(panel).to_contain_text("Source:")
    expect(page.get_by_role("link", name="Start the session")).to_have_count(0)
    shot(page, "todays-check-fever-stop-phone")
    assert ReadinessCheck.objects.get(client=baby).action == "stop"
