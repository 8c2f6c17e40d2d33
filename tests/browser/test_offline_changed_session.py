"""A session started on the device after a check that found an area to leave out (issue 14), in real
Chromium at 390 px: offline, today's check finds broken skin on the left foot; the panel lists today's
steps with the left foot left out and offers the session; the session plays on the device without the
left foot, is completed, and back online syncs once, with the server's steps for that check and no
conflict. Screenshots: test-artifacts/offline-changed-check-390.png, offline-changed-player-390.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session, StepLog
from kneadwell.care.selectors.sessions import todays_session_steps
from kneadwell.library.models import ReadinessCheck
from kneadwell.offline.models import SyncRecord
from kwtest.browser import shot
from kwtest.people import Clinic
from kwtest.screening import passing_check

from .test_offline import _offline, _waiting
from .test_offline_liefi import _baby, _parent_ready, _skin_problem_on_the_left_foot

pytestmark = pytest.mark.django_db(transaction=True)


def test_offline_a_left_foot_to_leave_out_starts_a_session_without_it_and_syncs_once(
    phone: Any, clinic: Clinic
) -> None:
    page = phone
    baby = _baby(clinic)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    _parent_ready(page, clinic, baby)
    _offline(page, True)
    page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
    page.get_by_label("Quiet alert").check()
    _skin_problem_on_the_left_foot(page, "Broken, weeping, rashy, chapped or bruised skin, or a new lump")
    page.get_by_role("button", name="Check, then start").click()
    panel = page.locator("#kwo-check.panel-caution")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading")).to_contain_text("Today's steps, changed by today's check")
    expect(panel).to_contain_text("Left out today: left foot.")
    expect(panel).to_contain_text("leave out: left foot")
    expect(panel).to_contain_text("We leave out the areas with broken")  # the reason, from the bundle
    expect(panel).to_contain_text("This check is kept on this device")
    total = panel.locator("ol li").count()
    assert total >= 5
    shot(page, "offline-changed-check-390")
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text(f"Step 1 of {total}")).to_be_visible()
    shown_foot = False
    for number in range(1, total + 1):
        expect(page.get_by_text(f"Step {number} of {total}")).to_be_visible()
        text = page.locator("body").inner_text()
        # "left foot" is named only as left out, never as where to massage.
        for line in text.splitlines():
            if "left foot" in line:
                assert "leave out:" in line, line
        if "leave out: left foot" in text and not shown_foot:
            shown_foot = True
            shot(page, "offline-changed-player-390")
        page.get_by_role("button", name="Done — next step").click()
    assert shown_foot, "a step says the left foot is left out"
    expect(page.get_by_text("All steps done")).to_be_visible()
    page.get_by_role("button", name="Finish the session").click()
    expect(page.get_by_role("heading", name="Session complete")).to_be_visible()
    expect(_waiting(page)).to_have_text(re.compile(r"Waiting to be sent: \d+"))
    assert not SyncRecord.objects.exists()

    _offline(page, False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(_waiting(page)).to_have_text("All sent.", timeout=20_000)
    expect(page.locator("#kw-offline [data-line=conflicts]")).to_be_hidden()
    records = SyncRecord.objects.filter(client=baby)
    assert records.count() == total + 3  # the check, the start, every step, the end
    assert not any(r.open_conflict for r in records)
    session = Session.objects.get(client=baby)
    assert session.status == Session.Status.COMPLETED
    assert StepLog.objects.filter(session=session).count() == total
    assert not any("left_foot" in s["regions"] for s in session.steps)
    check = session.readiness_check
    assert check is not None
    assert check.action == ReadinessCheck.Action.AVOID_AREAS
    server = todays_session_steps(client=baby, check=check, plan=None, verdict=check.verdict, trained=False)
    assert session.steps == server.steps  # exactly the server's steps for that check
    page.evaluate("KneadwellOffline.sync()")  # a second sync stores nothing twice
    page.wait_for_timeout(500)
    assert SyncRecord.objects.filter(client=baby).count() == total + 3
