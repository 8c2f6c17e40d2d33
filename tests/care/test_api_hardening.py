"""Issue 10 through the care API: a date-time without an offset is a 422 naming the field (it was a 500),
a note edit needs the version it was read at, and JSON of the wrong type is a 422, not coerced."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.models import AdverseEvent, Session
from kneadwell.core.errors import ValidationFailed
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def call(http: HttpClient, clinic: Clinic, method: str, path: str, body: object = None) -> Any:
    return getattr(http, method)(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"},
    )


@pytest.fixture
def finished(clinic: Clinic, preterm: Any, tks_check: Any) -> Session:
    actor = clinic.actor(Role.THERAPIST)
    session = services.session_start(actor=actor, client=preterm, check=tks_check)
    return services.session_stop(actor=actor, session=session, reason="Baby fell asleep")


def _adverse(occurred_at: object) -> dict[str, object]:
    return {"occurred_at": occurred_at, "what": "Hiccups", "severity": "mild", "action_taken": "Paused"}


def test_an_adverse_event_with_a_naive_time_is_a_422_naming_the_field(
    client: HttpClient, clinic: Clinic, preterm: Any
) -> None:
    naive = (timezone.localtime() - dt.timedelta(hours=1)).replace(tzinfo=None, microsecond=0).isoformat()
    response = call(client, clinic, "post", f"/clients/{preterm.pk}/adverse-events", _adverse(naive))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "occurred_at"
    assert "offset" in response.json()["detail"]
    assert not AdverseEvent.objects.filter(client=preterm).exists()

    aware = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert (
        call(client, clinic, "post", f"/clients/{preterm.pk}/adverse-events", _adverse(aware)).status_code
        == 201
    )
    zulu = (timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        call(client, clinic, "post", f"/clients/{preterm.pk}/adverse-events", _adverse(zulu)).status_code
        == 201
    )


@pytest.mark.parametrize("value", [1764855871, True, None, ["2026-12-04T13:44:31Z"]])
def test_an_adverse_event_time_must_be_a_string(
    client: HttpClient, clinic: Clinic, preterm: Any, value: object
) -> None:
    response = call(client, clinic, "post", f"/clients/{preterm.pk}/adverse-events", _adverse(value))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "occurred_at"


def test_the_service_refuses_a_naive_time_instead_of_crashing(clinic: Clinic, preterm: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.adverse_event_record(
            actor=clinic.actor(Role.THERAPIST),
            client=preterm,
            occurred_at=dt.datetime(2026, 12, 4, 13, 44, 31),
            what="Hiccups",
            severity="mild",
            action_taken="Paused",
        )
    assert "occurred_at" in exc.value.errors


def test_a_plan_start_without_an_offset_is_a_422(
    client: HttpClient, clinic: Clinic, preterm: Any, tks_check: Any
) -> None:
    start = (timezone.localtime() + dt.timedelta(hours=1)).replace(tzinfo=None).isoformat()
    response = call(
        client, clinic, "post", f"/clients/{preterm.pk}/plans", {"check_id": tks_check.pk, "starts_at": start}
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "starts_at"


def test_the_openapi_document_says_date_times_need_an_offset(client: HttpClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "offset" in schema["AdverseIn"]["properties"]["occurred_at"]["description"]
    assert "offset" in schema["PlanIn"]["properties"]["starts_at"]["description"]
    assert "offset" in schema["MeasurementIn"]["properties"]["taken_at"]["description"]


# --- versions ------------------------------------------------------------------------------------------
def test_two_saves_of_the_same_note_version_give_one_200_and_one_409(
    client: HttpClient, clinic: Clinic, finished: Session
) -> None:
    path = f"/sessions/{finished.pk}/note"
    created = call(client, clinic, "put", path, {"subjective": "Settled"})
    assert created.status_code == 200, created.content
    loaded = created.json()["version"]
    first = call(client, clinic, "put", path, {"version": loaded, "subjective": "Settled, fed after"})
    second = call(client, clinic, "put", path, {"version": loaded, "subjective": "Unsettled"})
    assert first.status_code == 200, first.content
    assert second.status_code == 409, second.content
    assert second.json()["field"] == "version"
    assert second.json()["current_version"] == first.json()["version"] == loaded + 1
    assert call(client, clinic, "get", path).json()["subjective"] == "Settled, fed after"


def test_a_note_edit_without_a_version_is_a_409_with_the_current_version(
    client: HttpClient, clinic: Clinic, finished: Session
) -> None:
    path = f"/sessions/{finished.pk}/note"
    assert call(client, clinic, "put", path, {"subjective": "Settled"}).status_code == 200
    response = call(client, clinic, "put", path, {"subjective": "Overwritten?"})
    assert response.status_code == 409, response.content
    assert response.json()["current_version"] == 1
    assert call(client, clinic, "get", path).json()["subjective"] == "Settled"


def test_a_second_first_save_of_a_note_is_a_409_not_a_500(clinic: Clinic, finished: Session) -> None:
    from kneadwell.core.errors import Conflict

    actor = clinic.actor(Role.THERAPIST)
    services.note_save(actor=actor, session=finished, expected_version=None, subjective="Mine")
    with pytest.raises(Conflict) as exc:
        services.note_save(actor=actor, session=finished, expected_version=None, subjective="Theirs")
    assert exc.value.current_version == 1


def test_a_plan_or_client_change_without_a_version_is_refused(clinic: Clinic, preterm: Any) -> None:
    from kneadwell.clients import services as client_services
    from kneadwell.core.errors import Conflict

    with pytest.raises(Conflict) as exc:
        client_services.client_update(
            actor=clinic.actor(Role.THERAPIST), client=preterm, expected_version=None, identifier="X-1"
        )
    assert exc.value.current_version == preterm.version
