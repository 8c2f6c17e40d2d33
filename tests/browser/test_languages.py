"""The parent's path in Spanish and Arabic in real Chromium at 390 px (docs/languages.md): sign-up, today's
check and the player's first step with its timer running, then the returning parent's home page, growth
and the diary. The browser's language chooses the page's; Arabic reads right to left. Screenshots go to
test-artifacts/lang-<language>-*.png, to be looked at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.care.models import Session
from kwtest.browser import shot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WORDS = {
    "es": {"heading": "Crear una cuenta familiar", "check": "La comprobación de hoy", "step": "Paso 1 de"},
    "ar": {"heading": "أنشئ حسابًا عائليًا", "check": "فحص اليوم", "step": "الخطوة 1 من"},
}
LOCALES = {"es": "es-ES", "ar": "ar-EG"}


def _seconds(page) -> int:  # type: ignore[no-untyped-def]
    minutes, seconds = page.locator("[data-step-timer] .clock").first.inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_parents_path_in_another_language(browser, live_server, language: str) -> None:  # type: ignore[no-untyped-def]
    words = WORDS[language]
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale=LOCALES[language])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(45_000)
    try:
        page.goto("/accounts/signup/")
        expect(page.get_by_role("heading", name=words["heading"])).to_be_visible()
        html = page.locator("html")
        expect(html).to_have_attribute("lang", language)
        expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        shot(page, f"lang-{language}-1-signup")

        page.locator("#id_full_name").fill("Amira Khan")
        page.locator("#id_email").fill(f"amira-{language}@example.test")
        page.locator("#id_password").fill("a-long-safe-passphrase-9")
        page.locator("#id_baby_given_name").fill("Noor")
        page.locator("#id_baby_birth_date").fill((timezone.localdate() - dt.timedelta(days=40)).isoformat())
        page.locator('input[name="baby_sex"][value="female"]').check()
        page.locator('#id_history input[value="none"]').check()
        page.locator("#id_consent").check()
        page.locator("form button.primary.big").click()

        expect(page.get_by_role("heading", name=words["check"])).to_be_visible()
        shot(page, f"lang-{language}-2-todays-check")
        page.locator('input[value="quiet_alert"]').check()
        page.locator('#id_checklist input[value="none"]').check()
        page.locator('button[name="then"][value="start"]').click()

        expect(page.get_by_text(words["step"])).to_be_visible()
        first = _seconds(page)
        page.wait_for_timeout(2200)
        assert _seconds(page) <= first - 2  # the timer runs, its digits read as a clock in both directions
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if language == "ar":
            # Right to left: the step's text starts at the right edge, the clock stays m:ss left to right.
            direction = page.evaluate("getComputedStyle(document.querySelector('[data-step] h1')).direction")
            assert direction == "rtl"
            clock = page.evaluate(
                "getComputedStyle(document.querySelector('[data-step-timer] .clock')).direction"
            )
            assert clock == "ltr"
        shot(page, f"lang-{language}-3-first-step")
        session = Session.objects.get(client__given_name="Noor")

        page.goto("/")
        shot(page, f"lang-{language}-4-home")
        page.goto(f"/clients/{session.client_id}/growth/")
        shot(page, f"lang-{language}-5-growth")
        page.goto(f"/sessions/{session.pk}/note/")
        shot(page, f"lang-{language}-6-diary")
    finally:
        context.close()
