"""Progress reports in real Chromium: a nurse opens the clinician report from the client page's card on a
phone and downloads the PDF; a parent gets only the parent version; both versions are photographed at
phone and desktop width and as printed (test-artifacts/reports-*.png, and the browser's own print to PDF
as reports-*-printed.pdf), for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kwtest.browser import ARTIFACTS, log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

from ..reports.programme import make_programme  # type: ignore[misc]  # as tests/browser/test_interop.py

pytestmark = pytest.mark.django_db(transaction=True)
# What sticks out past a 390 px screen, to name it when the page is too wide.
WIDER_THAN_THE_PHONE = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > 392).slice(0, 8)
  .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40))"""


def zoe(clinic: Clinic):  # type: ignore[no-untyped-def]
    client = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        given_name="Zoë",
        family_name="Ødegård",
        born_days_ago=45,
        weeks=30,
        days=2,
    )
    return make_programme(clinic, client, sessions=9, weights=14)


def test_a_nurse_opens_the_clinician_report_and_downloads_the_pdf(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    programme = zoe(clinic)
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{programme.client.pk}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Progress reports"))
    expect(card).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "reports-1-client-card-phone")
    card.get_by_label("For the referring clinician").check()
    card.get_by_role("button", name="Open the report").click()

    expect(page.get_by_role("heading", name="Progress report: Zoë Ødegård")).to_be_visible()
    expect(page.get_by_role("heading", name="Adverse events")).to_be_visible()
    expect(page.get_by_text("Exponential model (Patel)").first).to_be_visible()
    assert page.locator("figure.report-chart svg").count() == 4
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "reports-2-clinician-phone")
    wide = page.evaluate(WIDER_THAN_THE_PHONE)
    assert width <= 390, f"the report is {width}px wide on a 390px phone: {wide}"

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.endswith("-clinician-" + download.suggested_filename[-12:])
    saved = ARTIFACTS / "reports-clinician-download.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    page.emulate_media(media="print")
    shot(page, "reports-3-clinician-print-phone")


def test_a_parent_gets_the_parent_version_only(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    programme = zoe(clinic)
    page = phone
    log_in(page, clinic.user(Role.CAREGIVER).email, PASSWORD)
    page.goto(f"/clients/{programme.client.pk}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Progress reports"))
    expect(card.get_by_label("For the referring clinician")).to_have_count(0)
    card.get_by_role("button", name="Open the report").click()
    expect(page.get_by_role("heading", name="What was done")).to_be_visible()
    expect(page.get_by_role("heading", name="When to stop, and when to call for help")).to_be_visible()
    expect(page.get_by_role("link", name="Clinician version")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (
        f"the report is {width}px wide on a 390px phone: {page.evaluate(WIDER_THAN_THE_PHONE)}"
    )
    shot(page, "reports-4-parent-phone")
    page.goto(f"/clients/{programme.client.pk}/report/?version=clinician")
    expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()


@pytest.mark.parametrize(
    ("language", "heading", "direction"),
    [("es", "Cuándo parar y cuándo pedir ayuda", "ltr"), ("ar", "متى تتوقف، ومتى تطلب المساعدة", "rtl")],
)
def test_a_parent_reads_the_report_in_their_language(  # type: ignore[no-untyped-def]
    phone, clinic: Clinic, language: str, heading: str, direction: str
) -> None:
    """The parent's report in Spanish and Arabic on a phone (docs/reports.md, "Languages"): the account's
    language, the report's own words, Arabic right to left, nothing wider than the screen."""
    programme = zoe(clinic)
    parent = clinic.user(Role.CAREGIVER)
    parent.language = language
    parent.save(update_fields=["language"])
    page = phone
    log_in(page, parent.email, PASSWORD)
    page.goto(f"/clients/{programme.client.pk}/report/")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert page.locator("article.report").get_attribute("dir") == direction
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (
        f"the report is {width}px wide on a 390px phone: {page.evaluate(WIDER_THAN_THE_PHONE)}"
    )
    shot(page, f"reports-6-parent-{language}-phone")
    page.get_by_role("heading", name=heading).scroll_into_view_if_needed()
    shot(page, f"reports-7-parent-{language}-stop-phone")


def test_both_versions_at_desktop_width_and_printed(desktop, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    programme = zoe(clinic)
    page = desktop
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    for version in ("clinician", "parent"):
        page.goto(f"/clients/{programme.client.pk}/report/?version={version}")
        expect(page.get_by_role("heading", name="Progress report: Zoë Ødegård")).to_be_visible()
        shot(page, f"reports-5-{version}-desktop")
        page.emulate_media(media="print")
        printed = Path(ARTIFACTS) / f"reports-{version}-printed.pdf"
        page.pdf(path=str(printed), format="A4", print_background=True)
        assert printed.read_bytes().startswith(b"%PDF-")
        page.emulate_media(media="screen")
