"""The offline web app in real Chromium at 390 px (docs/offline.md): a parent visits once online, the network
drops mid-session (`context.set_offline(True)`), the session is finished and the diary written with no
network, the page says it is offline and how many records wait; back online, every record reaches the
server exactly once. A check run on the device while the record changed on the server comes back as a
conflict, shown to the parent. Screenshots are looked at (test-artifacts/offline-*.png)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care.models import Note, Observation, Session, StepLog
from kneadwell.library.models import Intake, ReadinessCheck
from kneadwell.library.services import intake_save
from kneadwell.offline.models import SyncRecord
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client
from kwtest.screening import clear_answers, passing_check

pytestmark = pytest.mark.django_db(transaction=True)


def _baby(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=50,
        weeks=39,
        days=0,
        given_name="Ivy",
    )


def _offline(page: Any, offline: bool) -> None:
    """The network off (or on) for the page and for its service worker: Playwright's offline emulation
    does not reach a service worker's own fetches, so those are failed as a lost network would."""
    context = page.context
    if offline:
        context.set_offline(True)
        context.route("**/*", _no_network_for_the_worker)
    else:
        context.unroute("**/*", _no_network_for_the_worker)
        context.set_offline(False)


def _no_network_for_the_worker(route: Any) -> None:
    if route.request.service_worker is not None:
        route.abort("internetdisconnected")
    else:
        route.continue_()


KEPT = """(id) => new Promise((resolve) => {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return resolve(false);
    if (!window.KneadwellOffline || !KneadwellOffline.warmed) return resolve(false);
    const open = indexedDB.open("kneadwell-offline", 1);
    open.onsuccess = () => {
      const all = open.result.transaction("kits").objectStore("kits").getAll();
      all.onsuccess = () => resolve(
        all.result.some((k) => k.client_id === id && k.kit && k.bundle && k.pages_kept)
      );
    };
    open.onerror = () => resolve(false);
})"""


KITS = """() => new Promise((resolve) => {
    const open = indexedDB.open("kneadwell-offline", 1);
    open.onsuccess = () => {
      const all = open.result.transaction("kits").objectStore("kits").count();
      all.onsuccess = () => resolve(all.result);
    };
})"""


def _ready_for_offline(page: Any, client_id: int) -> None:
    """The service worker controls the page and the device holds the child's kit, rules bundle and pages.
    (Polled with evaluate: the site's Content-Security-Policy forbids the eval wait_for_function uses.)"""
    # Up to 60 s: on a loaded 2-core machine (PostgreSQL in CI, 6 December 2026) 20 s was once too short.
    for _ in range(300):
        if page.evaluate(KEPT, client_id):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the device did not keep what it needs for offline use")


def _waiting(page: Any) -> Any:
    return page.locator("#kw-offline [data-line=waiting]")


