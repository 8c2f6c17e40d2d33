"""A nurse opens a preterm baby's plan on a phone, sees the baseline weight is due, records it from the
plan's link, and comes back to find it done."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.outcomes.models import Measurement
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_nurse_records_the_baseline_weight_the_plan_asks_for(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    nurse = clinic.actor(Role.THERAPIST)
    baby = make_client(nurse, born_days_ago=40, weeks=30, days=2, given_name="Ada")
    check = passing_check(nurse, baby, "preterm_tks_10d", "preterm_infant")
    plan = services.plan_create(actor=nurse, client=baby, check=check, starts_at=timezone.now())
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/plans/{plan.pk}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Measurements for this plan"))
    expect(section).to_be_visible()
    weight = section.locator('[data-row="weight"]')
    expect(weight.get_by_text("Due before the first session")).to_be_visible()
    shot(page, "plan-measurements-phone")

    weight.get_by_role("link", name="Record: Body weight").click()
    expect(page.get_by_label("When in the programme")).to_have_value("baseline")
    page.locator('[name="value"]').fill("1650")
    unit = page.locator('select[name="unit"]')
    if unit.count():
        unit.select_option("g")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Body weight saved")).to_be_visible()
    assert Measurement.objects.get(client=baby, instrument_id="weight").context == "baseline"

    page.goto(f"/clients/{baby.pk}/plans/{plan.pk}/")
    weight = page.locator('[data-row="weight"]')
    baseline = weight.locator("li", has=page.locator("strong", has_text="Before the programme"))
    expect(baseline.locator(".badge")).to_have_text("done")
    shot(page, "plan-measurements-after-phone")
