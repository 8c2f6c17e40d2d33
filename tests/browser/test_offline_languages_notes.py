"""The engine's own words on the device in the page's language (issue 14), in real Chromium at 390 px:
offline, on a Spanish or an Arabic page, today's check is run on the device with its checklist left blank,
so the rules that read it fire with a note naming what was not answered. rules.js writes that note in the
engine's English (it must equal the server's); the panel shows it built again from the reason's
`unanswered` ids with the bundle's labels and words (offline.js shownNote). Back online, the server screens
the same answers again and stores the English; its pages' display of those notes (display_verdict, in the
same language) is exactly what the device showed. Screenshots: test-artifacts/offline-check-note-*-390.png
(looked at)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.library import localise
from kneadwell.library.display import display_verdict
from kneadwell.library.localise import NOT_ANSWERED, catalogue
from kneadwell.library.models import ReadinessCheck
from kwtest.browser import shot
from kwtest.people import Clinic
from kwtest.screening import passing_check

from .conftest import PHONE
from .test_offline import _offline
from .test_offline_liefi import _baby, _parent_ready_in_any_language

pytestmark = pytest.mark.django_db(transaction=True)

# In-session details as library/stop_rules.py writes them (readings, crying, the pauses before a stop).
DETAILS = [
    "95 bpm, below 100 bpm for 10 s",
    "95 bpm, below 100 bpm for 4 s (less than 10 s)",
    "35.9 °C, below 36.3 °C",
    "up 30 bpm from 140 (pause at 25)",
    "down 4 points from 97% (pause at 3)",
    "Crying (after 2 pause(s); 2 allowed)",
    "88%, below 90% for 12 s (after 1 pause(s); 1 allowed)",
]
SHOWN_DETAILS = """([id, details]) => KneadwellOffline.kit(id).then(
    (kept) => details.map((d) => KneadwellOffline.shownDetail(d, kept.bundle.words)))"""


def _state_label(language: str) -> str:
    entry = catalogue(language).entry("library", "states", "quiet_alert", "label")
    assert entry is not None
    return entry.text


@pytest.mark.parametrize(("language", "locale"), [("es", "es-ES"), ("ar", "ar-EG")])
def test_a_note_about_an_unanswered_question_is_shown_in_the_pages_language_on_the_device(
    browser: Any, live_server: Any, clinic: Clinic, language: str, locale: str
) -> None:
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(45_000)
    try:
        baby = _baby(clinic)
        passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
        _parent_ready_in_any_language(page, clinic, baby)
        _offline(page, True)
        page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
        page.get_by_label(_state_label(language)).check()
        # The checklist left blank: every question on it is unanswered.
        page.locator("form.questions button[value=start]").click()
        panel = page.locator("#kwo-check")
        expect(panel.locator("p.reason-note").first).to_be_visible()
        with translation.override(language):
            not_answered = translation.gettext(NOT_ANSWERED).split("%(questions)s")[0]
        assert not_answered
        assert not not_answered.startswith("Not answered")
        expect(panel.locator("p.reason-note").first).to_contain_text(not_answered.strip())
        shown = panel.locator("p.reason-note").all_inner_texts()
        assert not any("Not answered" in n or "Treated as if" in n for n in shown), shown
        panel.scroll_into_view_if_needed()
        shot(page, f"offline-check-note-{language}-390")

        # Back online: the server screens the same answers again and stores English; its pages show those
        # notes, in this language, exactly as the device did.
        _offline(page, False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        deadline = time.monotonic() + 20
        while ReadinessCheck.objects.filter(client=baby).count() < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert ReadinessCheck.objects.filter(client=baby).count() == 2, "the device's check was sent"
        latest = ReadinessCheck.objects.filter(client=baby).order_by("-created_at", "-id").first()
        assert latest is not None
        stored = [r for r in latest.verdict["reasons"] if r.get("note") and not r.get("released")]
        assert any(r["note"].startswith("Not answered: ") for r in stored), stored
        with translation.override(language):
            server = [
                r["note"]
                for r in display_verdict(latest.verdict, baby.organisation)["reasons"]
                if r.get("note") and not r.get("released")
            ]
        assert [" ".join(n.split()) for n in shown] == [" ".join(n.split()) for n in server]

        # The player's reasons on the device (online again, to load the player's script on this page): a
        # detail as rules.js writes it (stop_rules' English), shown with the kept bundle's words
        # (offline-player.js shownDetail), is what the server's pages show for it.
        src = page.evaluate("document.querySelector('script[src*=\\'offline.js\\']').src")
        page.add_script_tag(url=src.replace("offline.js", "offline-player.js"))
        device = page.evaluate(SHOWN_DETAILS, [baby.pk, DETAILS])
        with translation.override(language):
            shower = localise.shower(language, gettext=translation.gettext)
            assert shower is not None
            want = [shower.detail(d) for d in DETAILS]
        assert device == want
        assert all(shown != english for shown, english in zip(device, DETAILS, strict=True)), device
    finally:
        context.close()