def test_a_session_and_its_diary_finished_offline_reach_the_server_once(phone: Any, clinic: Clinic) -> None:
    page = phone
    baby = _baby(clinic)
    parent = clinic.user(Role.CAREGIVER)
    check = passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    page.goto("/accounts/login/", timeout=30_000)
    log_in(page, parent.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/checks/{check.pk}/")
    # (The test waits for the device to have kept what it needs: the test database, SQLite in memory, has
    # table locks that a second request at the same moment can run into.)
    _ready_for_offline(page, baby.pk)
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text("Step 1 of 10")).to_be_visible()
    page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_text("Step 2 of 10")).to_be_visible()
    session = Session.objects.get(client=baby)
    assert StepLog.objects.filter(session=session).count() == 1

    # The network drops mid-session: the session goes on, on the device.
    _offline(page, True)
    page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_text("Step 3 of 10")).to_be_visible()
    expect(page.locator("#kw-offline [data-line=offline]")).to_be_visible()
    expect(_waiting(page)).to_have_text("Waiting to be sent: 1")
    shot(page, "offline-banner-player-390")
    page.locator("summary", has_text="Enjoying it").click()
    page.get_by_role("button", name="Smiling").click()
    for number in range(3, 11):
        expect(page.get_by_text(f"Step {number} of 10")).to_be_visible()
        page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_text("All steps done")).to_be_visible()
    page.get_by_role("button", name="Finish the session").click()
    expect(page.get_by_role("heading", name="Session complete")).to_be_visible()
    expect(_waiting(page)).to_have_text("Waiting to be sent: 11")  # 9 steps, a cue, the end
    # The diary, on a page this device never opened online: the service worker shows the offline page.
    page.get_by_role("link", name="Add to the diary").click()
    expect(page.get_by_role("heading", name="Diary")).to_be_visible()
    page.get_by_label("How did your baby respond?").fill("Ivy smiled at the toe roll, then slept.")
    page.get_by_label("Slept longer than usual").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved on this device")).to_be_visible()
    expect(_waiting(page)).to_have_text("Waiting to be sent: 12")
    shot(page, "offline-diary-waiting-390")
    # Nothing reached the server while offline.
    assert StepLog.objects.filter(session=session).count() == 1
    assert not SyncRecord.objects.exists()

    # Back online: everything is sent, in order, once.
    _offline(page, False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(_waiting(page)).to_have_text("All sent.", timeout=20_000)
    shot(page, "offline-all-sent-390")
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED
    assert StepLog.objects.filter(session=session).count() == 10
    assert sorted(StepLog.objects.filter(session=session).values_list("index", flat=True)) == list(range(10))
    assert Observation.objects.filter(session=session, code="smiling").count() == 1
    note = Note.objects.get(session=session)
    assert note.response == "Ivy smiled at the toe roll, then slept."
    assert note.sleep_after == "longer"
    assert SyncRecord.objects.filter(client=baby).count() == 12
    assert AuditEvent.objects.filter(entity="sync_record", client_id=baby.pk).count() == 12
    # Sending again (a reload, a second tab) stores nothing twice.
    page.reload()
    page.evaluate("KneadwellOffline.sync()")
    page.wait_for_timeout(500)
    assert StepLog.objects.filter(session=session).count() == 10
    assert SyncRecord.objects.filter(client=baby).count() == 12


def test_a_check_and_session_run_offline_come_back_with_the_servers_stop_shown(
    phone: Any, clinic: Clinic
) -> None:
    """Today's check and a whole session on the device; meanwhile a nurse recorded on the server that the
    baby is now under medical care, so on sync the server, on the record as it is, says a clinician must
    release massage first (a block, like a stop): the session is kept and flagged, and the parent is
    shown what happened and what to do."""
    page = phone
    baby = _baby(clinic)
    parent = clinic.user(Role.CAREGIVER)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    assert clear_answers("infant", "today")
    page.goto("/accounts/login/", timeout=30_000)
    log_in(page, parent.email, PASSWORD)
    page.goto("/")
    _ready_for_offline(page, baby.pk)

    _offline(page, True)
    page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
    page.get_by_label("Quiet alert").check()
    page.get_by_label("None of these").first.check()
    page.get_by_role("button", name="Check, then start").click()
    expect(page.get_by_text("Step 1 of 10")).to_be_visible()
    for _ in range(10):
        page.get_by_role("button", name="Done — next step").click()
    page.get_by_role("button", name="Finish the session").click()
    expect(page.get_by_role("heading", name="Session complete")).to_be_visible()
    expect(_waiting(page)).to_have_text("Waiting to be sent: 13")  # the check, the start, 10 steps, the end
    assert not ReadinessCheck.objects.filter(client=baby).exclude(protocol_id="iaim_first_week").exists()

    # Meanwhile, on the server, the nurse records that Ivy is now under medical care.
    intake = Intake.objects.get(client=baby)
    intake_save(
        actor=clinic.actor(Role.THERAPIST),
        client=baby,
        population="infant",
        answers=clear_answers("infant", "intake", under_medical_care="yes"),
        expected_version=intake.version,
    )
    _offline(page, False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    conflicts = page.locator("#kw-offline [data-line=conflicts]")
    expect(conflicts).to_contain_text("Needs your attention: 2", timeout=20_000)
    expect(_waiting(page)).to_have_text("All sent.")
    shot(page, "offline-conflict-banner-390")
    session = Session.objects.get(client=baby, readiness_check__isnull=False, started_at__gt=check_time(baby))
    assert session.status == Session.Status.COMPLETED
    assert SyncRecord.objects.filter(session=session, status="conflict").exists()
    conflicts.get_by_role("link", name="See what happened").click()
    expect(page.get_by_role("heading", name=re.compile("Screened again on the server"))).to_be_visible()
    expect(page.get_by_text("A clinician must release first").first).to_be_visible()
    shot(page, "offline-conflict-page-390")
    page.goto(f"/sessions/{session.pk}/")
    expect(page.get_by_text("the server read it more cautiously")).to_be_visible()


def check_time(baby: Any) -> Any:
    """When the check made online before the test's offline one was saved."""
    first = ReadinessCheck.objects.filter(client=baby).order_by("created_at").first()
    assert first is not None
    return first.created_at


def test_a_stop_found_by_the_check_on_the_device_is_shown_and_kept(phone: Any, clinic: Clinic) -> None:
    """Today's check run on the device with rules.js: a finding that stops massage is shown as the server
    shows it (full width, what to do), nothing starts, and the check reaches the server, which agrees."""
    page = phone
    baby = _baby(clinic)
    parent = clinic.user(Role.CAREGIVER)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    page.goto("/accounts/login/", timeout=30_000)
    log_in(page, parent.email, PASSWORD)
    page.goto("/")
    _ready_for_offline(page, baby.pk)
    _offline(page, True)
    page.goto(f"/clients/{baby.pk}/check/?protocol=iaim_first_week")
    page.get_by_label("Quiet alert").check()
    page.get_by_label(re.compile("Diarrhoea")).check()
    page.get_by_role("button", name="Check, then start").click()
    panel = page.locator("#kwo-check.panel-stop")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Not today")
    expect(panel).to_contain_text("diarrhoea")
    expect(panel).to_contain_text("What to do:")
    expect(page.get_by_role("button", name="Start the session")).to_have_count(0)
    expect(_waiting(page)).to_have_text("Waiting to be sent: 1")
    shot(page, "offline-check-stop-390")
    _offline(page, False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(_waiting(page)).to_have_text("All sent.", timeout=20_000)
    latest = ReadinessCheck.objects.filter(client=baby).order_by("-created_at", "-id").first()
    assert latest is not None
    assert latest.action == "stop"
    assert latest.answers["diarrhoea_today"] is True
    assert not Session.objects.filter(client=baby).exists()
    assert not SyncRecord.objects.filter(client=baby, status="conflict").exists()  # the server agrees


def test_logging_out_forgets_the_pages_and_kits_kept_on_the_device(phone: Any, clinic: Clinic) -> None:
    page = phone
    baby = _baby(clinic)
    parent = clinic.user(Role.CAREGIVER)
    passing_check(clinic.actor(Role.CAREGIVER), baby, "iaim_first_week", "infant")
    page.goto("/accounts/login/", timeout=30_000)
    log_in(page, parent.email, PASSWORD)
    page.goto("/")
    _ready_for_offline(page, baby.pk)
    kept = "caches.open('kw-pages').then((c) => c.keys()).then((keys) => keys.length)"
    assert page.evaluate(kept) >= 3
    assert page.evaluate(KITS) >= 1
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.evaluate(kept) == 0
    assert page.evaluate(KITS) == 0
