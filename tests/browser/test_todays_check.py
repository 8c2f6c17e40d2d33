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
    expect(page.get_by_role("heading", name="Noah's health history")).to_be_visible()
    answer_all(page, clear_form("infant", "intake"))
    shot(page, "intake-infant-phone")
    page.get_by_role("button", name="Save the health history").click()
    expect(page.get_by_text("Health history saved.")).to_be_visible()

    # A parent goes straight on to today's check for the baby's first programme; this test wants another.
    page.get_by_role("link", name="Choose another programme").click()
    page.get_by_role("link", name="Baby massage at home").click()
    answer_all(page, clear_form("infant", "today", fever_today="yes"))
    shot(page, "todays-check-form-infant-phone")
    page.get_by_role("button", name="Check").click()

    panel = page.get_by_role("alert")
    expect(panel).to_contain_text("Not today")
    expect(panel).to_contain_text("What to do instead")
    expect(panel).to_contain_text("Source:")
    expect(page.get_by_role("link", name="Start the session")).to_have_count(0)
    shot(page, "todays-check-fever-stop-phone")
    assert ReadinessCheck.objects.get(client=baby).action == "stop"


def test_a_nurse_sees_a_measured_fever_stop_on_a_phone_with_no_start(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    """Issue 9, case 2: 39.2 °C measured with "fever: no" answered, under a protocol written for another
    group of babies, still stops; the red panel names the finding, what to do and the source."""
    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=28, weeks=30, days=0, given_name="Ada")
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/intake/")
    answer_all(page, clear_form("preterm_infant", "intake"))
    page.get_by_role("button", name="Save intake").click()
    expect(page.get_by_text("Intake saved.")).to_be_visible()

    page.get_by_role("link", name="Start today's check").click()
    page.get_by_role("link", name="Neonatal massage visit with a therapist").click()
    answer_all(page, clear_form("preterm_infant", "today", axillary_temperature_c="39.2", fever_today="no"))
    page.get_by_role("button", name="Check").click()

    panel = page.get_by_role("alert")
    expect(panel).to_contain_text("Stop: do not start this session today")
    expect(panel).to_contain_text("Fever")
    expect(panel).to_contain_text("the more cautious reading is used")
    expect(panel).to_contain_text("What to do instead")
    expect(panel).to_contain_text("Source:")
    expect(page.get_by_role("button", name="Start the session")).to_have_count(0)
    expect(page.get_by_role("link", name="Start the session")).to_have_count(0)
    box = panel.bounding_box()
    assert box is not None
    assert box["width"] >= 0.85 * 390  # full width on the phone
    shot(page, "todays-check-measured-fever-stop-phone")
    check = ReadinessCheck.objects.get(client=baby)
    assert check.action == "stop"
    assert "fever" in [r["rule_id"] for r in check.verdict["reasons"]]
