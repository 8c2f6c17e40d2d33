"""The API of an organisation's own measures: define, publish, a new version, read; recorded through the
measurements API like a catalogue instrument; another organisation's measure is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kwtest.measures import day_check, define
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def call(
    http: HttpClient, clinic: Clinic, method: str, path: str, body: Any = None, role: Role = Role.ADMIN
) -> Any:
    headers = {"Authorization": f"Bearer {clinic.token(role)}"}
    return getattr(http, method)(f"/api/v1{path}", body, content_type="application/json", headers=headers)


def test_a_lead_defines_and_publishes_a_measure_and_a_therapist_records_it(
    client: HttpClient, clinic: Clinic
) -> None:
    assert clinic.client is not None
    made = call(client, clinic, "post", "/measures", {"definition": day_check(), "publish": True})
    assert made.status_code == 201, made.json()
    out = made.json()
    assert out["instrument_id"] == f"org-{clinic.org.pk}-day-check"
    assert (out["published_number"], out["versions"][0]["published"]) == (1, True)
    listed = call(client, clinic, "get", "/instruments", role=Role.THERAPIST).json()
    assert out["instrument_id"] in [i["id"] for i in listed]
    taken = (timezone.localtime() - dt.timedelta(hours=1)).isoformat()
    recorded = call(
        client,
        clinic,
        "post",
        f"/clients/{clinic.client.pk}/measurements",
        {
            "instrument_id": out["instrument_id"],
            "taken_at": taken,
            "answers": {"q1": 3, "q2": 2, "q3": 1, "q4": 4},
        },
        role=Role.THERAPIST,
    )
    assert recorded.status_code == 201, recorded.json()
    body = recorded.json()
    assert (body["total"], body["instrument_version"], body["scoring_version"]) == (12, "1", "1")


def test_a_new_version_keeps_the_old_one_and_a_stale_one_is_a_409(client: HttpClient, clinic: Clinic) -> None:
    measure = define(clinic)
    path = f"/measures/{measure.slug}/versions"
    renamed = day_check(name="Day check, second edition")
    stale = call(client, clinic, "post", path, {"version": 1, "definition": renamed})
    assert stale.status_code == 409
    made = call(client, clinic, "post", path, {"version": measure.version, "definition": renamed})
    assert made.status_code == 201, made.json()
    out = made.json()
    assert [(v["number"], v["published"]) for v in out["versions"]] == [(2, False), (1, True)]
    assert out["published_number"] == 1
    got = call(client, clinic, "get", f"/measures/{measure.slug}", role=Role.RESEARCHER).json()
    assert got["versions"][1]["definition"]["name"] == "Day-to-day check (made up for tests)"


def test_a_wrong_definition_is_a_422_naming_each_field(client: HttpClient, clinic: Clinic) -> None:
    bad = day_check(bands=[{"label": "too wide", "minimum": 0, "maximum": 99}])
    answer = call(client, clinic, "post", "/measures", {"definition": bad})
    assert answer.status_code == 422
    assert "bands.0.minimum" in {e["field"] for e in answer.json()["errors"]}
    missing = call(client, clinic, "post", "/measures", {"definition": {"name": "x"}})
    assert missing.status_code == 422


def test_only_the_lead_defines_but_every_member_reads(client: HttpClient, clinic: Clinic) -> None:
    define(clinic)
    for role in (Role.THERAPIST, Role.CAREGIVER, Role.RESEARCHER):
        assert (
            call(
                client, clinic, "post", "/measures", {"definition": day_check(name="x")}, role=role
            ).status_code
            == 403
        )
        assert call(client, clinic, "get", "/measures", role=role).status_code == 200


def test_another_organisations_measure_is_a_404(client: HttpClient, clinic: Clinic, outsider: Clinic) -> None:
    assert clinic.client is not None
    theirs = define(outsider, day_check(short_name="Theirs"))
    assert call(client, clinic, "get", f"/measures/{theirs.slug}").status_code == 404
    answer = call(
        client, clinic, "post", f"/measures/{theirs.slug}/versions", {"version": 2, "definition": day_check()}
    )
    assert answer.status_code == 404
    assert call(client, clinic, "get", "/measures").json() == []
    iid = f"org-{outsider.org.pk}-{theirs.slug}"
    assert call(client, clinic, "get", f"/clients/{clinic.client.pk}/trends/{iid}/chart").status_code == 404
    assert iid not in [i["id"] for i in call(client, clinic, "get", "/instruments").json()]
    recorded = call(
        client,
        clinic,
        "post",
        f"/clients/{clinic.client.pk}/measurements",
        {"instrument_id": iid, "taken_at": str(timezone.localdate()), "answers": {"q1": 1}},
    )
    assert recorded.status_code == 422
    assert recorded.json()["field"] == "instrument_id"
