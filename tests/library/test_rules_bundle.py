"""The rules bundle a device screens with offline (GET /api/v1/clients/{id}/rules-bundle, issue 14): the
server's content version, the current record, and on a real record (intake, conditions, an
organisation's settings, releases by a colleague, by the person fetching and ended ones) the device's
verdict is the server's own, near midnight too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients.models import Client
from kneadwell.library import selectors, services
from kneadwell.library.bundle import device_screen
from kneadwell.library.loader import default_library
from kneadwell.library.models import ReadinessCheck, Release
from kwtest.people import Clinic, actor_for, make_client, make_member

from .conftest import clear_answers
from .rules_js import NodeRules, as_json, plain
from .test_rules_js_parity import differences, python_verdict

pytestmark = pytest.mark.django_db

LIB = default_library()


@pytest.fixture(scope="module")
def js() -> Iterator[NodeRules]:
    with NodeRules() as runner:
        yield runner


def _child_with_cancer(clinic: Clinic) -> Client:
    therapist = clinic.actor(Role.THERAPIST)
    child = make_client(
        therapist, born_days_ago=365 * 8, weeks=None, days=None, birth_weight_g=None, conditions=["cancer"]
    )
    intake = {
        **clear_answers(LIB, "child", "intake"),
        "platelet_count": 30000,
        "neutrophil_count": 800,
        "tumour_regions": ["abdomen"],
    }
    services.intake_save(
        actor=therapist, client=child, population="child", answers=as_json(intake), expected_version=None
    )
    return child


def _today(**changes: Any) -> dict[str, Any]:
    return as_json({**clear_answers(LIB, "child", "today"), **changes})


def _release(runner: Any, by: Any, child: Client, rule_id: str) -> Release:
    """`by` releases `rule_id` on a check `runner` ran (one may not release one's own check)."""
    check = services.readiness_check_run(
        actor=runner,
        client=child,
        protocol_id="child_hospital_comfort",
        answers=_today(),
    )
    return services.release_give(
        actor=by,
        client=child,
        check=ReadinessCheck.objects.get(pk=check.pk),
        rule_id=rule_id,
        note="Counts checked with the oncology team this morning; light touch agreed",
    )


def _server(child: Client, user_id: int, today: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    verdict = selectors.screen_record(
        client=child, protocol_id="child_hospital_comfort", today=today, user_id=user_id, now=now
    ).verdict
    return python_verdict(verdict)


def test_the_bundle_is_the_servers_content_and_the_clients_record(client: HttpClient, clinic: Clinic) -> None:
    child = _child_with_cancer(clinic)
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.get(f"/api/v1/clients/{child.pk}/rules-bundle?protocol=child_hospital_comfort")
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert bundle["content_version"] == str(LIB.version)  # the content in force on the server
    assert bundle["time_zone"] == django_settings.TIME_ZONE
    assert bundle["protocol_id"] == "child_hospital_comfort"
    assert bundle["client"]["conditions"] == ["cancer"]
    assert bundle["client"]["population"] == "child"
    assert bundle["intake"]["answers"]["platelet_count"] == 30000
    # The rules are the loaded data, not words about them: each as the screening evaluates it.
    by_id = {r["id"]: r for r in bundle["rules"]}
    assert (
        by_id["low_platelets"]["when"]
        == LIB.rules["low_platelets"].model_dump(mode="json", by_alias=True, exclude_none=True)["when"]
    )
    assert set(by_id) == {r.id for r in LIB.rules.values() if not r.populations or "child" in r.populations}
    issued = dt.datetime.fromisoformat(bundle["issued_at"])
    assert dt.datetime.fromisoformat(bundle["expires_at"]) - issued == dt.timedelta(days=7)
    # Reading a client's record is audited.
    assert AuditEvent.objects.filter(
        client_id=child.pk, action=AuditEvent.Action.READ, summary__contains="safety rules for offline use"
    ).exists()


def test_without_an_intake_there_is_no_bundle(client: HttpClient, clinic: Clinic) -> None:
    baby = make_client(clinic.actor(Role.THERAPIST))
    client.force_login(clinic.user(Role.THERAPIST))
    response = client.get(f"/api/v1/clients/{baby.pk}/rules-bundle")
    assert response.status_code == 422
    assert "intake" in response.content.decode()
    child = _child_with_cancer(clinic)
    unknown = client.get(f"/api/v1/clients/{child.pk}/rules-bundle?protocol=no_such_programme")
    assert unknown.status_code == 422
    assert "no_such_programme" in unknown.content.decode()


def test_a_caregiver_gets_only_the_bundle_of_a_child_they_guard(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.other_client is not None
    client.force_login(clinic.user(Role.CAREGIVER))
    assert client.get(f"/api/v1/clients/{clinic.other_client.pk}/rules-bundle").status_code == 404


def test_on_a_real_record_with_releases_the_device_decides_as_the_server(
    clinic: Clinic, js: NodeRules
) -> None:
    child = _child_with_cancer(clinic)
    me = clinic.user(Role.THERAPIST)
    colleague = actor_for(make_member(clinic.org, Role.THERAPIST, email="colleague@example.org"))
    mine = clinic.actor(Role.THERAPIST)
    _release(mine, colleague, child, "cancer_release")  # counts for me
    _release(colleague, mine, child, "low_platelets")  # mine: for my own check a second word is needed
    ended = _release(mine, colleague, child, "low_neutrophils")
    Release.objects.filter(pk=ended.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    org = clinic.org
    org.settings = {**(org.settings or {}), "screening": {"platelet_min_per_microlitre": 60000}}
    org.save(update_fields=["settings"])
    child.refresh_from_db()

    now = timezone.now()
    bundle = selectors.rules_bundle_for(
        client=child, user_id=me.pk, protocol_id="child_hospital_comfort", now=now
    )
    assert {r["rule_id"]: r["by_you"] for r in bundle["releases"]} == {
        "cancer_release": False,
        "low_platelets": True,
        "low_neutrophils": False,
    }
    compared = 0
    for today in (
        _today(),
        _today(fever_today=True),
        _today(treatment_fatigue_today=True),
        _today(skin_findings=["dry_eczema"], infection_today=None),
        {},
    ):
        server = _server(child, me.pk, today, now)
        assert plain(device_screen(library=LIB, bundle=bundle, answers=today, now=now)) == server
        device = js.screen(bundle, today, now=now)
        assert device == server, differences(server, device)[:5]
        compared += 1
    reasons = {r["rule_id"]: r for r in server["reasons"]}
    assert reasons["cancer_release"]["released"] is True
    assert "second clinician" in reasons["low_platelets"]["release_void"]
    assert "it ended on" in reasons["low_neutrophils"]["release_void"]
    assert [s["value"] for s in reasons["low_platelets"]["settings"]] == [60000]
    # As the person who gave the release sees it, another therapist's device counts it.
    other = selectors.rules_bundle_for(
        client=child, user_id=colleague.user.pk, protocol_id="child_hospital_comfort", now=now
    )
    assert js.screen(other, _today(), now=now) == _server(child, colleague.user.pk, _today(), now)
    assert compared == 5


@pytest.mark.parametrize("minutes", [-90, -30, 30, 90])
def test_around_midnight_the_device_counts_the_day_where_the_server_does(
    clinic: Clinic, js: NodeRules, minutes: int
) -> None:
    """A preterm baby whose postmenstrual age reaches 35 weeks at midnight where the server counts days
    (TIME_ZONE, an hour ahead of UTC in summer): before it the young-PMA release is needed, after it not,
    on the device as on the server."""
    therapist = clinic.actor(Role.THERAPIST)
    day = timezone.localdate()
    baby = make_client(therapist, born_days_ago=35, weeks=30, days=0)  # 35+0 weeks on `day`
    intake = as_json(clear_answers(LIB, "preterm_infant", "intake"))
    services.intake_save(
        actor=therapist, client=baby, population="preterm_infant", answers=intake, expected_version=None
    )
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    now = (midnight + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)
    bundle = selectors.rules_bundle_for(
        client=baby, user_id=therapist.user.pk, protocol_id="preterm_tks_10d", now=now
    )
    assert bundle["time_zone"] == django_settings.TIME_ZONE
    today = as_json(clear_answers(LIB, "preterm_infant", "today"))
    verdict = selectors.screen_record(
        client=baby, protocol_id="preterm_tks_10d", today=today, user_id=therapist.user.pk, now=now
    ).verdict
    server = python_verdict(verdict)
    device = js.screen(bundle, today, now=now)
    assert device == server, differences(server, device)[:5]
    young = "young_pma" in {r["rule_id"] for r in device["reasons"]}
    assert young is (minutes < 0)


def test_a_week_old_bundle_is_refused_but_the_stop_rules_still_run(clinic: Clinic, js: NodeRules) -> None:
    child = _child_with_cancer(clinic)
    now = timezone.now()
    bundle = selectors.rules_bundle_for(client=child, user_id=clinic.user(Role.THERAPIST).pk, now=now)
    later = now + dt.timedelta(days=7)
    assert not js.expired(bundle, now + dt.timedelta(days=6, hours=23))
    assert js.expired(bundle, later)
    refused = js.screen(bundle, _today(), now=later)
    assert refused == plain(device_screen(library=LIB, bundle=bundle, answers=_today(), now=later))
    assert refused["ok"] is False
    assert "connect" in refused["errors"]["bundle"]
    # A stop in the middle of a session never waits for a network.
    assert js.observe(bundle, {"cues": ["vomiting"]})["action"] == "stop"
