"""Issue 9 through the API and the pages: a session starts only on a fresh check of the current record,
releases are tied to the finding and to a second clinician, contradictions are refused, a parent's session
has no trained-only steps, and nothing is screened before consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session
from kneadwell.library import services as library_services
from kneadwell.library.models import ReadinessCheck, Release
from kwtest.people import Clinic, make_client, make_member
from kwtest.screening import clear_answers

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, http: HttpClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        return getattr(self.http, method)(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


def as_json(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime | dt.date) else v for k, v in answers.items()}


@pytest.fixture
def api(client: HttpClient, clinic: Clinic) -> Api:
    return Api(client, clinic.token(Role.THERAPIST))


def _term_baby(clinic: Clinic, **extra: Any) -> Any:
    return make_client(clinic.actor(Role.THERAPIST), born_days_ago=60, weeks=39, days=3, **extra)


def _intake(api: Api, client_id: int, population: str, **changes: Any) -> Any:
    answers = as_json({**clear_answers(population, "intake"), **changes})
    return api("put", f"/clients/{client_id}/intake", {"population": population, "answers": answers})


def _check(api: Api, client_id: int, protocol: str, population: str, **changes: Any) -> Any:
    today = as_json({**clear_answers(population, "today"), **changes})
    return api("post", f"/clients/{client_id}/readiness-checks", {"protocol_id": protocol, "answers": today})


def _reasons(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["rule_id"]: r for r in check["verdict"]["reasons"]}


# --- a session starts only on a fresh check of the current record -------------------------------------


def test_a_go_check_cannot_start_a_session_after_new_contraindications(api: Api, clinic: Clinic) -> None:
    baby = _term_baby(clinic)
    assert _intake(api, baby.pk, "infant").status_code == 200
    check = _check(api, baby.pk, "iaim_parent_routine", "infant")
    assert check.json()["action"] == "go"
    intake = api("get", f"/clients/{baby.pk}/intake").json()
    changed = {**intake["answers"], "recent_bleeding": True}
    response = api(
        "put",
        f"/clients/{baby.pk}/intake",
        {"population": "infant", "answers": changed, "version": intake["version"]},
    )
    assert response.status_code == 200, response.content

    listed = api("get", f"/clients/{baby.pk}/readiness-checks").json()[0]
    assert "record changed" in listed["stale"]
    start = api("post", f"/clients/{baby.pk}/sessions", {"check_id": check.json()["id"]})
    assert start.status_code == 409
    assert "record changed" in start.json()["detail"]
    assert not Session.objects.filter(client=baby).exists()


def test_a_new_condition_on_the_client_also_makes_the_check_stale(api: Api, clinic: Clinic) -> None:
    baby = _term_baby(clinic)
    _intake(api, baby.pk, "infant")
    check = _check(api, baby.pk, "iaim_parent_routine", "infant").json()
    baby.conditions = ["bleeding_disorder"]
    baby.save(update_fields=["conditions"])
    start = api("post", f"/clients/{baby.pk}/sessions", {"check_id": check["id"]})
    assert start.status_code == 409
    # The check run again on the current record now blocks, naming the finding.
    again = _check(api, baby.pk, "iaim_parent_routine", "infant").json()
    assert again["action"] == "needs-release"
    assert "bleeding_disorder" in _reasons(again)


def test_yesterdays_check_shows_no_start_button_and_cannot_start(
    client: HttpClient, api: Api, clinic: Clinic
) -> None:
    baby = _term_baby(clinic)
    _intake(api, baby.pk, "infant")
    check_id = _check(api, baby.pk, "iaim_parent_routine", "infant").json()["id"]
    ReadinessCheck.objects.filter(pk=check_id).update(created_at=timezone.now() - dt.timedelta(days=1))

    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("library:check_result", args=[baby.pk, check_id])).content.decode()
    assert "Start the session" not in page
    assert "Do today&#x27;s check again" in page or "Do today's check again" in page
    start = api("post", f"/clients/{baby.pk}/sessions", {"check_id": check_id})
    assert start.status_code == 409
    assert "Do today's check again" in start.json()["detail"]


def test_a_fresh_check_shows_start_and_starts(client: HttpClient, api: Api, clinic: Clinic) -> None:
    baby = _term_baby(clinic)
    _intake(api, baby.pk, "infant")
    check_id = _check(api, baby.pk, "iaim_parent_routine", "infant").json()["id"]
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("library:check_result", args=[baby.pk, check_id])).content.decode()
    assert "Start the session" in page
    assert api("post", f"/clients/{baby.pk}/sessions", {"check_id": check_id}).status_code == 201


# --- releases: a second clinician, a reason, an end, and the finding as it was -----------------------


def _oncology_child(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST),
        born_days_ago=365 * 8,
        weeks=None,
        days=None,
        birth_weight_g=None,
        conditions=["cancer"],
    )


def _checked_oncology_child(clinic: Clinic, api: Api, **today: Any) -> tuple[Any, dict[str, Any]]:
    """A child with cancer, platelets 120,000, neutrophils 2,500 and no tumour site, and today's
    hospital-comfort check (run through `api`, with `today` changed), as the API returned it."""
    child = _oncology_child(clinic)
    _intake(api, child.pk, "child", platelet_count=120000, neutrophil_count=2500, tumour_regions=[])
    return child, _check(api, child.pk, "child_hospital_comfort", "child", **today).json()


def test_a_release_is_tied_to_the_platelet_count_it_was_given_for(client: HttpClient, clinic: Clinic) -> None:
    runner = Api(client, clinic.token(Role.THERAPIST))
    second = make_member(clinic.org, Role.THERAPIST, email="second@example.org")
    from kwtest.people import actor_for

    releaser = actor_for(second)
    child = _oncology_child(clinic)
    assert (
        _intake(
            runner, child.pk, "child", platelet_count=30000, neutrophil_count=2500, tumour_regions=["abdomen"]
        ).status_code
        == 200
    )
    first = _check(runner, child.pk, "child_hospital_comfort", "child").json()
    assert first["action"] == "needs-release"
    assert {"cancer_release", "low_platelets"} <= set(_reasons(first))
    check = ReadinessCheck.objects.get(pk=first["id"])
    for rule_id in ("cancer_release", "low_platelets"):
        library_services.release_give(
            actor=releaser,
            client=child,
            check=check,
            rule_id=rule_id,
            note="Platelets 30,000 on the ward count; oncology team agrees to light touch",
        )
    release = Release.objects.get(client=child, rule_id="low_platelets")
    assert release.finding == {"answer:platelet_count": 30000.0, "conditions": ["cancer"]}
    assert release.valid_until == timezone.localdate() + dt.timedelta(days=7)

    released = _check(runner, child.pk, "child_hospital_comfort", "child").json()
    assert released["blocks"] is False
    assert _reasons(released)["low_platelets"]["released"] is True

    intake = runner("get", f"/clients/{child.pk}/intake").json()
    lower = {**intake["answers"], "platelet_count": 5000}
    put = runner(
        "put",
        f"/clients/{child.pk}/intake",
        {"population": "child", "answers": lower, "version": intake["version"]},
    )
    assert put.status_code == 200
    assert runner("post", f"/clients/{child.pk}/sessions", {"check_id": released["id"]}).status_code == 409
    after = _check(runner, child.pk, "child_hospital_comfort", "child").json()
    assert after["action"] == "needs-release"
    reason = _reasons(after)["low_platelets"]
    assert reason["released"] is False
    assert "does not apply" in reason["release_void"]
    assert "5,000" in reason["release_void"]
    assert "30,000" in reason["release_void"]


def test_the_person_who_ran_the_check_cannot_release_it(api: Api, clinic: Clinic) -> None:
    child, check = _checked_oncology_child(clinic, api)
    response = api(
        "post",
        f"/clients/{child.pk}/releases",
        {"check_id": check["id"], "rule_id": "cancer_release", "note": "Seen by the oncology team today"},
    )
    assert response.status_code == 422
    assert "second clinician" in response.content.decode()


def test_a_release_needs_a_real_reason_and_cannot_release_a_stop(client: HttpClient, clinic: Clinic) -> None:
    runner = Api(client, clinic.token(Role.THERAPIST))
    child, check = _checked_oncology_child(clinic, runner, fever_today=True)
    admin = Api(client, clinic.token(Role.ADMIN))
    too_short = admin(
        "post",
        f"/clients/{child.pk}/releases",
        {"check_id": check["id"], "rule_id": "cancer_release", "note": "ok"},
    )
    assert too_short.status_code == 422
    assert too_short.json()["field"] == "note"
    stop = admin(
        "post",
        f"/clients/{child.pk}/releases",
        {"check_id": check["id"], "rule_id": "fever", "note": "Temperature is fine, I checked it myself"},
    )
    assert stop.status_code == 422
    assert "a stop cannot" in stop.content.decode()


def test_a_release_ends_within_seven_days(client: HttpClient, clinic: Clinic) -> None:
    runner = Api(client, clinic.token(Role.THERAPIST))
    child, check = _checked_oncology_child(clinic, runner)
    admin = Api(client, clinic.token(Role.ADMIN))
    late = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = admin(
        "post",
        f"/clients/{child.pk}/releases",
        {
            "check_id": check["id"],
            "rule_id": "cancer_release",
            "note": "Oncology consultant agrees, counts stable",
            "valid_until": late,
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "valid_until"


# --- answers that cannot both be true, and measured values ------------------------------------------


def test_not_vaccinated_with_a_vaccination_time_is_a_422(api: Api, clinic: Clinic) -> None:
    baby = _term_baby(clinic)
    _intake(api, baby.pk, "infant")
    five_hours_ago = timezone.now() - dt.timedelta(hours=5)
    response = _check(
        api,
        baby.pk,
        "iaim_parent_routine",
        "infant",
        vaccinated_recently=False,
        vaccination_at=five_hours_ago,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "vaccination_at"
    assert not ReadinessCheck.objects.filter(client=baby).exists()


def test_a_measured_fever_overrules_a_no(api: Api, clinic: Clinic) -> None:
    baby = _term_baby(clinic)
    _intake(api, baby.pk, "infant")
    check = _check(
        api, baby.pk, "iaim_parent_routine", "infant", fever_today=False, temperature_c=39.2
    ).json()
    assert check["action"] == "stop"
    assert "more cautious reading" in _reasons(check)["fever"]["note"]


def test_a_dvt_written_only_in_words_needs_a_clinician(api: Api, clinic: Clinic) -> None:
    adult = make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=365 * 40, weeks=None, days=None, birth_weight_g=None
    )
    _intake(api, adult.pk, "rehab", injury_description="Achilles repair in May; DVT left calf in June")
    check = _check(api, adult.pk, "rehab_injury_postop", "rehab").json()
    assert check["action"] == "needs-release"
    assert "a blood clot" in _reasons(check)["history_mentions_risk"]["note"]


def test_an_intake_whose_group_contradicts_the_record_is_refused(api: Api, clinic: Clinic) -> None:
    preterm = make_client(clinic.actor(Role.THERAPIST), born_days_ago=28, weeks=27, days=0)
    response = _intake(api, preterm.pk, "infant")
    assert response.status_code == 422
    assert "Preterm baby" in response.content.decode()


# --- consent first, and a parent's session ------------------------------------------------------------


def test_no_intake_before_consent(api: Api, clinic: Clinic) -> None:
    baby = make_client(clinic.actor(Role.THERAPIST), consent=False, born_days_ago=60, weeks=39, days=3)
    response = _intake(api, baby.pk, "infant")
    assert response.status_code == 409
    assert "consent" in response.content.decode().lower()


def test_a_parents_session_leaves_out_trained_only_steps(client: HttpClient, clinic: Clinic) -> None:
    baby = _term_baby(clinic, guardian_user=clinic.user(Role.CAREGIVER))
    therapist = Api(client, clinic.token(Role.THERAPIST))
    _intake(therapist, baby.pk, "infant")
    parent = Api(client, clinic.token(Role.CAREGIVER))
    for api, role in ((parent, Role.CAREGIVER), (therapist, Role.THERAPIST)):
        check = _check(api, baby.pk, "neonatal_practice", "infant").json()
        started = api("post", f"/clients/{baby.pk}/sessions", {"check_id": check["id"]})
        assert started.status_code == 201, started.content
        session = Session.objects.get(pk=started.json()["id"])
        techniques = {s["technique"] for s in session.steps}
        if role is Role.CAREGIVER:
            assert not techniques & {"myofascial_release", "lymphatic_drainage"}
            assert any("trained therapist" in d["why"] for d in session.dropped_steps)
        else:
            assert {"myofascial_release", "lymphatic_drainage"} <= techniques
        api("post", f"/sessions/{session.pk}/stop", {"reason": "test over"})


def test_the_wound_question_is_asked_and_read_when_the_intake_names_an_operation(
    client: HttpClient, api: Api, clinic: Clinic
) -> None:
    adult = make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=365 * 40, weeks=None, days=None, birth_weight_g=None
    )
    operated = timezone.localdate() - dt.timedelta(weeks=30)
    _intake(api, adult.pk, "rehab", had_surgery=True, surgery_date=operated, surgery_regions=["left_ankle"])
    client.force_login(clinic.user(Role.THERAPIST))
    url = reverse("library:check", args=[adult.pk]) + "?protocol=rehab_injury_postop"
    assert "Is the surgical wound fully closed and healed?" in client.get(url).content.decode()
    from kwtest.screening import clear_form

    client.post(url, {**clear_form("rehab", "today"), "surgical_wound_healed": "no"})
    check = ReadinessCheck.objects.get(client=adult)
    assert check.answers["surgical_wound_healed"] is False
    reasons = {r["rule_id"]: r for r in check.verdict["reasons"]}
    assert reasons["surgical_site_unhealed"]["regions"] == ["left_ankle"]
    assert reasons["surgical_site_unhealed"]["unanswered"] == []


def test_an_administrator_sets_who_may_release(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    url = reverse("library:release_settings")
    assert client.post(url, {"roles": ["admin"], "self_release": "on"}).status_code == 302
    clinic.org.refresh_from_db()
    assert clinic.org.settings["releases"] == {"roles": ["admin"], "self_release": True}
    assert "This field is required" in client.post(url, {}).content.decode()
    runner = Api(client, clinic.token(Role.THERAPIST))
    child, check = _checked_oncology_child(clinic, runner)
    refused = runner(
        "post",
        f"/clients/{child.pk}/releases",
        {"check_id": check["id"], "rule_id": "cancer_release", "note": "Oncology team agrees today"},
    )
    assert refused.status_code == 403


def test_an_ended_release_and_ones_own_release_say_why_they_do_not_count(
    client: HttpClient, clinic: Clinic
) -> None:
    runner = Api(client, clinic.token(Role.THERAPIST))
    child, checked = _checked_oncology_child(clinic, runner)
    check = ReadinessCheck.objects.get(pk=checked["id"])
    admin = clinic.actor(Role.ADMIN)
    library_services.release_give(
        actor=admin,
        client=child,
        check=check,
        rule_id="cancer_release",
        note="Oncology team agrees, counts stable",
    )
    assert _check(runner, child.pk, "child_hospital_comfort", "child").json()["blocks"] is False
    # The administrator's own check: a release they gave does not count for them.
    own = Api(client, clinic.token(Role.ADMIN))
    theirs = _reasons(_check(own, child.pk, "child_hospital_comfort", "child").json())["cancer_release"]
    assert theirs["released"] is False
    assert "second clinician" in theirs["release_void"]
    # Once it has ended, it does not count for anyone, and the check says since when.
    Release.objects.filter(client=child).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    ended = _reasons(_check(runner, child.pk, "child_hospital_comfort", "child").json())["cancer_release"]
    assert ended["released"] is False
    assert "it ended on" in ended["release_void"]


def test_the_library_api_takes_strict_bodies(api: Api, clinic: Clinic) -> None:
    baby = _term_baby(clinic)
    _intake(api, baby.pk, "infant")
    check = _check(api, baby.pk, "iaim_parent_routine", "infant").json()
    as_text = api(
        "post",
        f"/clients/{baby.pk}/releases",
        {"check_id": str(check["id"]), "rule_id": "jaundice", "note": "Seen by the neonatal team today"},
    )
    assert as_text.status_code == 422
    assert as_text.json()["field"] == "check_id"
    not_an_object = api("post", f"/clients/{baby.pk}/readiness-checks", [None, None])
    assert not_an_object.status_code == 422
