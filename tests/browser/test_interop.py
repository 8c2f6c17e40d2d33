"""Import and export in real Chromium at phone size: a therapist imports a baby from a FHIR Bundle
(upload, preview, create) and sees the consent warning; the client page's Export card; an administrator
uses the CSV page. Screenshots go to test-artifacts/ to be looked at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic

from ..interop import bundles

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_therapist_imports_a_baby_from_a_fhir_bundle(phone, clinic: Clinic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = phone
    good = tmp_path / "tobi.json"
    good.write_text(bundles.text(bundles.bundle()))
    bad = tmp_path / "bad.json"
    bad.write_text(
        bundles.text(
            bundles.bundle([bundles.patient(gender="unknown"), bundles.observation("8867-4", 150, "/min")])
        )
    )
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)

    page.goto("/data/")
    expect(page.get_by_role("heading", name="Import and export")).to_be_visible()
    shot(page, "interop-1-index-phone")

    page.get_by_role("link", name="Import a FHIR Bundle").click()
    page.get_by_label("FHIR Bundle (JSON file)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert").filter(has_text="cannot be imported")).to_be_visible()
    shot(page, "interop-2-import-refused-phone")

    page.get_by_label("FHIR Bundle (JSON file)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
    expect(page.get_by_text("1850 g", exact=True)).to_be_visible()
    shot(page, "interop-3-preview-phone")

    page.get_by_role("button", name="Create the client").click()
    expect(page.get_by_role("heading", name="Tobi Adeyemi")).to_be_visible()
    expect(page.get_by_text(re.compile("no consent recorded here yet"))).to_be_visible()
    expect(page.get_by_role("link", name="Download FHIR record (JSON)")).to_be_visible()
    shot(page, "interop-4-imported-client-phone")
    assert Client.objects.get(family_name="Adeyemi").measurements.count() == 4

    with page.expect_download() as info:
        page.get_by_role("link", name="Download FHIR record (JSON)").click()
    assert info.value.suggested_filename.endswith(".fhir.json")


def test_an_administrator_uses_the_csv_page(phone, clinic: Clinic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = phone
    bad = tmp_path / "clients.csv"
    bad.write_text(
        "client_ref,given_name,family_name,birth_date,sex\n1,Ann,Lee,2025-13-40,female\n2,Bo,,2025-01-01,male\n"
    )
    log_in(page, clinic.user(Role.ADMIN).email, PASSWORD)
    page.goto("/data/csv/")
    expect(page.get_by_role("link", name="Clients (CSV)")).to_be_visible()
    expect(page.get_by_role("link", name="Sessions (CSV)")).to_be_visible()
    expect(page.get_by_label("Sessions file (sessions.csv), optional")).to_be_visible()
    shot(page, "interop-5-csv-phone")
    page.get_by_label("Clients file (clients.csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    shot(page, "interop-6-csv-problems-phone")
