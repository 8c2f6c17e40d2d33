import pytest
from django.test import Client as HttpClient
from django.urls import reverse

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

    assert production.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < production.SESSION_COOKIE_AGE <= 12 * 3600


def test_password_reset_sends_an_email(client: HttpClient, clinic: Clinic, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    email = clinic.user(Role.CAREGIVER).email
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password-reset/" in mailoutbox[0].body
