"""Fixtures shared by the API tests that call the WSGI application directly (schemathesis)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import signals
from django.db import close_old_connections

from kneadwell.accounts.roles import Role
from kwtest.people import Clinic


@pytest.fixture
def admin_token(clinic: Clinic) -> Iterator[str]:
    """An administrator's token. Calling the WSGI app directly fires request_started/finished, whose
    handler would close the test's database connection mid-transaction; Django's own test client unhooks
    it in the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield clinic.token(Role.ADMIN)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
