"""The outcome pages' own words (not the instruments' data) in real Chromium at 390 px (docs/languages.md,
"The parent's path"): a parent in Spanish opens the 24-hour diary's entry form and a measurement's page
and reads their buttons, labels and headings in Spanish, and the page in Arabic right to left, nothing
scrolling sideways. Screenshots: test-artifacts/lang-es-outcome-form.png, lang-es-outcome-detail.png,
lang-ar-outcome-detail.png, to be looked at."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_diary_form_and_measurement_page_in_spanish_and_arabic(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    parent = clinic.user(Role.CAREGIVER)
    baby = make_client(
        clinic.actor(Role.THERAPIST), guardian_user=parent, given_name="Rosie", born_days_ago=40
    )
    m = services.measurement_record(
        actor=clinic.actor(Role.CAREGIVER),
        client=baby,
        instrument_id="nasal_congestion",
        answers={"congestion": 1},
        taken_at=timezone.now(),
    )
    page = phone
    log_in(page, parent.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/measurements/new/infant_day_diary/")
    page.get_by_role("button", name="Español").click()
    form = page.locator("main")
    expect(page.get_by_role("button", name="Guardar", exact=True)).to_be_visible()
    expect(form).to_contain_text("Cancelar")
    expect(form).to_contain_text("Momento del programa")
    for english in ("Save", "Cancel", "When in the programme", "Other instruments", "Taken at"):
        expect(form).not_to_contain_text(re.compile(rf"\b{english}\b"))  # not "Cancelar"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "lang-es-outcome-form")

    page.goto(f"/clients/{baby.pk}/measurements/{m.pk}/")
    main = page.locator("main")
    for spanish in ("Resultado", "Tomada", "Registrado por", "Mediciones de Rosie", "Evolución"):
        expect(main).to_contain_text(spanish)
    for english in ("Result", "Taken", "Recorded by", "What was entered", "Measurements of", "Trend"):
        expect(main).not_to_contain_text(re.compile(rf"\b{english}\b"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "lang-es-outcome-detail")

    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    main = page.locator("main")
    expect(main).to_contain_text("النتيجة")
    expect(main).to_contain_text("قياسات Rosie")
    for english in ("Result", "Taken", "Recorded by", "Measurements of"):
        expect(main).not_to_contain_text(re.compile(rf"\b{english}\b"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "lang-ar-outcome-detail")
