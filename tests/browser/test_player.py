"""The guided player on a phone (390×844) in real Chromium: every step counts down, the whole session has
a clock, auto-advance (off by default) moves on through the server when the time is up and a tap holds
it, a pause from a cue comes to where the parent is, Stop is always on the screen, and the navigation
fits 360 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session, StepLog
from kwtest.browser import ARTIFACTS, log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db(transaction=True)

# Counts the buzzes the page asks for (Chromium headless has no vibration motor).
RECORD_VIBRATE = (
    "window.__buzzes = []; navigator.vibrate = function (p) { window.__buzzes.push(p); return true; };"
)


def _first_week_session(phone, clinic: Clinic):  # type: ignore[no-untyped-def]
    """A parent logged in on the phone with a first-week session started from today's check."""
    parent = clinic.user(Role.CAREGIVER)
    baby = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=parent,
        born_days_ago=50,
        weeks=39,
        days=0,
        given_name="Ivy",
    )
    check = passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    phone.add_init_script(RECORD_VIBRATE)
    phone.goto("/accounts/login/", timeout=30_000)  # a cold browser on a busy machine can be slow
    log_in(phone, parent.email, PASSWORD)
    phone.goto(f"/clients/{baby.pk}/checks/{check.pk}/")
    phone.get_by_role("button", name="Start the session").click()
    expect(phone.get_by_text("Step 1 of 10")).to_be_visible()
    return Session.objects.get(client=baby)


def _time_nearly_up(session: Session, seconds_left: float) -> None:
    """Move the current step's start back so that `seconds_left` remain (the server's clock decides)."""
    session.refresh_from_db()
    step = session.steps[session.current_step]
    gone = dt.timedelta(seconds=step["minutes"] * 60 - seconds_left)
    session.step_started_at = dt.datetime.now(dt.UTC) - gone
    session.save(update_fields=["step_started_at"])


def _clock(page, selector: str) -> int:  # type: ignore[no-untyped-def]
    minutes, seconds = page.locator(selector).first.inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_steps_count_down_the_session_has_a_clock_and_auto_advance_is_off(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    session = _first_week_session(page, clinic)
    step_clock = "[data-step-timer] .clock"
    expect(page.locator(step_clock)).to_have_text(re.compile(r"^0:(29|30)$"))  # asking permission: 30 s
    expect(page.locator(".session-clock")).to_contain_text("of about 6:30")
    first = _clock(page, step_clock)
    page.wait_for_timeout(2200)
    assert _clock(page, step_clock) <= first - 2  # it runs
    assert _clock(page, ".elapsed .clock") >= 2  # and so does the whole-session clock
    box = page.get_by_label("Move on by itself when the time is up")
    expect(box).not_to_be_checked()
    shot(page, "player-timer-phone")
    for name, size in (("360", {"width": 360, "height": 740}), ("desktop", {"width": 1280, "height": 900})):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"player-timer-{name}.png"))  # the screen as seen
    page.set_viewport_size({"width": 390, "height": 844})

    # Off by default: when the time is up the step waits for the parent's tap.
    _time_nearly_up(session, 1)
    page.reload()
    page.wait_for_timeout(3500)
    expect(page.get_by_text("Step 1 of 10")).to_be_visible()
    expect(page.locator("[data-step-timer]")).to_have_class(re.compile("overdue"))
    assert page.evaluate("window.__buzzes.length") == 0
    session.refresh_from_db()
    assert session.current_step == 0


