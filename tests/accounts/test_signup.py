"""Family sign-up: the service, the page, the API, throttling, email verification and duplicate addresses."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts import services
from kneadwell.accounts.models import Membership, Organisation, SignupAttempt, User
from kneadwell.accounts.roles import Role
from kneadwell.accounts.services import SignupThrottled, email_verify, family_signup
from kneadwell.audit.models import AuditEvent
from kneadwell.clients.models import Consent, Guardian
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.library.models import Intake
from kwtest.people import Clinic, actor_for

pytestmark = pytest.mark.django_db

PASS = "a-long-safe-passphrase-9"
BIRTH = timezone.localdate() - dt.timedelta(days=42)


def signup_kwargs(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Amira Khan",
        "email": "Amira@Example.test",
        "password": PASS,
        "baby_given_name": "Noor",
        "baby_birth_date": BIRTH,
        "baby_sex": "female",
        "consent": True,
        "ip": "203.0.113.7",
        "base_url": "http://testserver/",
    }
    values.update(over)
    return values


def form_data(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": "Amira Khan",
        "email": "amira@example.test",
        "password": PASS,
        "baby_given_name": "Noor",
        "baby_birth_date": BIRTH.isoformat(),
        "baby_sex": "female",
        "gestation": "term",
        "gestation_weeks": "",
        "gestation_days": "",
        "history": ["none"],
        "consent": "on",
    }
    values.update(over)
    return {k: v for k, v in values.items() if v is not None}


# --- the service -----------------------------------------------------------------------------------------
def test_sign_up_creates_the_whole_family_in_one_go(mailoutbox, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        result = family_signup(**signup_kwargs())
    assert result is not None
    user = result.user
    assert user.email == "amira@example.test"
    assert user.check_password(PASS)
    assert user.email_verified_at is None
    assert result.organisation.kind == Organisation.Kind.FAMILY
    assert result.organisation.name == "Amira Khan\u2019s family"
    assert result.membership.role == Role.CAREGIVER
    assert result.membership.organisation == result.organisation
    client = result.client
    assert (client.given_name, client.family_name, client.birth_date, client.sex) == (
        "Noor",
        "Khan",
        BIRTH,
        "female",
    )
    assert client.organisation == result.organisation
    assert (client.gestation_weeks, client.gestation_days) == (None, None)  # on time
    guardian = Guardian.objects.get(client=client)
    assert guardian == result.guardian
    assert guardian.user == user
    assert guardian.relationship == Guardian.Relationship.PARENT
    consent = Consent.objects.get(client=client)
    assert consent == result.consent
    assert consent.kind == "guardian"
    assert consent.method == Consent.Method.ELECTRONIC
    assert consent.attestation is True
    assert sorted(consent.scopes) == ["care", "measurements"]
    assert consent.guardian == guardian
    assert consent.signed_by_name == "Amira Khan"
    assert services.CONSENT_ATTESTATION in consent.notes
    # The parent sees their baby (and only through their own membership).
    assert list(client_queryset(actor=actor_for(result.membership))) == [client]
    # Every write is audited, in the family's organisation, with the address it came from.
    events = AuditEvent.objects.filter(organisation=result.organisation)
    assert {e.entity for e in events} >= {"organisation", "client", "guardian", "consent"}
    assert {e.ip for e in events} == {"203.0.113.7"}
    # The verification link is emailed.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amira@example.test"]
    assert result.verify_link in mailoutbox[0].body


def test_a_baby_born_early_keeps_weeks_and_days() -> None:
    result = family_signup(**signup_kwargs(born_early=True, gestation_weeks=33, gestation_days=4))
    assert result is not None
    assert (result.client.gestation_weeks, result.client.gestation_days) == (33, 4)
    assert result.client.is_preterm


def test_weeks_typed_for_a_baby_born_on_time_are_ignored() -> None:
    result = family_signup(**signup_kwargs(born_early=False, gestation_weeks=30, gestation_days=2))
    assert result is not None
    assert (result.client.gestation_weeks, result.client.gestation_days) == (None, None)


def test_every_problem_is_reported_at_once_and_nothing_is_saved() -> None:
    with pytest.raises(ValidationFailed) as caught:
        family_signup(
            **signup_kwargs(
                full_name=" ",
                email="not-an-email",
                password="short",
                baby_given_name="",
                baby_birth_date=timezone.localdate() + dt.timedelta(days=3),
                baby_sex="",
                consent=False,
            )
        )
    errors = caught.value.errors
    assert set(errors) == {
        "full_name",
        "email",
        "password",
        "baby_given_name",
        "baby_birth_date",
        "baby_sex",
        "consent",
    }
    assert any("too short" in m for m in errors["password"])  # Django's validators
    assert "your baby's first name" in errors["baby_given_name"][0]
    assert not User.objects.exists()
    assert not Organisation.objects.exists()
    assert not SignupAttempt.objects.exists()


@pytest.mark.parametrize(
    ("weeks", "days", "field"),
    [
        (None, None, "gestation_weeks"),
        (37, 0, "gestation_weeks"),
        (20, 0, "gestation_weeks"),
        (30, 9, "gestation_days"),
    ],
)
def test_a_baby_born_early_needs_sensible_weeks(weeks: int | None, days: int | None, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        family_signup(**signup_kwargs(born_early=True, gestation_weeks=weeks, gestation_days=days))
    assert field in caught.value.errors


def test_a_password_like_the_email_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        family_signup(
            **signup_kwargs(email="amira.khan.passphrase@example.test", password="amira.khan.passphrase")
        )
    assert "password" in caught.value.errors


def test_an_address_with_an_account_gets_an_email_not_a_second_account(clinic: Clinic, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    existing = clinic.user(Role.THERAPIST)
    users = User.objects.count()
    result = family_signup(**signup_kwargs(email=existing.email.upper()))
    assert result is None
    assert User.objects.count() == users
    assert not Organisation.objects.filter(kind=Organisation.Kind.FAMILY).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [existing.email]
    assert "/accounts/password-reset/" in mailoutbox[0].body
    # It counts towards the limit (it sends an email).
    assert SignupAttempt.objects.filter(created_account=False).count() == 1


def test_two_sign_ups_racing_for_one_address_make_one_account(clinic: Clinic, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    existing = clinic.user(Role.THERAPIST)
    # The first look finds no account (the other sign-up has not committed yet); the insert then fails on
    # the unique address, and the second look finds it.
    with mock.patch("django.db.models.query.QuerySet.exists", side_effect=[False, True]):
        result = family_signup(**signup_kwargs(email=existing.email))
    assert result is None
    assert User.objects.filter(email=existing.email).count() == 1
    assert not Organisation.objects.filter(kind=Organisation.Kind.FAMILY).exists()
    assert mailoutbox[0].to == [existing.email]


def test_sign_ups_are_limited_per_address() -> None:
    for n in range(services.SIGNUP_LIMIT):
        assert family_signup(**signup_kwargs(email=f"p{n}@example.test")) is not None
    with pytest.raises(SignupThrottled) as caught:
        family_signup(**signup_kwargs(email="one-more@example.test"))
    assert caught.value.status == 429
    assert "Too many accounts" in caught.value.message
    assert re.search(r"in \d+ minutes?", caught.value.message)
    assert not User.objects.filter(email="one-more@example.test").exists()
    # Another address is not held up, and the limit lapses after the window.
    assert family_signup(**signup_kwargs(email="other-net@example.test", ip="198.51.100.1")) is not None
    SignupAttempt.objects.filter(ip="203.0.113.7").update(at=timezone.now() - dt.timedelta(minutes=61))
    assert family_signup(**signup_kwargs(email="later@example.test")) is not None


def test_typing_mistakes_do_not_count_towards_the_limit() -> None:
    for _ in range(services.SIGNUP_LIMIT + 2):
        with pytest.raises(ValidationFailed):
            family_signup(**signup_kwargs(password="short"))
    assert family_signup(**signup_kwargs()) is not None


# --- email verification -------------------------------------------------------------------------------------
def test_the_emailed_link_verifies_the_address_once_and_is_audited() -> None:
    result = family_signup(**signup_kwargs())
    assert result is not None
    token = result.verify_link.rstrip("/").rsplit("/", 1)[-1]
    user = email_verify(token=token)
    assert user.email_verified_at is not None
    first = user.email_verified_at
    assert (
        AuditEvent.objects.filter(entity="user", entity_id=str(user.pk), summary__contains="verified").count()
        == 1
    )
    # Opening it again changes nothing.
    assert email_verify(token=token).email_verified_at == first


def test_an_altered_or_old_link_is_refused() -> None:
    result = family_signup(**signup_kwargs())
    assert result is not None
    token = result.verify_link.rstrip("/").rsplit("/", 1)[-1]
    with pytest.raises(NotFound):
        email_verify(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    # A link signed VERIFY_DAYS and a minute ago (the signer reads the clock through time.time).
    past = time.time() - services.VERIFY_DAYS * 86400 - 60
    with mock.patch("django.core.signing.time.time", return_value=past):
        old = signing.dumps(
            {"u": result.user.pk, "e": result.user.email}, salt=services.VERIFY_SALT, compress=True
        )
    with pytest.raises(DomainError) as caught:
        email_verify(token=old)
    assert "days old" in caught.value.message
    assert User.objects.get(pk=result.user.pk).email_verified_at is None
    # A link for an address the account no longer has does nothing.
    User.objects.filter(pk=result.user.pk).update(email="changed@example.test")
    with pytest.raises(NotFound):
        email_verify(token=token)


# --- the page -------------------------------------------------------------------------------------------
def test_the_page_signs_up_logs_in_and_lands_on_todays_check(client: HttpClient) -> None:
    page = client.get(reverse("accounts:signup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'value="term"[^>]*checked', html)  # on time is already chosen: no extra taps
    assert "parent or legal guardian" in html
    assert "An operation in the past year" in html  # the health history, as one checklist
    response = client.post(reverse("accounts:signup"), form_data())
    assert response.status_code == 302
    baby = Guardian.objects.get(user__email="amira@example.test").client
    # "None of these": the history is saved, and today's check for the first week comes next.
    intake = Intake.objects.get(client=baby)
    assert intake.population == "infant"
    assert intake.answers["had_surgery"] is False
    assert intake.answers["fracture_regions"] == []  # "no broken bone" means no areas to leave out
    assert response["Location"] == reverse("library:check", args=[baby.pk]) + "?protocol=iaim_first_week"
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    text = landing.content.decode()
    assert "record is ready" in text
    assert "Please confirm your email address" in text  # the calm banner
    assert "Send the link again" in text
    assert "Check, then start" in text


def test_a_ticked_history_line_leads_to_the_history_page_for_the_rest(client: HttpClient) -> None:
    response = client.post(reverse("accounts:signup"), form_data(history=["had_surgery"]))
    baby = Guardian.objects.get(user__email="amira@example.test").client
    assert response["Location"] == reverse("library:intake", args=[baby.pk])
    answers = Intake.objects.get(client=baby).answers
    assert answers["had_surgery"] is True
    assert answers.get("surgery_date") is None  # asked next; until then the screening reads "may apply"
    page = client.get(response["Location"]).content.decode()
    assert "Date of the most recent operation" in page


def test_the_history_must_be_answered_and_not_both_ways(client: HttpClient) -> None:
    for history in ([], ["none", "had_surgery"]):
        response = client.post(reverse("accounts:signup"), form_data(history=history or None))
        assert response.status_code == 200
        assert "Tick any that apply, or" in response.content.decode()
    assert not User.objects.filter(email="amira@example.test").exists()


def test_a_baby_born_early_fills_in_the_history_on_its_own_page(client: HttpClient) -> None:
    # A baby born at 30 weeks, six weeks ago, is in the neonatal group, whose history asks other questions.
    response = client.post(
        reverse("accounts:signup"), form_data(gestation="early", gestation_weeks="30", gestation_days="")
    )
    baby = Guardian.objects.get(user__email="amira@example.test").client
    assert not Intake.objects.filter(client=baby).exists()
    assert response["Location"] == reverse("clients:detail", args=[baby.pk])


def test_the_page_keeps_what_was_typed_when_something_is_wrong(client: HttpClient) -> None:
    response = client.post(
        reverse("accounts:signup"),
        form_data(password="short", gestation="early", gestation_weeks="31", gestation_days="9"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    for kept in (
        'value="Amira Khan"',
        'value="amira@example.test"',
        'value="Noor"',
        f'value="{BIRTH.isoformat()}"',
        'value="31"',
        'value="9"',
    ):
        assert kept in html, kept
    assert re.search(r'value="female"[^>]*checked', html)
    assert re.search(r'value="early"[^>]*checked', html)
    assert re.search(r'id="id_consent"\s*checked', html)
    assert "too short" in html
    assert "Extra days of gestation must be 0 to 6" in html
    assert not User.objects.exists()


def test_the_page_asks_for_consent(client: HttpClient) -> None:
    response = client.post(reverse("accounts:signup"), form_data(consent=None))
    assert response.status_code == 200
    assert "Tick the box to confirm you are the parent or guardian" in response.content.decode()
    assert not User.objects.exists()


def test_the_page_answers_a_known_address_like_password_reset(
    client: HttpClient, clinic: Clinic, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    existing = clinic.user(Role.CAREGIVER)
    response = client.post(reverse("accounts:signup"), form_data(email=existing.email))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Check your email" in text
    assert "If that address already has a Kneadwell account" in text
    assert "already exists" not in text
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 1


def test_the_page_says_when_the_limit_is_reached(client: HttpClient) -> None:
    for _ in range(services.SIGNUP_LIMIT):
        SignupAttempt.objects.create(ip="127.0.0.1", created_account=True)
    response = client.post(reverse("accounts:signup"), form_data())
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many accounts have been created from this network" in html
    assert 'value="Noor"' in html  # what was typed is kept
    assert not User.objects.exists()


def test_a_signed_in_member_is_sent_on_from_the_sign_up_page(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    assert client.get(reverse("accounts:signup")).status_code == 302


def test_the_login_page_links_to_sign_up(client: HttpClient) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert "New here?" in html
    assert f'href="{reverse("accounts:signup")}"' in html
    assert "Create a family account" in html


def test_verifying_through_the_page_removes_the_banner(
    client: HttpClient, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), form_data())
    home = client.get(reverse("dashboard")).content.decode()
    assert "Please confirm your email address" in home
    # "Send the link again" sends a fresh link and comes back to the page.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("accounts:verify_resend"), {"next": response["Location"]})
    assert again.status_code == 302
    assert again["Location"] == response["Location"]
    assert len(mailoutbox) == 2
    link = re.search(r"http://testserver(/accounts/verify/[^/\s]+/)", mailoutbox[1].body)
    assert link is not None
    # The link works logged out too (opened on another device).
    client.logout()
    done = client.get(link.group(1))
    assert done.status_code == 302
    assert User.objects.get(email="amira@example.test").email_verified_at is not None
    client.force_login(User.objects.get(email="amira@example.test"))
    assert "Please confirm your email address" not in client.get(reverse("dashboard")).content.decode()
    assert client.get("/accounts/verify/not-a-token/").status_code == 404


def test_resend_waits_a_minute_between_links(
    client: HttpClient, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("accounts:signup"), form_data())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify_resend"))
        client.post(reverse("accounts:verify_resend"))
    assert len(mailoutbox) == 1
    session = client.session
    session["verify_link_sent_at"] = time.time() - 61
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify_resend"))
    assert len(mailoutbox) == 2


def test_resend_goes_only_to_this_site(client: HttpClient) -> None:
    client.post(reverse("accounts:signup"), form_data())
    response = client.post(reverse("accounts:verify_resend"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")


def test_clinic_members_never_see_the_banner(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    assert "Please confirm your email address" not in client.get(reverse("dashboard")).content.decode()


# --- invitations ------------------------------------------------------------------------------------------
def test_an_invited_parent_lands_on_their_child_and_is_verified(client: HttpClient, clinic: Clinic) -> None:
    from kneadwell.accounts.services import invitation_create

    assert clinic.other_client is not None
    _, link = invitation_create(
        actor=clinic.actor(Role.ADMIN),
        email="mum@example.test",
        role="caregiver",
        client_id=clinic.other_client.pk,
        base_url="http://testserver/",
    )
    path = link.replace("http://testserver", "")
    response = client.post(path, {"full_name": "Mo Mum", "password": PASS, "password_again": PASS})
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[clinic.other_client.pk])
    assert User.objects.get(email="mum@example.test").email_verified_at is not None


def test_an_invited_therapist_lands_on_the_home_page(client: HttpClient, clinic: Clinic) -> None:
    from kneadwell.accounts.services import invitation_create

    _, link = invitation_create(
        actor=clinic.actor(Role.ADMIN),
        email="t@example.test",
        role="therapist",
        base_url="http://testserver/",
    )
    response = client.post(
        link.replace("http://testserver", ""), {"full_name": "Tam", "password": PASS, "password_again": PASS}
    )
    assert response["Location"] == reverse("dashboard")


# --- the API ------------------------------------------------------------------------------------------------
def api_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "full_name": "Amira Khan",
        "email": "amira@example.test",
        "password": PASS,
        "baby_given_name": "Noor",
        "baby_birth_date": BIRTH.isoformat(),
        "baby_sex": "female",
        "consent": True,
    }
    body.update(over)
    return body


def test_the_api_signs_up_without_a_token(client: HttpClient) -> None:
    response = client.post(
        "/api/v1/signup", api_body(born_early=True, gestation_weeks=35), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    out = response.json()
    membership = Membership.objects.get(pk=out["membership_id"])
    assert membership.user_id == out["user_id"]
    assert membership.organisation_id == out["organisation_id"]
    assert Consent.objects.get(pk=out["consent_id"]).client_id == out["client_id"]
    assert Guardian.objects.get(pk=out["guardian_id"]).user_id == out["user_id"]
    assert AuditEvent.objects.filter(organisation_id=out["organisation_id"], channel="api").exists()


def test_the_api_saves_the_history_lines_sent(client: HttpClient) -> None:
    response = client.post(
        "/api/v1/signup", api_body(history=["clot_history"]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    answers = Intake.objects.get(client_id=response.json()["client_id"]).answers
    assert answers["clot_history"] is True
    assert answers["recent_bleeding"] is False
    stray = client.post(
        "/api/v1/signup",
        api_body(email="b@example.test", history=["tumour_regions"]),
        content_type="application/json",
    )
    assert stray.status_code == 422
    assert {e["field"] for e in stray.json()["errors"]} == {"history"}


def test_the_api_answers_422_with_every_field_at_fault(client: HttpClient) -> None:
    response = client.post(
        "/api/v1/signup",
        api_body(password="short", consent=False, baby_given_name=""),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"password", "consent", "baby_given_name"}


def test_the_api_answers_202_for_a_known_address_and_429_when_limited(
    client: HttpClient, clinic: Clinic
) -> None:
    known = client.post(
        "/api/v1/signup", api_body(email=clinic.user(Role.ADMIN).email), content_type="application/json"
    )
    assert known.status_code == 202
    assert "If that address already has a Kneadwell account" in known.json()["detail"]
    for _ in range(services.SIGNUP_LIMIT):
        SignupAttempt.objects.create(ip="127.0.0.1")
    limited = client.post("/api/v1/signup", api_body(), content_type="application/json")
    assert limited.status_code == 429
    assert "Too many accounts" in limited.json()["detail"]


def test_the_signed_up_parent_can_log_in(client: HttpClient) -> None:
    family_signup(**signup_kwargs())
    response = client.post(reverse("accounts:login"), {"username": "amira@example.test", "password": PASS})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
