"""A therapist logs in, adds a baby born at 30+2 weeks, records the parent's consent, finds the baby in
the list, and an admin sees the audit entries — in real Chromium at phone size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_therapist_adds_a_preterm_baby_with_consent(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)

    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("First name").fill("Rosie")
    page.get_by_label("Family name").fill("Whitfield")
    page.get_by_label("Date of birth").fill("2026-10-20")
    page.get_by_label("Female").check()
    page.get_by_label("Gestation at birth: weeks").fill("30")
    page.get_by_label("and days").fill("2")
    page.get_by_label("Birth weight (grams)").fill("1380")
    shot(page, "onboarding-1-add-client-phone")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Rosie Whitfield")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="No active consent")).to_be_visible()
    expect(page.get_by_text("30+2 weeks")).to_be_visible()
    shot(page, "onboarding-2-client-without-consent-phone")

    page.get_by_role("link", name="Add a guardian").click()
    page.get_by_label("Name").fill("Hannah Whitfield")
    page.get_by_label("Relationship").select_option("mother")
    page.get_by_role("button", name="Add guardian").click()

    page.get_by_role("link", name="Record consent or assent").click()
    page.get_by_label("Consent by a parent, guardian or legal representative").check()
    page.get_by_label("Given by (guardian)").select_option(label="Hannah Whitfield (Mother)")
    page.get_by_label("Name of the person giving consent or assent").fill("Hannah Whitfield")
    page.get_by_label("How it was given").select_option("paper")
    page.get_by_label(re.compile("I confirm that this person gave consent")).check()
    shot(page, "onboarding-3-consent-phone")
    page.get_by_role("button", name="Record consent").click()

    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="No active consent")).to_have_count(0)

    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_label("Search by name or number").fill("whitf")
    expect(page.locator("#results").get_by_role("link", name=re.compile("Whitfield"))).to_be_visible()
    shot(page, "onboarding-4-search-phone")

    client = Client.objects.get(family_name="Whitfield")
    assert (client.gestation_weeks, client.gestation_days, client.birth_weight_g) == (30, 2, 1380)

    page.get_by_role("button", name="Log out").click()
    log_in(page, clinic.user(Role.ADMIN).email, PASSWORD)
    page.goto(f"/audit/?client={client.pk}")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="added client Rosie Whitfield")).to_have_count(1)
    expect(rows.filter(has_text="recorded consent by a parent")).to_have_count(1)
    expect(rows.filter(has_text=clinic.user(Role.THERAPIST).email).first).to_be_visible()
    shot(page, "onboarding-5-audit-phone")


def test_bad_input_in_the_browser_keeps_what_was_typed(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto("/clients/new/")
    page.get_by_label("First name").fill("Future")
    page.get_by_label("Family name").fill("Baby")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Gestation at birth: weeks").fill("50")
    page.get_by_label("Birth weight (grams)").fill("-20")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is in the future")).to_be_visible()
    expect(page.get_by_text("between 22 and 44 weeks")).to_be_visible()
    expect(page.get_by_text("more than 0 grams")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Future")
    shot(page, "client-form-errors-phone")
    assert not Client.objects.filter(given_name="Future").exists()
