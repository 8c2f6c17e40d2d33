"""Schemathesis against our own OpenAPI document: for generated requests to every operation, no 5xx
and every response matches the documented schema (status code, content type, body)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kneadwell.accounts.roles import Role
from kneadwell.api.api import api
from kneadwell.wsgi import application
from kwtest.people import Clinic

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def admin_token(clinic: Clinic) -> Iterator[str]:
    # Calling the WSGI app directly fires request_started/finished, whose handler would close the test's
    # database connection mid-transaction; Django's own test client unhooks it in the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield clinic.token(Role.ADMIN)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, admin_token: str) -> None:
    case.call_and_validate(app=application, headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
