"""The offline web app's pages (offline/views.py, templatetags): the service worker served from the root
with its scope and no caching, the manifest, the settings every page hands to offline.js, the player's
state for going on without a network, the offline page, the conflicts page and the session's flag."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services as care_services
from kneadwell.offline.models import SyncRecord
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="kw-offline-config" type="application/json">(.*?)</script>', page, re.S)
    assert found, "every page carries the offline settings"
    config = dict(json.loads(found.group(1)))
    config["words"] = json.loads(base64.b64decode(config["words"]))
    return config


@pytest.fixture
def baby(clinic: Clinic) -> Any:
    child = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=60,
        weeks=39,
        days=0,
        given_name="Ivy",
    )
    passing_check(clinic.actor(Role.CAREGIVER), child, "iaim_first_week", "infant")
    return child


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client: HttpClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', body)
    assert version, "the script names its version"
    assert '"/static/js/offline.js"' in body
    assert '"/static/js/rules.js"' in body
    assert 'var SHELL = "/offline/";' in body
    assert "{{" not in body
    assert "{%" not in body


def test_the_manifest_makes_an_installable_app(client: HttpClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone"
    assert data["start_url"] == "/"
    assert data["scope"] == "/"
    assert data["theme_color"] == "#0f6b63"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_a_parents_pages_carry_the_offline_settings_and_what_to_keep(
    client: HttpClient, clinic: Clinic, baby: Any
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get("/").content.decode()
    assert 'rel="manifest"' in page
    assert 'id="kw-offline"' in page
    assert 'aria-live="polite"' in page
    config = _config(page)
    assert config["user"] == clinic.user(Role.CAREGIVER).pk
    kept = {entry["client_id"]: entry for entry in config["warm"]}
    assert kept[baby.pk]["bundle_url"] == f"/api/v1/clients/{baby.pk}/rules-bundle"
    assert kept[baby.pk]["kit_url"] == f"/api/v1/clients/{baby.pk}/offline-kit"
    assert config["words"]["waiting"] == "Waiting to be sent: {count}"
    # Staff record sessions too, but the device does not fetch a whole clinic's records ahead.
    client.force_login(clinic.user(Role.THERAPIST))
    assert _config(client.get("/").content.decode())["warm"] == []


def test_signed_out_the_script_only_forgets(client: HttpClient) -> None:
    config = _config(client.get(reverse("accounts:login")).content.decode())
    assert config["user"] is None
    assert config["warm"] == []


def test_the_words_follow_the_pages_language(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    config = _config(client.get("/", headers={"accept-language": "es"}).content.decode())
    assert config["words"]["waiting"] == "Pendiente de enviar: {count}"


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_the_page_names_the_language_its_kit_and_bundle_are_kept_in(
    client: HttpClient, clinic: Clinic, baby: Any, language: str
) -> None:
    """offline.js fetches the kit and the rules bundle again when the kept bundle's language is not the
    page's; the bundle it gets names the same language."""
    client.force_login(clinic.user(Role.CAREGIVER))
    config = _config(client.get("/", headers={"accept-language": language}).content.decode())
    assert config["language"] == language
    bundle = client.get(config["warm"][0]["bundle_url"], headers={"accept-language": language}).json()
    assert bundle["language"] == language
    words = config["words"]
    assert all(words[k] for k in ("no_connection", "waits_for_connection", "check_found_todo"))
    assert "{areas}" in words["check_found_areas"]
    if language != "en":  # the new words are translated (drafts)
        assert not words["no_connection"].startswith("The connection")
        assert not words["check_found_todo"].startswith("Today's steps")


def test_the_worker_gives_a_kept_page_a_time_limit_and_hears_when_the_network_is_down(
    client: HttpClient,
) -> None:
    body = client.get("/sw.js").content.decode()
    assert "var NETWORK_TIMEOUT_MS = 10000;" in body
    assert 'data.type === "network"' in body
    # Only the parent's kept pages are served from the device on a time limit; others as before.
    assert "fromNetwork(request).then(function (response) { return keep(request, response); }" in body
    assert "event.respondWith(fetch(request).catch(function () { return fromDevice(request); }));" in body


