"""The clinical content in Spanish and Arabic in real Chromium at 390 px (docs/languages.md, "Clinical
content"): a stop found by today's check and a stop in the player, each reason in the page's language with
its English original beside the draft translation, and nothing scrolling sideways. Screenshots go to
test-artifacts/content-<language>-*.png, to be looked at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue
from kwtest.browser import shot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LOCALES = {"es": "es-ES", "ar": "ar-EG"}


def words(language: str, collection: str, item_id: str, path: str) -> str:
    entry = catalogue(language).entry("library", collection, item_id, path)
    assert entry is not None
    return entry.text


@pytest.mark.parametrize("language", ["es", "ar"])
def test_stop_reasons_in_another_language(browser, live_server, language: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale=LOCALES[language])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(45_000)
    lib = default_library()
    try:
        page.goto("/accounts/signup/")
        page.locator("#id_full_name").fill("Amira Khan")
        page.locator("#id_email").fill(f"amira-content-{language}@example.test")
        page.locator("#id_password").fill("a-long-safe-passphrase-9")
        page.locator("#id_baby_given_name").fill("Noor")
        page.locator("#id_baby_birth_date").fill((timezone.localdate() - dt.timedelta(days=40)).isoformat())
        page.locator('input[name="baby_sex"][value="female"]').check()
        page.locator('#id_history input[value="none"]').check()
        page.locator("#id_consent").check()
        page.locator("form button.primary.big").click()

        # Today's check with a fever: not today, in the page's language, the English beside it.
        expect(page.get_by_text(words(language, "questions", "fever_today", "item_label"))).to_be_visible()
        page.locator('input[value="quiet_alert"]').check()
        page.locator('#id_checklist input[value="fever_today"]').check()
        page.locator('button[name="then"][value="start"]').click()
        reason = page.locator(".panel-stop .reason").first
        expect(reason).to_contain_text(words(language, "rules", "fever", "text_parent"))
        expect(reason.locator('.original-text bdi[lang="en"]').first).to_contain_text(
            lib.rules["fever"].text_parent
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, f"content-{language}-1-check-stop")

        # A clear check, then the first step, then a stop cue in the player.
        page.goto(page.url.split("/checks/")[0] + "/check/?protocol=iaim_first_week")
        page.locator('input[value="quiet_alert"]').check()
        page.locator('#id_checklist input[value="fever_today"]').uncheck()  # carried from the last check
        page.locator('#id_checklist input[value="none"]').check()
        page.locator('button[name="then"][value="start"]').click()
        step = page.locator("[data-step]")
        name = words(language, "techniques", "asking_permission", "name")
        expect(step.get_by_role("heading", name=name)).to_be_visible()
        shot(page, f"content-{language}-2-first-step")
        page.locator("details", has=page.locator('input[value="crying_cue"]')).first.evaluate(
            "d => d.open = true"
        )
        page.locator("form:has(input[value='crying_cue']) button").click()
        stopped = page.locator("section.panel-stop")
        expect(stopped).to_contain_text(words(language, "session_checks", "cue_stop", "text_parent"))
        expect(stopped.locator('.original-text bdi[lang="en"]').first).to_contain_text(
            lib.session_checks["cue_stop"].text_parent
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        stopped.scroll_into_view_if_needed()
        shot(page, f"content-{language}-3-player-stop")
    finally:
        context.close()
