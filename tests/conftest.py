from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.test import override_settings

from kwtest.people import Clinic, make_clinic


@pytest.fixture
def clinic(db: None) -> Clinic:
    return make_clinic("Sunrise clinic")


@pytest.fixture
def outsider(db: None) -> Clinic:
    """A second organisation: nothing of it may be visible from `clinic`."""
    return make_clinic("Other clinic")


@pytest.fixture
def login(client: HttpClient):  # type: ignore[no-untyped-def]
    """Log the test client in as a user: `login(user)`."""

    def _login(user) -> HttpClient:  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # Argon2 is deliberately slow; tests create many users. Production keeps Argon2 first.
    # (override_settings, not pytest-django's `settings` fixture: some test folders define their own
    # fixture of that name.)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _cache_in_each_workers_memory() -> Iterator[None]:
    # The shipped cache is files under var/ shared by every process (core/caches.py); the test workers
    # run side by side and some tests empty the cache, so each worker keeps its own in memory.
    memory = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=memory):
        yield


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    # A test that renders or activates Spanish or Arabic leaves that language on its worker's thread;
    # the next test in the same worker must start in the default language (seen once: Spanish words in
    # an English test).
    yield
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _flush_may_empty_the_audit_log() -> Iterator[None]:
    # Tests that use the live server or transactional_db end by flushing every table; the audit log's
    # triggers (kneadwell.audit.guards) refuse that unless asked, as they refuse anyone else.
    from django.db.backends.base.operations import BaseDatabaseOperations

    from kneadwell.audit.guards import maintenance

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):  # type: ignore[no-untyped-def]
        with maintenance(self.connection):
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
