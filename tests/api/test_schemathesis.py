"""Schemathesis against our own OpenAPI document (issue 10), on every operation, with an administrator's
token:

- positive run: for generated valid requests, no 5xx and every answer matches the documented schema
  (status code, content type, body);
- negative run: for generated *invalid* requests (wrong types, missing or extra fields, values out of range,
  unexpected methods), no 5xx and a 4xx (schemathesis' `negative_data_rejection`), the error answers also
  matching the documented schema;
- naive and aware date-times: every request body with a `format: date-time` field, sent once with an
  offset (accepted) and once without (a 422 naming the field, never a 5xx).

The stateful run (chains of calls reusing real ids) is in test_schemathesis_stateful.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.test import Client as HttpClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kneadwell.accounts.roles import Role
from kneadwell.api.api import api
from kneadwell.wsgi import application
from kwtest.evaluation import grid_objects
from kwtest.people import Clinic
from kwtest.screening import passing_check


def load_schema(generation: dict[str, Any], **config: Any) -> Any:
    """Our OpenAPI document with an explicit configuration (not the defaults or a schemathesis.toml)."""
    settings = SchemathesisConfig.from_dict({"generation": generation, **config})
    return schemathesis.openapi.from_dict(copy.deepcopy(api.get_openapi_schema()), config=settings)


positive_schema = load_schema({"mode": "positive"})
negative_schema = load_schema(
    # The Authorization header is ours (a real token); a generated bad one would only be replaced.
    {"mode": "negative", "with-security-parameters": False},
    # Examples are valid by construction; the negative run wants what coverage and fuzzing break.
    phases={"examples": {"enabled": False}},
    # Schemathesis' default list also takes a 5xx here (leaving it to not_a_server_error); we want a 4xx.
    checks={"negative_data_rejection": {"expected-statuses": ["4xx"]}},
)
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
QUIET = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)




@pytest.mark.django_db
@positive_schema.parametrize()
@settings(QUIET, max_examples=25)
def test_api_conforms_to_its_schema(case: schemathesis.Case, admin_token: str) -> None:
    case.call_and_validate(
        app=application, headers={"Authorization": f"Bearer {admin_token}"}, checks=CONFORMANCE
    )


# An operation with no parameter and no body (GET /me, the library's lists, ...) has nothing to break: its
# coverage cases (an unexpected method, a malformed Content-Type) still run, then schemathesis reports it
# skipped ("Impossible to generate negative test cases").
@pytest.mark.django_db
@negative_schema.parametrize()
@settings(QUIET, max_examples=10)
def test_invalid_requests_are_a_4xx_never_a_5xx(case: schemathesis.Case, admin_token: str) -> None:
    case.call_and_validate(
        app=application,
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[*CONFORMANCE, negative_data_rejection],
    )


# Naive and aware date-times ---------------------------------------------------------------------------


def date_time_fields(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(operationId, method, path, field) for every `format: date-time` in a JSON request body; the field
    is dotted as the API's 422 names it (`rows.0.taken_at`)."""
    components = document.get("components", {}).get("schemas", {})

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def walk(node: Any, field: tuple[str, ...], found: set[str]) -> None:
        node = resolve(node)
        if not isinstance(node, dict):
            return
        if node.get("format") == "date-time":
            found.add(".".join(field))
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, ()):
                walk(branch, field, found)
        for name, child in node.get("properties", {}).items():
            walk(child, (*field, name), found)
        if "items" in node:
            walk(node["items"], (*field, "0"), found)

    fields = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            found: set[str] = set()
            walk(body["schema"], (), found)
            fields += [(operation["operationId"], method, path, field) for field in sorted(found)]
    return fields


DATE_TIME_FIELDS = date_time_fields(api.get_openapi_schema())


def _plan(clinic: Clinic, when: str) -> dict[str, Any]:
    assert clinic.client is not None
    check = passing_check(clinic.actor(Role.THERAPIST), clinic.client, "preterm_tks_10d", "preterm_infant")
    return {"check_id": check.pk, "starts_at": when}


