"""A whole session through the API: today's check, enrolment, a session with a stop, a note signed and
amended, an adverse event, and the adherence figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Observation, Session
from kwtest.people import Clinic, make_client
from kwtest.screening import clear_answers

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, http: HttpClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        response = getattr(self.http, method)(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )
        return response


def as_json(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime | dt.date) else v for k, v in answers.items()}


@pytest.fixture
def api(client: HttpClient, clinic: Clinic) -> Api:
    return Api(client, clinic.token(Role.THERAPIST))


def test_a_nurse_runs_a_tks_session_through_the_api(api: Api, clinic: Clinic) -> None:
    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=40, weeks=30, days=2)
    intake = api(
        "put",
        f"/clients/{baby.pk}/intake",
        {"population": "preterm_infant", "answers": as_json(clear_answers("preterm_infant", "intake"))},
    )
    assert intake.status_code == 200, intake.content
    today = as_json(clear_answers("preterm_infant", "today"))
    check = api(
        "post", f"/clients/{baby.pk}/readiness-checks", {"protocol_id": "preterm_tks_10d", "answers": today}
    )
    assert check.json()["action"] == "go"
    plan = api(
        "post",
        f"/clients/{baby.pk}/plans",
        {"check_id": check.json()["id"], "starts_at": timezone.now().isoformat(), "goals": "Gain weight"},
    )
    assert plan.status_code == 201, plan.content
    schedule = api("get", f"/clients/{baby.pk}/plans/{plan.json()['id']}/schedule").json()
    assert len(schedule) == 30

    check2 = api(
        "post", f"/clients/{baby.pk}/readiness-checks", {"protocol_id": "preterm_tks_10d", "answers": today}
    )
    session = api(
        "post",
        f"/clients/{baby.pk}/sessions",
        {"check_id": check2.json()["id"], "slot_id": schedule[0]["id"]},
    )
    assert session.status_code == 201, session.content
    sid = session.json()["id"]
    assert [s["minutes"] for s in session.json()["steps"]] == [5, 5, 5]

    step = api("post", f"/sessions/{sid}/steps", {"index": 0, "outcome": "done"})
    assert step.json()["current_step"] == 1
    reading = {"key": "hr-1", "kind": "vitals", "vitals": {"heart_rate": 82}}
    first = api("post", f"/sessions/{sid}/observations", reading)
    again = api("post", f"/sessions/{sid}/observations", reading)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["decision"] == "stop"
    assert first.json()["session_status"] == "stopped"
    assert first.json()["reasons"][0]["sources"]
    assert Observation.objects.filter(session_id=sid).count() == 1

    refused = api("post", f"/sessions/{sid}/steps", {"index": 1, "outcome": "done"})
    assert refused.status_code == 409

    note = api(
        "put", f"/sessions/{sid}/note", {"subjective": "Settled before", "objective": "HR 82 at 5 min"}
    )
    assert note.status_code == 200, note.content
    signed = api("post", f"/sessions/{sid}/note/sign", {"version": note.json()["version"]})
    assert signed.json()["signed_at"]
    changed = api("put", f"/sessions/{sid}/note", {"version": signed.json()["version"], "subjective": "edit"})
    assert changed.status_code == 409
    amended = api("post", f"/sessions/{sid}/note/amendments", {"text": "HR was 84", "reason": "misread"})
    assert amended.status_code == 201
    assert amended.json()["subjective"] == "Settled before"
    assert len(amended.json()["amendments"]) == 1

    event = api(
        "post",
        f"/clients/{baby.pk}/adverse-events",
        {
            "occurred_at": timezone.now().isoformat(),
            "what": "Bradycardia to 82",
            "severity": "moderate",
            "action_taken": "Stopped; recovered in 30 s",
            "session_id": sid,
        },
    )
    assert event.status_code == 201, event.content

    figures = api("get", f"/clients/{baby.pk}/plans/{plan.json()['id']}").json()["adherence"]
    assert figures["stopped_sessions"] == 1
    assert figures["done"] == 0
    assert figures["stop_reasons"][0][0].startswith("Slow heart rate")


def test_impossible_vitals_through_the_api_are_a_422_naming_the_field(api: Api, clinic: Clinic) -> None:
    from kwtest.screening import passing_check

    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=40, weeks=30, days=2)
    check = passing_check(clinic.actor(Role.THERAPIST), baby, "preterm_tks_10d", "preterm_infant")
    sid = api("post", f"/clients/{baby.pk}/sessions", {"check_id": check.pk}).json()["id"]
    response = api(
        "post", f"/sessions/{sid}/observations", {"key": "x", "kind": "vitals", "vitals": {"spo2": 130}}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "spo2"
    assert Session.objects.get(pk=sid).status == "in_progress"


def test_a_session_for_a_client_without_consent_is_refused(api: Api, clinic: Clinic) -> None:
    from kneadwell.clients.services import consent_withdraw
    from kwtest.screening import passing_check

    baby = make_client(clinic.actor(Role.THERAPIST), born_days_ago=40, weeks=30, days=2)
    check = passing_check(clinic.actor(Role.THERAPIST), baby, "preterm_tks_10d", "preterm_infant")
    consent_withdraw(actor=clinic.actor(Role.THERAPIST), consent=baby.consents.get(), reason="declined")
    response = api("post", f"/clients/{baby.pk}/sessions", {"check_id": check.pk})
    assert response.status_code == 409
    assert "no active consent" in response.json()["detail"]
    assert not Session.objects.filter(client=baby).exists()


def test_sessions_csv_export_is_for_administrators(api: Api, client: HttpClient, clinic: Clinic) -> None:
    # A bulk file of every session with each client's clinic number: administrators only, as on the page.
    assert api("get", "/sessions.csv").status_code == 403
    response = Api(client, clinic.token(Role.ADMIN))("get", "/sessions.csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].startswith("session_id,client_id")
