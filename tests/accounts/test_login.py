import time

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.middleware import SEEN_KEY, SESSION_REFRESH_SECONDS
from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kwtest.people import PASSWORD, Clinic

pytestmark = pytest.mark.django_db


def post_login(client: HttpClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_it_logs_in_with_email_and_password_and_audits_it(client: HttpClient, clinic: Clinic) -> None:
    email = clinic.user(Role.THERAPIST).email
    response = post_login(client, email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert AuditEvent.objects.filter(action="login", actor_label=email).exists()


def test_a_wrong_password_is_refused_with_a_message(client: HttpClient, clinic: Clinic) -> None:
    response = post_login(client, clinic.user(Role.THERAPIST).email, "wrong-password")
    assert response.status_code == 200
    assert b"correct email address and password" in response.content
    assert AuditEvent.objects.filter(action="login_failed").exists()


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client: HttpClient, clinic: Clinic, settings
) -> None:  # type: ignore[no-untyped-def]
    email = clinic.user(Role.THERAPIST).email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, email, "wrong-password")
    response = post_login(client, email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from kneadwell import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sessions_expire_after_idle_time() -> None:
    from kneadwell import settings as production

    assert "kneadwell.accounts.middleware.IdleSessionMiddleware" in production.MIDDLEWARE
    assert 0 < production.SESSION_COOKIE_AGE <= 12 * 3600


def test_a_page_view_writes_the_session_at_most_once_a_minute(client: HttpClient, clinic: Clinic) -> None:
    from django.contrib.sessions.models import Session as StoredSession

    client.force_login(clinic.user(Role.THERAPIST))
    client.get(reverse("dashboard"))
    stored = StoredSession.objects.get()
    expiry = stored.expire_date
    client.get(reverse("dashboard"))
    assert StoredSession.objects.get().expire_date == expiry  # a second view within the minute: no write
    # A minute later the session is pushed forward (the idle limit runs from the last activity).
    session = client.session
    session[SEEN_KEY] = int(time.time()) - SESSION_REFRESH_SECONDS
    session.save()
    expiry = StoredSession.objects.get().expire_date
    time.sleep(1.1)
    response = client.get(reverse("dashboard"))
    assert StoredSession.objects.get().expire_date > expiry
    assert settings.SESSION_COOKIE_NAME in response.cookies


def test_password_reset_sends_an_email(client: HttpClient, clinic: Clinic, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    email = clinic.user(Role.CAREGIVER).email
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password-reset/" in mailoutbox[0].body
