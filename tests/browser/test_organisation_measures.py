"""A clinic's lead defines the clinic's own outcome measure in the builder (adding items with the page's
button, one of them a number), checks the preview and publishes it; a therapist then records it for a
child on a phone and sees it in the child's trend. Screenshots in test-artifacts/own-measure-*.png at
1280 and 390 px for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.outcomes.models import Measurement, OrganisationMeasure
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)

SCALE = "0 = Never\n1 = Sometimes\n2 = Often\n3 = Always"


def test_a_lead_defines_a_measure_and_a_therapist_records_it_and_sees_its_trend(  # type: ignore[no-untyped-def]
    desktop, phone, clinic: Clinic
) -> None:
    child = make_client(
        clinic.actor(Role.THERAPIST), given_name="Tom", born_days_ago=365 * 6, weeks=None, days=None
    )

    # The lead (the administrator) builds the measure at desktop width.
    page = desktop
    log_in(page, clinic.user(Role.ADMIN).email, PASSWORD)
    page.goto("/library/")
    page.get_by_role("link", name="Your organisation's own outcome measures").click()
    page.get_by_role("link", name="Define a measure").click()
    page.get_by_label("Name", exact=True).fill("Evening calm (our own)")
    page.get_by_label("Short name").fill("Evening calm")
    page.get_by_label("What it measures").fill("How calm the child is in the evening, as the parent sees it.")
    page.get_by_label("Answers shared by the items").fill(SCALE)
    page.get_by_label("Item 1: what is asked or observed").fill("Settles after a bath")
    page.get_by_role("button", name="Add an item").click()  # copies a block in the page: no round trip
    page.get_by_label("Item 2: what is asked or observed").fill("Cries at bedtime")
    page.get_by_label("Item 2: reverse-scored").check()
    page.get_by_role("button", name="Add an item").click()
    page.get_by_label("Item 3: what is asked or observed").fill("Minutes to fall asleep, in tens")
    third = page.locator(".item-block").nth(2)
    third.get_by_label("A number with a unit").check()
    expect(third.get_by_label("Item 3: its own answers")).to_be_hidden()
    page.get_by_label("Item 3: unit").fill("x10 min")
    page.get_by_label("Item 3: lowest").fill("0")
    page.get_by_label("Item 3: highest").fill("6")
    page.get_by_label("Better").check()
    page.get_by_label("Bands").fill("0 to 5: Unsettled evenings\n6 to 12: Calm evenings")
    page.get_by_label("Licence").fill("Our clinic's own measure: no licence needed.")
    expect(page.locator('input[name="item_count"]')).to_have_value("3")
    shot(page, "own-measure-builder-1280")
    page.get_by_role("button", name="Save draft and preview").click()

    expect(page.get_by_role("heading", name="Preview: the entry form")).to_be_visible()
    expect(page.get_by_text("Minutes to fall asleep, in tens (x10 min)")).to_be_visible()
    expect(page.get_by_text("0 to 12; higher is better", exact=False)).to_be_visible()
    shot(page, "own-measure-preview-1280")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 published")).to_be_visible()
    measure = OrganisationMeasure.objects.get(organisation=clinic.org)
    assert measure.published_number == 1
    iid = f"org-{clinic.org.pk}-{measure.slug}"

    # The builder at phone width, for a person to look at (and nothing scrolls sideways).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/measures/{measure.slug}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "own-measure-builder-390")

    # A therapist records it for Tom on a phone and finds it in his trend.
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{child.pk}/measurements/new/")
    page.get_by_role("link", name="Evening calm (our own)").click()
    page.locator('input[name="q1"][value="2"]').check()
    page.locator('input[name="q2"][value="1"]').check()  # reversed: counts 3 - 1 = 2
    page.locator('[name="q3"]').fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Evening calm (our own) saved")).to_be_visible()
    m = Measurement.objects.get(client=child, instrument_id=iid)
    assert (m.total, m.band_label, m.instrument_version) == (8, "Calm evenings", "1")
    expect(page.get_by_role("heading", name="Evening calm (our own)")).to_be_visible()
    expect(page.get_by_text("8 of 12 (Calm evenings)").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "own-measure-trend-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/clients/{child.pk}/measurements/{m.pk}/")
    expect(page.get_by_text("Evening calm version 1, scoring rule version 1")).to_be_visible()
    shot(page, "own-measure-recorded-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "own-measure-recorded-390")
