from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.care import services
from kneadwell.care.models import Session
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinic: Clinic, preterm: Any, tks_check: Any) -> Session:
    return services.session_start(actor=clinic.actor(Role.THERAPIST), client=preterm, check=tks_check)


def act(http: HttpClient, session: Session, **data: str):  # type: ignore[no-untyped-def]
    return http.post(reverse("care:player_act", args=[session.pk]), data, headers={"X-Player": "1"})


def test_the_player_shows_the_current_step_with_its_timers(
    client: HttpClient, clinic: Clinic, session: Session
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("care:player", args=[session.pk])).content.decode()
    assert "Step 1 of 3" in page
    assert 'class="timer"' in page
    assert "Vital signs before you start" in page
    assert "Done — next step" in page


def test_a_script_post_gets_the_refreshed_player_back(
    client: HttpClient, clinic: Clinic, session: Session
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    response = act(client, session, action="done", index="0")
    assert response.status_code == 200
    assert "Step 2 of 3" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_plain_form_post_redirects_back_to_the_player(
    client: HttpClient, clinic: Clinic, session: Session
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.post(reverse("care:player_act", args=[session.pk]), {"action": "pause"})
    assert response.status_code == 302
    assert response["Location"] == reverse("care:player", args=[session.pk])
    session.refresh_from_db()
    assert session.status == Session.Status.PAUSED


def test_a_parent_sees_the_stop_in_plain_words(client: HttpClient, clinic: Clinic, session: Session) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    response = act(client, session, action="cue", code="arching", key="k1")
    text = response.content.decode()
    session.refresh_from_db()
    assert session.status in (Session.Status.PAUSED, Session.Status.STOPPED)
    assert 'role="alert"' in text
    assert "What to do" in text


def test_skipping_without_a_reason_shows_the_message_and_keeps_the_step(
    client: HttpClient, clinic: Clinic, session: Session
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    response = act(client, session, action="skip", index="0", reason="")
    assert "Say why this step is skipped" in response.content.decode()
    session.refresh_from_db()
    assert session.current_step == 0


def test_an_assessor_can_neither_look_nor_record(
    client: HttpClient, clinic: Clinic, session: Session
) -> None:
    # A session shows the programme a study participant receives, so a blinded assessor never opens it
    # (issue 13).
    client.force_login(clinic.user(Role.ASSESSOR))
    assert client.get(reverse("care:player", args=[session.pk])).status_code == 403
    assert act(client, session, action="pause").status_code == 403