# operationId -> (a valid body around the date-time, which `when` fills; hours from now for `when`: a plan
# cannot start in the past, the rest cannot be in the future). Every operation DATE_TIME_FIELDS finds must
# be here: a new date-time field fails test_a_naive_date_time_is_a_422_naming_the_field until it is.
EXAMPLES: dict[str, tuple[Callable[[Clinic, str], dict[str, Any]], int]] = {
    "kneadwell_api_care_plan_create": (_plan, +2),
    "kneadwell_api_care_adverse_create": (
        lambda clinic, when: {
            "occurred_at": when,
            "what": "Hiccups",
            "severity": "mild",
            "action_taken": "Paused",
        },
        -1,
    ),
    "kneadwell_api_outcomes_measurement_create": (
        lambda clinic, when: {
            "instrument_id": "weight",
            "taken_at": when,
            "answers": {"value": 1450, "unit": "g"},
        },
        -1,
    ),
    "kneadwell_api_outcomes_weights_create": (
        lambda clinic, when: {"rows": [{"taken_at": when, "value": 1450}]},
        -1,
    ),
    # A study participant's baseline weight (issue 13): clinic.client randomised today in a study.
    "kneadwell_api_evaluation_assessment_enter": (
        lambda clinic, when: {
            "instrument_id": "weight",
            "day": 0,
            "taken_at": when,
            "answers": {"value": 1450, "unit": "g"},
            "confirm_unusual": True,
        },
        -1,
    ),
    # A device's records sent when the network is back (issue 14): one check, stored (tests/offline).
    "kneadwell_api_offline_sync": (
        lambda clinic, when: {
            "records": [
                {
                    "key": f"example-{uuid.uuid4()}",
                    "kind": "check",
                    "client_id": clinic.client.pk if clinic.client else 0,
                    "device_time": when,
                    "data": {"protocol_id": "preterm_tks_10d", "answers": {}, "device_action": "go"},
                }
            ]
        },
        -1,
    ),
}
# What the accepted request answers where it is not 201 (a created row): a batch answers 200.
ACCEPTED = {"kneadwell_api_offline_sync": 200}


def test_the_walk_finds_the_date_times_we_know_of() -> None:
    # The walk itself is tested: it must find at least these (it would otherwise pass by finding nothing).
    found = {(operation_id, field) for operation_id, _, _, field in DATE_TIME_FIELDS}
    assert {
        ("kneadwell_api_care_plan_create", "starts_at"),
        ("kneadwell_api_care_adverse_create", "occurred_at"),
        ("kneadwell_api_outcomes_measurement_create", "taken_at"),
        ("kneadwell_api_outcomes_weights_create", "rows.0.taken_at"),
    } <= found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation_id", "method", "path", "field"),
    DATE_TIME_FIELDS,
    ids=[f"{operation_id}:{field}" for operation_id, _, _, field in DATE_TIME_FIELDS],
)
def test_a_naive_date_time_is_a_422_naming_the_field(
    clinic: Clinic, operation_id: str, method: str, path: str, field: str
) -> None:
    if operation_id not in EXAMPLES:
        pytest.fail(f"{operation_id} takes a date-time in {field}: add a valid example body to EXAMPLES")
    build, hours = EXAMPLES[operation_id]
    assert clinic.client is not None
    ids = {"participant_id": grid_objects(clinic)["participant"]} if "{participant_id}" in path else {}
    url = path.format(client_id=clinic.client.pk, **ids)
    assert "{" not in url, f"{url}: a path parameter this test cannot fill yet"
    # The same wall time with and without its offset, so the offset is the only difference.
    naive = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S")
    http = HttpClient(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"}

    def send(when: str) -> Any:
        body = build(clinic, when)
        return getattr(http, method)(url, body, content_type="application/json", headers=headers)

    refused = send(naive)
    assert refused.status_code == 422, (naive, refused.status_code, refused.content)
    assert refused.json()["field"] == field, refused.json()
    accepted = send(f"{naive}+00:00")
    wanted = ACCEPTED.get(operation_id, 201)
    assert accepted.status_code == wanted, (f"{naive}+00:00", accepted.status_code, accepted.content)
