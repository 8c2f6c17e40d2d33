"""The offline web app when the network lies, and when a check on the device finds something, in real
Chromium at 390 px (docs/offline.md):

- "Lie-fi": the browser believes it is online, but no request is ever answered (a Playwright route that
  never answers, for the page and its service worker). Today's check posted online is stopped after the
  time limit and run on the device; the session starts and goes on there; the page says the connection is
  not getting through; every record stays in the outbox. Mid-session on the server's player, a tap that
  gets no answer hands the session over to the device. When answers come again, everything reaches the
  server once.
- A check on the device that finds areas to leave out does not start a session: the page says which
  areas, why the session waits for the connection, and what to do; in Spanish, the reason is the Spanish
  text from the bundle, with the English original beside it.

The time limit is shortened for the test (window.KW_NETWORK_TIMEOUT_MS, before the page loads).
Screenshots: test-artifacts/offline-liefi-*.png, offline-check-areas-*.png (looked at)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session, StepLog
from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue
from kneadwell.library.models import ReadinessCheck
from kneadwell.offline.models import SyncRecord
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import passing_check

from .conftest import PHONE
from .test_offline import _offline, _ready_for_offline, _waiting

pytestmark = pytest.mark.django_db(transaction=True)

FAST = "window.KW_NETWORK_TIMEOUT_MS = 1500;"
NO_CONNECTION = "The connection is not getting through"


class LieFi:
    """Every request, the page's and the service worker's, is held and never answered (the browser still
    says it is online). Lifted, the held requests fail and new ones go through."""

    def __init__(self, page: Any) -> None:
        self.context = page.context
        self.held: list[Any] = []

    def _hold(self, route: Any) -> None:
        self.held.append(route)

    def __enter__(self) -> LieFi:
        self.context.route("**/*", self._hold)
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.unroute("**/*", self._hold)
        for route in self.held:
            # The page may have given up on it already (AbortController): nothing left to answer.
            with contextlib.suppress(Exception):
                route.abort("timedout")


def _baby(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=50,
        weeks=39,
        days=0,
        given_name="Ivy",
    )


def _parent_ready(page: Any, clinic: Clinic, baby: Any) -> None:
    page.add_init_script(FAST)
    page.goto("/accounts/login/", timeout=30_000)
    log_in(page, clinic.user(Role.CAREGIVER).email, PASSWORD)
    page.goto("/")
    _ready_for_offline(page, baby.pk)


def _parent_ready_in_any_language(page: Any, clinic: Clinic, baby: Any) -> None:
    page.add_init_script(FAST)
    page.goto("/accounts/login/", timeout=30_000)
    page.locator("input[name=username], input[type=email]").first.fill(clinic.user(Role.CAREGIVER).email)
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("form button[type=submit], form button.primary").first.click()
    page.wait_for_url("**/")
    page.goto("/")
    _ready_for_offline(page, baby.pk)


def _status(page: Any) -> Any:
    return page.locator("#kw-offline [data-line=offline]")


def test_lie_fi_the_check_runs_on_the_device_and_every_record_waits_then_arrives_once(
    phone: Any, clinic: Clinic
) -> None:
    page = phone
    baby = _baby(clinic)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    _parent_ready(page, clinic, baby)
    page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
    checks_before = ReadinessCheck.objects.filter(client=baby).count()

    with LieFi(page) as liefi:
        page.get_by_label("Quiet alert").check()
        page.get_by_label("None of these").first.check()
        page.get_by_role("button", name="Check, then start").click()
        # The post gets no answer: after the time limit it is stopped, the check runs on the device, and
        # the session starts there (the offline page, from the service worker, told the network is down).
        expect(page.get_by_text("Step 1 of 10")).to_be_visible(timeout=15_000)
        assert liefi.held, "the check was posted and held"
        expect(_status(page)).to_contain_text(NO_CONNECTION, timeout=10_000)
        page.get_by_role("button", name="Done — next step").click()
        expect(page.get_by_text("Step 2 of 10")).to_be_visible()
        expect(_waiting(page)).to_have_text("Waiting to be sent: 3")  # the check, the start, a step
        # A sync in lie-fi times out and keeps everything.
        page.evaluate("KneadwellOffline.sync()")
        expect(_waiting(page)).to_have_text("Waiting to be sent: 3")
        shot(page, "offline-liefi-player-390")
        assert ReadinessCheck.objects.filter(client=baby).count() == checks_before
        assert not SyncRecord.objects.exists()

    # Answers come again: the next sync finds it out, sends everything once, and the line goes.
    page.evaluate("KneadwellOffline.sync()")
    expect(_waiting(page)).to_have_text("All sent.", timeout=20_000)
    expect(_status(page)).to_be_hidden()
    assert SyncRecord.objects.filter(client=baby).count() == 3
    session = Session.objects.get(client=baby)
    assert StepLog.objects.filter(session=session).count() == 1
    assert ReadinessCheck.objects.filter(client=baby).count() == checks_before + 1
    page.evaluate("KneadwellOffline.sync()")  # a second sync stores nothing twice
    page.wait_for_timeout(500)
    assert SyncRecord.objects.filter(client=baby).count() == 3


def test_lie_fi_mid_session_a_tap_with_no_answer_hands_the_session_to_the_device(
    phone: Any, clinic: Clinic
) -> None:
    page = phone
    baby = _baby(clinic)
    check = passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    _parent_ready(page, clinic, baby)
    page.goto(f"/clients/{baby.pk}/checks/{check.pk}/")
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text("Step 1 of 10")).to_be_visible()
    page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_text("Step 2 of 10")).to_be_visible()
    session = Session.objects.get(client=baby)

    with LieFi(page):
        page.get_by_role("button", name="Done — next step").click()
        # No answer within the time limit: the session goes on on the device with this tap.
        expect(page.get_by_text("Step 3 of 10")).to_be_visible(timeout=15_000)
        expect(_status(page)).to_contain_text(NO_CONNECTION)
        page.get_by_role("button", name="Done — next step").click()
        expect(page.get_by_text("Step 4 of 10")).to_be_visible()
        expect(_waiting(page)).to_have_text("Waiting to be sent: 2")
        shot(page, "offline-liefi-handover-390")
        assert StepLog.objects.filter(session=session).count() == 1

    page.evaluate("KneadwellOffline.sync()")
    expect(_waiting(page)).to_have_text("All sent.", timeout=20_000)
    assert StepLog.objects.filter(session=session).count() == 3


# An older kit (format 1, before the device could narrow today's steps) or one that cannot be traced to its
# routine carries no `narrow`: the device then keeps the cautious fallback, and the session waits.
WITHOUT_NARROWING = """async (id) => {
    const kept = await KneadwellOffline.kit(id);
    kept.kit.protocols.forEach((p) => { delete p.narrow; });
    await KneadwellOffline.put("kits", kept);
    return true;
}"""


def _skin_problem_on_the_left_foot(page: Any, item_label: str) -> None:
    page.get_by_label(item_label).check()
    page.locator("input[name=skin_problem_regions][value=left_foot]").check()


def test_areas_to_leave_out_found_on_the_device_with_an_older_kit_wait_for_the_connection_and_say_why(
    phone: Any, clinic: Clinic
) -> None:
    """(With a current kit the device puts today's steps together: test_offline_changed_session.py.)"""
    page = phone
    baby = _baby(clinic)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    _parent_ready(page, clinic, baby)
    _offline(page, True)
    page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
    assert page.evaluate(WITHOUT_NARROWING, baby.pk)
    page.get_by_label("Quiet alert").check()
    _skin_problem_on_the_left_foot(page, "Broken, weeping, rashy, chapped or bruised skin, or a new lump")
    page.get_by_role("button", name="Check, then start").click()
    panel = page.locator("#kwo-check.panel-caution")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading")).to_have_text("Today's session waits for the connection")
    expect(panel).to_contain_text("Today's check found areas to leave out: left foot.")
    expect(panel).to_contain_text("do today's check again")
    expect(panel).to_contain_text(default_library().rules["skin_problems"].text_parent.strip()[:40])
    expect(page.get_by_role("button", name="Start the session")).to_have_count(0)
    expect(_waiting(page)).to_have_text("Waiting to be sent: 1")  # the check is kept and sent
    shot(page, "offline-check-areas-390")
    _offline(page, False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(_waiting(page)).to_have_text("All sent.", timeout=20_000)
    latest = ReadinessCheck.objects.filter(client=baby).order_by("-created_at", "-id").first()
    assert latest is not None
    assert latest.action == "avoid-areas"
    assert not Session.objects.filter(client=baby).exists()


def text(language: str, collection: str, item_id: str, path: str) -> str:
    entry = catalogue(language).entry("library", collection, item_id, path)
    assert entry is not None
    return entry.text


@pytest.mark.parametrize(("language", "locale"), [("es", "es-ES"), ("ar", "ar-EG")])
def test_on_a_spanish_or_arabic_page_the_device_shows_the_reasons_in_its_language(
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
        assert page.evaluate(WITHOUT_NARROWING, baby.pk)  # the waiting panel's words, in the language
        page.get_by_label(text(language, "states", "quiet_alert", "label")).check()
        _skin_problem_on_the_left_foot(page, text(language, "questions", "skin_problem_today", "item_label"))
        page.locator("form.questions button[value=start]").click()
        panel = page.locator("#kwo-check.panel-caution")
        expect(panel).to_be_visible()
        # The reason in the page's language, from the bundle, with the English original beside it.
        expect(panel).to_contain_text(text(language, "rules", "skin_problems", "text_parent").strip()[:30])
        original = panel.locator("small.original-text bdi[lang=en]").first
        expect(original).to_contain_text(default_library().rules["skin_problems"].text_parent.strip()[:30])
        expect(panel).to_contain_text(text(language, "regions", "left_foot", "label").lower())
        expect(panel).not_to_contain_text("Today's check found")  # the page's own words are translated
        shot(page, f"offline-check-areas-{language}-390")
    finally:
        context.close()


def test_the_page_says_why_for_a_change_too(phone: Any, clinic: Clinic) -> None:
    """A change (modify) found on the device with an older kit: the session waits too, with the reason and
    what to do."""
    page = phone
    baby = _baby(clinic)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    _parent_ready(page, clinic, baby)
    _offline(page, True)
    page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
    assert page.evaluate(WITHOUT_NARROWING, baby.pk)
    page.get_by_label("Quiet alert").check()
    page.get_by_label(re.compile("Dry eczema")).check()
    page.get_by_role("button", name="Check, then start").click()
    panel = page.locator("#kwo-check.panel-caution")
    expect(panel).to_contain_text("Today's check found something that changes today's session")
    expect(panel).to_contain_text("do today's check again")
    expect(page.get_by_role("button", name="Start the session")).to_have_count(0)
