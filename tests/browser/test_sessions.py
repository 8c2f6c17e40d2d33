"""Whole guided sessions in real Chromium: a parent at home on a phone, a NICU nurse whose session a low
heart rate stops, a therapist who signs and amends a SOAP note."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Note, Observation, Session
from kwtest.browser import answer_all, log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import clear_form, passing_check

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_runs_the_full_infant_routine_on_a_phone(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=75,
        weeks=39,
        days=2,
        given_name="Ivy",
    )
    page = phone
    log_in(page, clinic.user(Role.CAREGIVER).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/intake/")
    answer_all(page, clear_form("infant", "intake"))
    page.get_by_role("button", name="Save the health history").click()
    # A parent goes straight on to today's check for the baby's first programme; this test wants another.
    page.get_by_role("link", name="Choose another programme").click()
    page.get_by_role("link", name=re.compile("Baby massage at home")).click()
    answer_all(page, clear_form("infant", "today"))
    # Nothing found: a parent's "Check, then start" opens the first step at once.
    page.get_by_role("button", name="Check, then start").click()

    expect(page.locator("#step-h")).to_be_visible()
    shot(page, "player-infant-step-phone")
    session = Session.objects.get(client=baby)
    total = len(session.steps)
    assert total > 10
    for i in range(total):
        # Each tap swaps the player in place: wait for this step before touching anything on it.
        expect(page.get_by_text(f"Step {i + 1} of {total}")).to_be_visible()
        if i == 2:
            page.get_by_text("Enjoying it", exact=True).click()
            page.get_by_role("button", name="Smiling").click()
            expect(page.locator("#obs-h")).to_be_visible()
            expect(page.locator("#obs-h + ul")).to_contain_text("Smiling")
        if i == 5:
            page.get_by_text("Saying \u201cnot so much\u201d").click()
            page.get_by_role("button", name="Yawning").click()
            expect(page.locator(".controls .advice")).to_be_visible()
            shot(page, "player-infant-advice-phone")
        expect(page.get_by_text(f"Step {i + 1} of {total}")).to_be_visible()
        page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_role("heading", name="All steps done")).to_be_visible()
    page.get_by_role("button", name="Finish the session").click()
    expect(page.get_by_role("heading", name="Session complete")).to_be_visible()
    page.get_by_role("link", name="Add to the diary").click()
    page.get_by_label("How did your baby respond?").fill("Relaxed and smiley; fed well afterwards.")
    page.get_by_label("Slept longer than usual").check()
    page.get_by_label("Yes").check()
    shot(page, "diary-phone")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Note signed and locked.")).to_be_visible()

    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED
    assert session.step_logs.count() == total
    assert set(Observation.objects.filter(session=session).values_list("code", flat=True)) == {
        "smiling",
        "yawning",
    }
    note = Note.objects.get(session=session)
    assert (note.kind, note.sleep_after, note.stools) == ("diary", "longer", "yes")
    assert note.locked


def test_a_low_heart_rate_stops_a_nurses_tks_session_with_the_reason(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    nurse = clinic.actor(Role.THERAPIST)
    baby = make_client(nurse, born_days_ago=40, weeks=30, days=2, given_name="Maya")
    check = passing_check(nurse, baby, "preterm_tks_10d", "preterm_infant")
    page = phone
    log_in(page, nurse.user.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/checks/{check.pk}/")
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_role("heading", name=re.compile("Long stroking|stroking", re.I))).to_be_visible()
    expect(page.locator(".timer .clock").first).to_have_text(re.compile(r"^[45]:\d\d$"))
    before = page.locator("form.vitals").first
    before.get_by_label("Heart rate (bpm)").fill("152")
    before.get_by_label("SpO₂ (%)").fill("97")
    before.get_by_role("button", name="Record").click()
    expect(page.locator("#obs-h")).to_be_visible()
    expect(page.get_by_text("Vital signs before you start")).to_have_count(0)
    page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    during = page.locator("form.vitals").last
    during.get_by_label("Heart rate (bpm)").fill("88")
    during.get_by_role("button", name="Record").click()

    panel = page.get_by_role("alert").filter(has_text="Session stopped")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("88")
    expect(panel).to_contain_text("What to do now")
    expect(page.get_by_role("button", name="Done — next step")).to_have_count(0)
    shot(page, "player-tks-bradycardia-stop-phone")
    session = Session.objects.get(client=baby)
    assert session.status == Session.Status.STOPPED
    assert session.stop_check == "bradycardia"

    page.reload()
    expect(page.get_by_role("alert").filter(has_text="Session stopped")).to_be_visible()


def test_impossible_vitals_get_a_clear_message_and_the_session_carries_on(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    nurse = clinic.actor(Role.THERAPIST)
    baby = make_client(nurse, born_days_ago=40, weeks=30, days=2, given_name="Ada")
    check = passing_check(nurse, baby, "preterm_tks_10d", "preterm_infant")
    page = phone
    log_in(page, nurse.user.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/checks/{check.pk}/")
    page.get_by_role("button", name="Start the session").click()
    form = page.locator("form.vitals").first
    form.get_by_label("Heart rate (bpm)").fill("400")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert").filter(has_text="400 bpm is not a possible reading")).to_be_visible()
    session = Session.objects.get(client=baby)
    assert session.status == Session.Status.IN_PROGRESS
    assert not session.observations.exists()


def test_a_therapist_signs_a_soap_note_and_amends_it(desktop, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    from kneadwell.care import services
    from kneadwell.library.services import intake_save
    from kwtest.screening import clear_answers

    therapist = clinic.actor(Role.THERAPIST)
    client = make_client(
        therapist,
        born_days_ago=365 * 40,
        weeks=None,
        days=None,
        given_name="Ravi",
        conditions=["post_operative"],
    )
    # The routine works on the focus areas: without one it would hold the check-in alone (refused).
    intake_save(
        actor=therapist,
        client=client,
        population="rehab",
        answers=clear_answers("rehab", "intake", focus_regions=["left_ankle"]),
        expected_version=None,
    )
    check = passing_check(therapist, client, "rehab_injury_postop", "rehab")
    session = services.session_start(actor=therapist, client=client, check=check)
    services.session_stop(actor=therapist, session=session, reason="Planned short session")

    page = desktop
    log_in(page, therapist.user.email, PASSWORD)
    page.goto(f"/sessions/{session.pk}/note/")
    page.get_by_label("S — what the client or parent reports").fill("Ankle stiff in the mornings.")
    page.get_by_label("O — what you observed and measured").fill("Dorsiflexion 8°, scar mobile.")
    page.get_by_label("A — your assessment").fill("Improving; adhesions at the scar.")
    page.get_by_label("P — plan and home advice").fill("Calf stretches twice a day.")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text(re.compile("Signed by .* and locked"))).to_be_visible()
    page.get_by_role("textbox", name="Amendment").fill("Dorsiflexion was 10°, not 8°.")
    page.get_by_label("Why is it amended?").fill("Misread the goniometer")
    page.get_by_role("button", name="Add amendment").click()
    expect(page.get_by_text("Dorsiflexion was 10°, not 8°.")).to_be_visible()
    expect(page.get_by_text("Dorsiflexion 8°, scar mobile.")).to_be_visible()
    shot(page, "soap-signed-amended-desktop")
    note = Note.objects.get(session=session)
    assert note.objective == "Dorsiflexion 8°, scar mobile."
    assert note.amendments.count() == 1
