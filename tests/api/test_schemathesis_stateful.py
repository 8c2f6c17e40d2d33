"""Schemathesis' stateful run against our API (issue 10): chains of calls in which later calls use the ids and
versions earlier answers gave, so they reach real records instead of a 404. Checks: no 5xx, and every
answer matches the documented schema.

Our OpenAPI document declares no links, so this file adds them, in the test only, for the chains that
matter most (schemathesis' own link inference is turned off: it finds a thousand guesses over 74
operations, and thirty short scenarios would spread too thin over them to reach anything in particular):

- create a client -> read it / change it (with the version the answer gave) -> read it again;
- create a plan -> read it / its schedule;
- start a session -> read it / stop it -> write its note -> read the note.

A plan or a session needs a consented client with an intake and a passing readiness check for the
protocol; random bodies never get that far (the intake and check answers are free-form objects, and a
client made through the API has no consent yet). So `before_call` gives each plan creation and session
start a baby of its own (kwtest's make_client and passing_check) and points the call at it; every other
field of those bodies is generated, except a plan's start and regions (see there).

The stateful run found one server error, reproduced on its own below (xfail, strict).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from typing import Any, ClassVar

import pytest
import schemathesis
from django.test import Client as HttpClient
from django.utils import timezone
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kneadwell.accounts.roles import Role
from kneadwell.api.api import api
from kneadwell.wsgi import application
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db
# 30 scenarios of up to 6 calls: about 15 s on SQLite.
MAX_EXAMPLES = 30
STEPS = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CLIENTS = "/api/v1/clients"
CLIENT = "/api/v1/clients/{client_id}"
PLANS = "/api/v1/clients/{client_id}/plans"
PLAN = "/api/v1/clients/{client_id}/plans/{plan_id}"
SESSIONS = "/api/v1/clients/{client_id}/sessions"
SESSION = "/api/v1/sessions/{session_id}"

# (source path, method, status) -> {link name: (target path, method, parameters, request body)}
LINKS: dict[tuple[str, str, int], dict[str, tuple[str, str, dict[str, str], dict[str, str] | None]]] = {
    (CLIENTS, "post", 201): {
        "ReadClient": (CLIENT, "get", {"client_id": "$response.body#/id"}, None),
        "ChangeClient": (
            CLIENT,
            "patch",
            {"client_id": "$response.body#/id"},
            {"version": "$response.body#/version"},
        ),
    },
    (CLIENT, "get", 200): {
        "ChangeClient": (
            CLIENT,
            "patch",
            {"client_id": "$response.body#/id"},
            {"version": "$response.body#/version"},
        ),
    },
    (CLIENT, "patch", 200): {
        "ReadClient": (CLIENT, "get", {"client_id": "$response.body#/id"}, None),
    },
    (PLANS, "post", 201): {
        "ReadPlan": (
            PLAN,
            "get",
            {"client_id": "$response.body#/client_id", "plan_id": "$response.body#/id"},
            None,
        ),
        "ReadSchedule": (
            f"{PLAN}/schedule",
            "get",
            {"client_id": "$response.body#/client_id", "plan_id": "$response.body#/id"},
            None,
        ),
    },
    (SESSIONS, "post", 201): {
        "ReadSession": (SESSION, "get", {"session_id": "$response.body#/id"}, None),
        "StopSession": (f"{SESSION}/stop", "post", {"session_id": "$response.body#/id"}, None),
    },
    (f"{SESSION}/stop", "post", 200): {
        "WriteNote": (f"{SESSION}/note", "put", {"session_id": "$response.body#/id"}, None),
    },
    (f"{SESSION}/note", "put", 200): {
        "ReadNote": (f"{SESSION}/note", "get", {"session_id": "$request.path.session_id"}, None),
    },
}


def linked_document() -> dict[str, Any]:
    document = copy.deepcopy(api.get_openapi_schema())
    paths = document["paths"]
    for (path, method, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]  # django-ninja's status codes are integers
        response["links"] = {}
        for name, (target_path, target_method, parameters, body) in links.items():
            link: dict[str, Any] = {
                "operationId": paths[target_path][target_method]["operationId"],
                "parameters": parameters,
            }
            if body is not None:
                link["requestBody"] = body
            response["links"][name] = link
    return document


schema = schemathesis.openapi.from_dict(
    linked_document(),
    config=SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "positive", "with-security-parameters": False},
            "phases": {"stateful": {"inference": {"algorithms": []}}},
        }
    ),
)




def test_chains_of_calls_never_give_a_5xx(clinic: Clinic, admin_token: str) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    answered: Counter[tuple[str, int]] = Counter()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        needs_a_check: ClassVar[set[str]] = {f"POST {PLANS}", f"POST {SESSIONS}"}

        def before_call(self, case: schemathesis.Case) -> None:
            if case.operation.label in self.needs_a_check:
                # A check starts one session only and a client has one active plan per protocol, so each
                # attempt gets a baby of its own.
                baby = make_client(therapist)
                check = passing_check(therapist, baby, "preterm_tks_10d", "preterm_infant")
                case.path_parameters = {**(case.path_parameters or {}), "client_id": baby.pk}
                if isinstance(case.body, dict):
                    case.body = {**case.body, "check_id": check.pk}
                    if case.operation.label == f"POST {PLANS}":
                        # Random years are mostly in the past (refused) and random region names are never
                        # the library's, so a plan would almost never be created to be read back.
                        case.body["starts_at"] = (timezone.now() + dt.timedelta(days=1)).isoformat()
                        case.body.pop("avoid_regions", None)
                        case.body.pop("focus_regions", None)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": application, "headers": {"Authorization": f"Bearer {admin_token}"}}

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            answered[(case.operation.label, response.status_code)] += 1

        def validate_response(
            self, response: Any, case: schemathesis.Case, *args: Any, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, recorder=self.recorder)

    Workflow.run(settings=settings(max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None))
    # The links were followed, not only the roots called (in trials every run read both back several times).
    assert answered[(f"GET {CLIENT}", 200)], sorted(answered.items())
    assert answered[(f"GET {PLAN}", 200)], sorted(answered.items())


def test_a_second_session_on_the_same_slot_is_a_4xx_not_a_500(clinic: Clinic) -> None:
    """Found by the stateful run: a second start on a slot whose session is still open was a 500
    (IntegrityError on the one-session-per-slot constraint); it is now a 422 that says why."""
    baby = clinic.client
    assert baby is not None
    therapist = clinic.actor(Role.THERAPIST)
    http = HttpClient(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"}

    def post(path: str, body: object) -> Any:
        return http.post(f"/api/v1{path}", body, content_type="application/json", headers=headers)

    check = passing_check(therapist, baby, "preterm_tks_10d", "preterm_infant")
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    plan = post(f"/clients/{baby.pk}/plans", {"check_id": check.pk, "starts_at": tomorrow})
    assert plan.status_code == 201, plan.content
    slots = http.get(f"/api/v1/clients/{baby.pk}/plans/{plan.json()['id']}/schedule", headers=headers).json()
    slot_id = slots[0]["id"]
    for _ in range(2):
        check = passing_check(therapist, baby, "preterm_tks_10d", "preterm_infant")
        response = post(f"/clients/{baby.pk}/sessions", {"check_id": check.pk, "slot_id": slot_id})
        assert response.status_code < 500, response.content
    assert response.status_code == 422
    assert "already started for that scheduled time" in response.content.decode()
