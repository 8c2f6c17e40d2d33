"""The pages: the Export card on the client page, the Bundle download, upload → preview → create (with the
consent warning), the CSV page's downloads and upload."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session
from kneadwell.clients.models import Client
from kneadwell.interop.views import SESSION_KEY
from kwtest.people import Clinic

from . import bundles
from .conftest import make_care_record

pytestmark = pytest.mark.django_db


def _upload(text: str, name: str = "bundle.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.THERAPIST, True), (Role.CAREGIVER, True), (Role.INSTRUCTOR, False)]
)
def test_the_client_page_shows_the_export_card_to_those_who_may_export(
    client: HttpClient, clinic: Clinic, role: Role, shown: bool
) -> None:
    assert clinic.client is not None
    client.force_login(clinic.user(role))
    page = client.get(reverse("clients:detail", args=[clinic.client.pk])).content.decode()
    assert (reverse("interop:fhir_export", args=[clinic.client.pk]) in page) is shown
    # Staff read "FHIR"; a parent reads "the record as a file" in their own words.
    assert ("Download FHIR record" in page) is (shown and role is not Role.CAREGIVER)


def test_the_download_is_a_fhir_json_attachment(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.get(reverse("interop:fhir_export", args=[clinic.client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "attachment" in response["Content-Disposition"]
    Bundle.model_validate(json.loads(response.content))


def test_upload_preview_and_create(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    preview = client.post(reverse("interop:fhir_import"), {"file": _upload(bundles.text(bundles.bundle()))})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Tobi Adeyemi" in body
    assert "1850 g" in body
    assert "no consent recorded" in body
    assert not Client.objects.filter(family_name="Adeyemi").exists()  # a preview saves nothing
    token = client.session[SESSION_KEY]["token"]
    done = client.post(reverse("interop:fhir_import_confirm"), {"token": token}, follow=True)
    created = Client.objects.get(family_name="Adeyemi")
    assert done.redirect_chain[-1][0] == reverse("clients:detail", args=[created.pk])
    page = done.content.decode()
    assert "was imported from the FHIR Bundle with 4 measurements" in page
    assert "no consent recorded here yet" in page
    # The same confirmation cannot create the client twice.
    again = client.post(reverse("interop:fhir_import_confirm"), {"token": token})
    assert again.status_code == 302
    assert Client.objects.filter(family_name="Adeyemi").count() == 1


def test_a_bad_bundle_shows_every_reason_and_saves_nothing(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    entries = [bundles.patient(gender="unknown"), bundles.observation("8867-4", 150, "/min")]
    response = client.post(
        reverse("interop:fhir_import"), {"file": _upload(bundles.text(bundles.bundle(entries)))}
    )
    body = response.content.decode()
    assert "cannot be imported" in body
    assert "male or female" in body
    assert "unknown code" in body
    assert SESSION_KEY not in client.session


def test_unusual_values_must_be_ticked_before_the_client_is_created(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    entries = [*bundles.good_entries(), bundles.observation("29463-7", 2000, "g", days_ago=2)]
    preview = client.post(
        reverse("interop:fhir_import"), {"file": _upload(bundles.text(bundles.bundle(entries)))}
    )
    assert "Possible, but unusual" in preview.content.decode()
    token = client.session[SESSION_KEY]["token"]
    refused = client.post(reverse("interop:fhir_import_confirm"), {"token": token})
    assert refused.status_code == 200
    assert "tick the box" in refused.content.decode()
    assert not Client.objects.filter(family_name="Adeyemi").exists()
    token = client.session[SESSION_KEY]["token"]
    client.post(reverse("interop:fhir_import_confirm"), {"token": token, "confirm_unusual": "on"})
    assert Client.objects.get(family_name="Adeyemi").measurements.filter(confirmed_unusual=True).exists()


def test_the_csv_page_downloads_and_imports(client: HttpClient, clinic: Clinic, outsider: Clinic) -> None:
    make_care_record(clinic)  # two finished sessions (and one still open, not exported)
    client.force_login(clinic.user(Role.ADMIN))
    clients_csv = client.get(reverse("interop:csv_clients"))
    measurements_csv = client.get(reverse("interop:csv_measurements"))
    sessions_csv = client.get(reverse("interop:csv_sessions"))
    assert clients_csv["Content-Type"].startswith("text/csv")
    assert clients_csv.content.decode().startswith("client_ref,given_name")
    assert sessions_csv.content.decode().startswith("client_ref,protocol,population,status")
    client.force_login(outsider.user(Role.ADMIN))
    response = client.post(
        reverse("interop:csv"),
        {
            "clients": SimpleUploadedFile("c.csv", clients_csv.content),
            "measurements": SimpleUploadedFile("m.csv", measurements_csv.content),
            "sessions": SimpleUploadedFile("s.csv", sessions_csv.content),
        },
    )
    assert "Imported 2 clients, 0 measurements and 2 sessions" in response.content.decode()
    assert Client.objects.filter(organisation=outsider.org).count() == 4
    assert Session.objects.filter(organisation=outsider.org).count() == 2


def test_a_bad_csv_lists_problems_by_line(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    text = b"client_ref,given_name,family_name,birth_date,sex\n1,Ann,Lee,2025-13-40,female\n"
    response = client.post(reverse("interop:csv"), {"clients": SimpleUploadedFile("c.csv", text)})
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "birth_date" in body