def test_the_player_keeps_its_state_for_going_on_without_a_network(
    client: HttpClient, clinic: Clinic, baby: Any
) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, baby, "iaim_first_week", "infant")
    session = care_services.session_start(actor=parent, client=baby, check=check)
    care_services.session_step(actor=parent, session=session, index=0, outcome="done")
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(reverse("care:player", args=[session.pk])).content.decode()
    found = re.search(r'<script id="kwo-state" type="application/json">(.*?)</script>', page, re.S)
    assert found
    state = json.loads(found.group(1))
    assert state["session_id"] == session.pk
    assert state["current_step"] == 1
    assert state["offline_ok"] is True
    assert len(state["steps"]) == len(session.steps)
    assert state["steps"][1]["shown"]["where"]
    assert state["note_url"] == f"/sessions/{session.pk}/note/"
    assert "offline-player.js" in page
    # The partial the buttons swap in carries it too, so it stays current.
    partial = client.post(
        reverse("care:player_act", args=[session.pk]),
        {"action": "done", "index": 1},
        headers={"X-Player": "1"},
    ).content.decode()
    again = re.search(r'id="kwo-state" type="application/json">(.*?)</script>', partial, re.S)
    assert again
    state = json.loads(again.group(1))
    assert state["current_step"] == 2


def _conflict(clinic: Clinic, baby: Any, session: Any = None) -> SyncRecord:
    now = timezone.now()
    return SyncRecord.objects.create(
        organisation=clinic.org,
        key="k-1",
        kind="check",
        client=baby,
        session=session,
        recorded_by=clinic.user(Role.CAREGIVER),
        payload={},
        payload_hash="0" * 64,
        device_time=now,
        synced_at=now,
        status="conflict",
        conflict={
            "code": "check_cautious",
            "title": "Screened again on the server: Not today",
            "server_action": "stop",
            "detail": "There is diarrhoea today.",
            "todo": "Wait.",
        },
    )


def test_the_conflicts_page_shows_and_a_read_is_kept_and_audited(
    client: HttpClient, clinic: Clinic, baby: Any
) -> None:
    record = _conflict(clinic, baby)
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(reverse("offline:conflicts")).content.decode()
    assert "Screened again on the server: Not today" in page
    assert "There is diarrhoea today." in page
    assert json.dumps(["k-1"]) in page  # the device learns which conflicts are still open
    spanish = client.get(reverse("offline:conflicts"), headers={"accept-language": "es"}).content.decode()
    assert "Comprobado de nuevo en el servidor: Hoy no" in spanish  # the stored English, said in Spanish
    response = client.post(reverse("offline:conflict_read", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.resolved_at is not None
    assert record.resolved_by == clinic.user(Role.CAREGIVER)
    assert AuditEvent.objects.filter(entity="sync_record", entity_id=str(record.pk), action="update").exists()
    assert "Screened again" not in client.get(reverse("offline:conflicts")).content.decode()


def test_a_flagged_session_says_so_on_its_page(client: HttpClient, clinic: Clinic, baby: Any) -> None:
    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, baby, "iaim_first_week", "infant")
    session = care_services.session_start(actor=parent, client=baby, check=check)
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("care:player", args=[session.pk])
    assert "the server read it more cautiously" not in client.get(url).content.decode()
    _conflict(clinic, baby, session)
    page = client.get(url).content.decode()
    assert "the server read it more cautiously" in page
    assert "There is diarrhoea today." in page


def test_the_offline_page_needs_a_member_who_records(client: HttpClient, clinic: Clinic) -> None:
    assert client.get(reverse("offline:shell")).status_code == 302
    client.force_login(clinic.user(Role.CAREGIVER))
    page = client.get(reverse("offline:shell")).content.decode()
    assert 'id="kwo-app"' in page
    assert 'id="kwo-diary-form"' in page
    assert "offline-player.js" in page
