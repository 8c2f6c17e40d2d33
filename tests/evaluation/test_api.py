"""The evaluation API: the whole path of a study through it, another organisation's study a 404, names
never sent to a researcher, the assessor's list carrying nothing of the arm, bad input a 422 naming it."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kwtest.evaluation import MASSAGE_ARM, backdate, enrol, enter_weight, make_study, study_consent
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def _call(client: HttpClient, clinic: Clinic, role: Role, method: str, path: str, body: object = None):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        "/api/v1" + path,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {clinic.token(role)}"},
    )


def test_a_study_from_design_to_analysis_through_the_api(client: HttpClient, clinic: Clinic) -> None:
    created = _call(
        client,
        clinic,
        Role.RESEARCHER,
        "post",
        "/studies",
        {
            "code": "API",
            "title": "TKS",
            "question": "Q",
            "population": "P",
            "target_size": 8,
            "eligibility": "gestation_weeks < 32",
            "block_sizes": [2, 4],
        },
    )
    assert created.status_code == 201, created.json()
    sid = created.json()["id"]
    for arm in (
        {"code": "massage", "name": "Massage"},
        {"code": "control", "name": "Care", "is_control": True},
    ):
        assert _call(client, clinic, Role.RESEARCHER, "post", f"/studies/{sid}/arms", arm).status_code == 201
    outcome = {
        "code": "weight_gain",
        "name": "Gain",
        "instrument_id": "weight",
        "measure": "gain_per_day",
        "days": [0, 5],
        "baseline_day": 0,
        "analysis_day": 5,
        "primary": True,
    }
    assert _call(client, clinic, Role.ADMIN, "post", f"/studies/{sid}/outcomes", outcome).status_code == 201
    listing = _call(
        client, clinic, Role.RESEARCHER, "post", f"/studies/{sid}/allocation/generate", {"seed": "s1"}
    )
    assert listing.status_code == 201
    assert listing.json()["reproduces"] is True
    version = _call(client, clinic, Role.ADMIN, "get", f"/studies/{sid}").json()["version"]
    opened = _call(client, clinic, Role.ADMIN, "post", f"/studies/{sid}/open", {"version": version})
    assert opened.json()["status"] == "recruiting"
    baby = make_client(clinic.actor(Role.THERAPIST))
    study_consent(clinic, baby)
    screened = _call(
        client, clinic, Role.THERAPIST, "post", f"/studies/{sid}/participants", {"client_id": baby.pk}
    )
    assert screened.status_code == 201
    assert screened.json()["status"] == "eligible"
    pid = screened.json()["id"]
    randomised = _call(client, clinic, Role.THERAPIST, "post", f"/studies/{sid}/participants/{pid}/randomise")
    assert randomised.json()["arm"] in ("massage", "control")
    again = _call(client, clinic, Role.THERAPIST, "post", f"/studies/{sid}/participants/{pid}/randomise")
    assert again.status_code == 400
    assert "irreversible" in again.json()["detail"]
    entered = _call(
        client,
        clinic,
        Role.ASSESSOR,
        "post",
        f"/assessments/{pid}/measurements",
        {
            "instrument_id": "weight",
            "day": 0,
            "taken_at": str(timezone.localdate()),
            "answers": {"value": 1400, "unit": "g"},
            "confirm_unusual": True,
        },
    )
    assert entered.status_code == 201, entered.json()
    assert entered.json()["blinded"] is True
    consort = _call(client, clinic, Role.RESEARCHER, "get", f"/studies/{sid}/consort").json()
    assert (consort["assessed"], consort["randomised"]) == (1, 1)
    analysis = _call(client, clinic, Role.RESEARCHER, "get", f"/studies/{sid}/analysis").json()
    assert analysis["population"] == "itt"
    assert (
        analysis["outcomes"][0]["arms"][0]["randomised"] + analysis["outcomes"][0]["arms"][1]["randomised"]
        == 1
    )


def test_the_exported_csv_reproduces_the_api_analysis(client: HttpClient, clinic: Clinic) -> None:
    import statsmodels.formula.api as smf

    study = make_study(clinic, target_size=8)
    for grams, gain in ((1400, 100), (1420, 60), (1380, 110), (1450, 50), (1500, 95), (1390, 40)):
        p = backdate(enrol(clinic, study), 6)
        enter_weight(clinic, p, 0, grams)
        enter_weight(clinic, p, 5, grams + gain)
    csv = _call(client, clinic, Role.RESEARCHER, "get", f"/studies/{study.pk}/dataset.csv")
    frame = pd.read_csv(io.StringIO(csv.content.decode()))
    fitted = smf.ols('weight_gain ~ C(arm, Treatment("control")) + weight_gain_baseline', data=frame).fit()
    api = _call(client, clinic, Role.RESEARCHER, "get", f"/studies/{study.pk}/analysis").json()
    ancova = next(
        c for c in api["outcomes"][0]["comparisons"] if c["measure"] == "adjusted difference (ANCOVA)"
    )
    term = 'C(arm, Treatment("control"))[T.massage]'
    assert ancova["estimate"] == pytest.approx(fitted.params[term], rel=1e-12)
    assert ancova["ci_low"] == pytest.approx(fitted.conf_int().loc[term, 0], rel=1e-12)


def test_another_organisations_study_is_not_found(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    theirs = make_study(outsider)
    participant = enrol(outsider, theirs)
    for role, path in (
        (Role.ADMIN, f"/studies/{theirs.pk}"),
        (Role.RESEARCHER, f"/studies/{theirs.pk}/allocation"),
        (Role.RESEARCHER, f"/studies/{theirs.pk}/analysis"),
        (Role.THERAPIST, f"/studies/{theirs.pk}/participants/{participant.pk}"),
    ):
        assert _call(client, clinic, role, "get", path).status_code == 404, path
    body = {
        "instrument_id": "weight",
        "day": 0,
        "taken_at": str(timezone.localdate()),
        "answers": {"value": 1400, "unit": "g"},
    }
    assert (
        _call(
            client, clinic, Role.ASSESSOR, "post", f"/assessments/{participant.pk}/measurements", body
        ).status_code
        == 404
    )
    assert _call(client, clinic, Role.ASSESSOR, "get", "/assessments").json() == []


def test_a_researcher_gets_study_numbers_and_no_client_ids(client: HttpClient, clinic: Clinic) -> None:
    study = make_study(clinic)
    enrol(clinic, study)
    rows = _call(client, clinic, Role.RESEARCHER, "get", f"/studies/{study.pk}/participants").json()
    assert rows[0]["code"] == "TKS-001"
    assert rows[0]["client_id"] is None
    mine = _call(client, clinic, Role.THERAPIST, "get", f"/studies/{study.pk}/participants").json()
    assert mine[0]["client_id"] is not None


def test_the_assessors_list_carries_nothing_of_the_arm(client: HttpClient, clinic: Clinic) -> None:
    study = make_study(clinic)
    p = enrol(clinic, study)
    response = _call(client, clinic, Role.ASSESSOR, "get", "/assessments")
    tasks = response.json()
    assert {t["participant_code"] for t in tasks} == {p.code}
    assert "arm" not in tasks[0]
    assert MASSAGE_ARM not in response.content.decode()


def test_bad_design_input_is_a_422_naming_the_field(client: HttpClient, clinic: Clinic) -> None:
    response = _call(
        client,
        clinic,
        Role.ADMIN,
        "post",
        "/studies",
        {
            "code": "BAD",
            "title": "T",
            "question": "Q",
            "population": "P",
            "target_size": 8,
            "eligibility": "weight > 3",
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "eligibility"
    assert "is not a criterion" in response.json()["detail"]
