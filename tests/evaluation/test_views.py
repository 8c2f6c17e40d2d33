"""The evaluation pages: designing a study, the allocation list, screening and randomising, follow-up,
CONSORT (page and SVG), the analysis and the dataset files, and the assessor's pages."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from kneadwell.accounts.roles import Role
from kneadwell.evaluation.models import Participant, Study, StudyMeasurement
from kwtest.evaluation import (
    CONTROL_ARM,
    MASSAGE_ARM,
    backdate,
    enrol,
    enter_weight,
    make_study,
    study_consent,
)
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db


def _as(client: HttpClient, clinic: Clinic, role: Role) -> HttpClient:
    client.force_login(clinic.user(role))
    return client


def test_a_study_is_designed_allocated_and_opened_through_the_pages(
    client: HttpClient, clinic: Clinic
) -> None:
    _as(client, clinic, Role.ADMIN)
    response = client.post(
        reverse("evaluation:study_create"),
        {
            "code": "tks",
            "title": "TKS and weight gain",
            "question": "Does TKS help?",
            "population": "Preterm",
            "eligibility": "gestation_weeks < 32",
            "screener_checks": "Clinically stable",
            "target_size": "6",
            "strata": ["gestation_band"],
            "gestation_cuts": "28",
            "block_sizes": "2, 4",
        },
    )
    study = Study.objects.get(code="TKS")
    assert response.status_code == 302
    for data in (
        {"code": "massage", "name": "TKS massage", "protocol_id": "preterm_tks_5d", "ratio": "1"},
        {"code": "control", "name": "Routine care", "protocol_id": "", "ratio": "1", "is_control": "on"},
    ):
        assert client.post(reverse("evaluation:arm_add", args=[study.pk]), data).status_code == 302
    outcome = {
        "code": "weight_gain",
        "name": "Daily weight gain",
        "instrument_id": "weight",
        "measure": "gain_per_day",
        "days": "0, 5",
        "baseline_day": "0",
        "analysis_day": "5",
        "window_days": "1",
        "primary": "on",
        "direction": "ge",
    }
    assert client.post(reverse("evaluation:outcome_add", args=[study.pk]), outcome).status_code == 302
    # Not yet: no allocation list.
    client.post(reverse("evaluation:study_open", args=[study.pk]), {"version": study.version})
    study.refresh_from_db()
    assert study.status == "draft"
    _as(client, clinic, Role.RESEARCHER)
    client.post(reverse("evaluation:allocation_generate", args=[study.pk]), {"seed": ""})
    page = client.get(reverse("evaluation:allocation", args=[study.pk])).content.decode()
    assert "regenerated from its seed: identical" in page
    assert "Gestation at birth (band) &lt;28" in page
    _as(client, clinic, Role.ADMIN)
    client.post(reverse("evaluation:study_open", args=[study.pk]), {"version": study.version})
    study.refresh_from_db()
    assert study.status == "recruiting"


def test_a_bad_design_keeps_what_was_typed_and_says_what_is_wrong(client: HttpClient, clinic: Clinic) -> None:
    _as(client, clinic, Role.ADMIN)
    response = client.post(
        reverse("evaluation:study_create"),
        {
            "code": "x",
            "title": "T",
            "question": "Q",
            "population": "P",
            "target_size": "6",
            "eligibility": "weight > 3",
            "block_sizes": "2, four",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Whole numbers separated by commas" in html
    assert not Study.objects.exists()


def test_screening_and_randomising_through_the_pages(client: HttpClient, clinic: Clinic) -> None:
    study = make_study(clinic, screener_checks=["Clinically stable"])
    baby = make_client(clinic.actor(Role.THERAPIST))
    study_consent(clinic, baby)
    _as(client, clinic, Role.THERAPIST)
    form = client.get(reverse("evaluation:screen", args=[study.pk]) + f"?client={baby.pk}").content.decode()
    assert "Clinically stable" in form
    response = client.post(
        reverse("evaluation:screen", args=[study.pk]),
        {"client": baby.pk, "decision": "enrol", "check_0": "on"},
    )
    p = Participant.objects.get(client=baby)
    assert response["Location"] == reverse("evaluation:participant", args=[study.pk, p.pk])
    before = client.get(response["Location"]).content.decode()
    assert "Allocated to" not in before
    assert "Randomise" in before
    # Without the confirmation tick nothing happens.
    client.post(reverse("evaluation:randomise", args=[study.pk, p.pk]))
    p.refresh_from_db()
    assert p.arm_id is None
    client.post(reverse("evaluation:randomise", args=[study.pk, p.pk]), {"confirm": "yes"})
    p.refresh_from_db()
    assert p.arm is not None
    after = client.get(reverse("evaluation:participant", args=[study.pk, p.pk])).content.decode()
    assert f"Allocated to {p.arm.name}" in after
    again = client.post(
        reverse("evaluation:randomise", args=[study.pk, p.pk]), {"confirm": "yes"}, follow=True
    )
    assert "irreversible" in again.content.decode()


def test_a_researcher_sees_study_numbers_never_names(client: HttpClient, clinic: Clinic) -> None:
    study = make_study(clinic)
    p = enrol(clinic, study)
    names = (p.client.family_name, p.client.given_name + " " + p.client.family_name)
    _as(client, clinic, Role.RESEARCHER)
    for url in (
        reverse("evaluation:study", args=[study.pk]),
        reverse("evaluation:participant", args=[study.pk, p.pk]),
        reverse("evaluation:followup", args=[study.pk]),
        reverse("evaluation:allocation", args=[study.pk]),
        reverse("evaluation:analysis", args=[study.pk]),
    ):
        html = client.get(url).content.decode()
        assert p.code in html or "analysis" in url
        assert names[0] not in html, url
    _as(client, clinic, Role.THERAPIST)
    assert p.client.family_name in client.get(reverse("evaluation:study", args=[study.pk])).content.decode()


def test_consort_page_svg_analysis_and_dataset(client: HttpClient, clinic: Clinic) -> None:
    study = make_study(clinic, target_size=8)
    for grams in (1400, 1420, 1380, 1450):
        p = backdate(enrol(clinic, study), 6)
        enter_weight(clinic, p, 0, grams)
        enter_weight(clinic, p, 5, grams + 90)
    _as(client, clinic, Role.ADMIN)
    consort = client.get(reverse("evaluation:consort", args=[study.pk])).content.decode()
    assert "Randomised (n=4)" in consort
    assert "<svg" in consort
    svg = client.get(reverse("evaluation:consort_svg", args=[study.pk]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.decode().startswith("<svg")
    analysis = client.get(reverse("evaluation:analysis", args=[study.pk])).content.decode()
    assert "Adjusted difference (ANCOVA)" in analysis
    assert "18.00" in analysis  # every baby gained 90 g in 5 days
    data = client.get(reverse("evaluation:dataset_csv", args=[study.pk]))
    assert data["Content-Type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(data.content.decode()))
    assert list(frame["weight_gain"]) == [18.0] * 4
    assert set(frame["arm"]) <= {"massage", "control"}
    dictionary = client.get(reverse("evaluation:dictionary_csv", args=[study.pk])).content.decode()
    assert dictionary.splitlines()[0] == "variable,label,type,unit,values"


def test_the_assessor_enters_an_outcome_seeing_nothing_of_the_arm(client: HttpClient, clinic: Clinic) -> None:
    study = make_study(clinic)
    p = enrol(clinic, study)
    _as(client, clinic, Role.ASSESSOR)
    worklist = client.get(reverse("evaluation:assess")).content.decode()
    assert p.client.family_name in worklist
    url = reverse("evaluation:assess_entry", args=[p.pk, "weight"]) + "?day=0"
    assert url.replace("?", "?") in worklist
    entry = client.get(url).content.decode()
    for page in (worklist, entry):
        for secret in (MASSAGE_ARM, CONTROL_ARM, "preterm_tks_5d", "TKS massage", "Allocated"):
            assert secret not in page
    response = client.post(
        url, {"taken_at": p.randomised_at.strftime("%Y-%m-%dT%H:%M"), "value": "1410", "unit": "g"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry_row = StudyMeasurement.objects.get(participant=p)
    assert entry_row.blinded is True
    assert client.get(reverse("evaluation:study", args=[study.pk])).status_code == 403