def test_auto_advance_moves_on_through_the_server_and_a_tap_holds_it(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    session = _first_week_session(page, clinic)
    # The first step lasts 30 s: on a loaded machine the start can take that long, and a step whose time
    # was already up when the page came counts nothing down. Give it a fresh clock.
    _time_nearly_up(session, 25)
    page.reload()
    page.get_by_label("Move on by itself when the time is up").check()
    timer = page.locator("[data-step-timer]").get_attribute("data-seconds")
    expect(page.locator("[data-auto-status]"), f"step timer at {timer} s").to_contain_text(
        "Moves on by itself in"
    )

    _time_nearly_up(session, 2)
    page.reload()  # the choice is kept on this device
    expect(page.get_by_label("Move on by itself when the time is up")).to_be_checked()
    expect(page.get_by_text("Step 2 of 10")).to_be_visible(timeout=8000)
    assert page.evaluate("window.__buzzes.length") >= 1
    log = StepLog.objects.get(session=session, index=0)  # the server recorded it, as a tap would
    assert log.outcome == "done"
    shot(page, "player-auto-advanced-phone")

    # A tap on the page holds this step; the time runs out and nothing moves.
    _time_nearly_up(session, 2)
    page.reload()
    page.locator("#step-h").click()
    expect(page.locator("[data-auto-status]")).to_contain_text("Held on this step")
    page.wait_for_timeout(4000)
    expect(page.get_by_text("Step 2 of 10")).to_be_visible()
    session.refresh_from_db()
    assert session.current_step == 1
    shot(page, "player-auto-held-phone")
    # A second tap lets it carry on.
    page.locator("#step-h").click()
    expect(page.get_by_text("Step 3 of 10")).to_be_visible(timeout=8000)
    session.refresh_from_db()
    assert session.current_step == 2


def test_a_pause_comes_to_the_parent_and_stop_is_always_on_screen(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    session = _first_week_session(page, clinic)
    stop = page.locator(".controls").get_by_role("link", name="Stop", exact=True)
    page.screenshot(path=str(ARTIFACTS / "player-start-phone.png"))
    expect(stop).to_be_in_viewport()
    # Scrolled down to the cue buttons: Stop is still on the screen.
    # The first group of cues is open.
    page.get_by_role("button", name="Arching the back").scroll_into_view_if_needed()
    page.mouse.wheel(0, 2000)
    expect(stop).to_be_in_viewport()
    shot(page, "player-scrolled-stop-visible-phone")

    page.get_by_role("button", name="Arching the back").click()
    panel = page.get_by_role("alert").filter(has_text="Paused")
    expect(panel).to_be_visible()
    expect(panel).to_be_in_viewport(ratio=0.9)
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("What to do")
    expect(panel.get_by_role("button", name="Resume")).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "player-paused-in-view-phone.png"))  # what the parent sees
    session.refresh_from_db()
    assert session.status == Session.Status.PAUSED

    # Stop from the paused panel: the stop panel opens over the page with the focus in it.
    panel.get_by_role("link", name="Stop the session").click()
    stop_panel = page.get_by_role("dialog", name="Stop the session")
    expect(stop_panel).to_be_in_viewport()
    expect(stop_panel).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "player-stop-panel-phone.png"))
    stop_panel.get_by_label("My baby had enough").check()
    stop_panel.get_by_role("button", name="Stop now").click()
    stopped = page.get_by_role("alert").filter(has_text="Session stopped")
    expect(stopped).to_be_in_viewport()
    expect(stopped).to_be_focused()
    session.refresh_from_db()
    assert (session.status, session.stop_reason) == (Session.Status.STOPPED, "My baby had enough")


def test_a_manual_stop_takes_two_taps_and_a_reason(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    session = _first_week_session(page, clinic)
    page.locator(".controls").get_by_role("link", name="Stop", exact=True).click()
    dialog = page.get_by_role("dialog", name="Stop the session")
    expect(dialog).to_be_in_viewport()
    dialog.get_by_role("button", name="Carry on").click()
    expect(dialog).to_be_hidden()
    page.locator(".controls").get_by_role("link", name="Stop", exact=True).click()
    dialog.get_by_label("Or say why").fill("Doorbell")
    dialog.get_by_role("button", name="Stop now").click()
    expect(page.get_by_role("alert").filter(has_text="Session stopped")).to_be_visible()
    session.refresh_from_db()
    assert session.stop_reason == "Doorbell"


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.ADMIN, Role.THERAPIST])
def test_the_navigation_fits_a_360_px_screen(browser, live_server, clinic: Clinic, role: Role) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, base_url=live_server.url, locale="en-GB"
    )
    page = context.new_page()
    try:
        log_in(page, clinic.user(role).email, PASSWORD)
        for path in ("/", f"/clients/{clinic.client.pk}/", "/library/"):
            page.goto(path)
            widths = page.evaluate(
                "() => ({page: document.documentElement.scrollWidth,"
                " nav: document.querySelector('nav.main').scrollWidth,"
                " navBox: document.querySelector('nav.main').clientWidth})"
            )
            assert widths["page"] <= 360, (path, widths)
            assert widths["nav"] <= widths["navBox"], (path, widths)  # nothing hidden off the edge
            for link in page.locator("nav.main a").all():
                box = link.bounding_box()
                assert box is not None
                assert box["x"] >= 0, path
                assert box["x"] + box["width"] <= 360, path
                assert box["height"] >= 44
        page.screenshot(path=str(ARTIFACTS / f"nav-360-{role.value}.png"))  # the top of the page
    finally:
        context.close()
