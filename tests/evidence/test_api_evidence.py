"""The evidence API: claims with certainty, studies, findings, pooling, and CRUD for analyses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.evidence import selectors
from kneadwell.evidence.analysis_rows import analyse, effects_for
from kneadwell.evidence.library import load_evidence
from kneadwell.evidence.models import MetaAnalysis
from kneadwell.evidence.outcome_pool import pool_outcome
from kwtest.evidence import poolable_library
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evidence"
LIB = load_evidence()
ROWS = [
    {
        "study": "Aronson 1948",
        "events_treatment": 4,
        "n_treatment": 123,
        "events_control": 11,
        "n_control": 139,
    },
    {
        "study": "Ferguson 1949",
        "events_treatment": 6,
        "n_treatment": 306,
        "events_control": 29,
        "n_control": 303,
    },
    {
        "study": "Rosenthal 1960",
        "events_treatment": 3,
        "n_treatment": 231,
        "events_control": 11,
        "n_control": 220,
    },
]
BODY = {"title": "BCG", "outcome": "Tuberculosis", "measure": "RR", "rows": ROWS}


def call(
    http: HttpClient, clinic: Clinic, method: str, path: str, body: Any = None, role: Role = Role.RESEARCHER
):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {clinic.token(role)}"}
    return getattr(http, method)(BASE + path, body, content_type="application/json", headers=headers)


def test_claims_come_with_certainty_in_words_and_can_be_filtered(client: HttpClient, clinic: Clinic) -> None:
    claims = call(client, clinic, "get", "/claims?population=child&condition=asthma").json()
    assert {c["id"] for c in claims} == {"child_asthma_lung_function"}
    everything = call(client, clinic, "get", "/claims", role=Role.CAREGIVER).json()
    assert len(everything) == len(LIB.claims)
    for item in everything:
        claim = LIB.claim(item["id"])
        assert item["certainty"] == claim.certainty
        assert item["certainty_label"] == selectors.CERTAINTY_WORDS[claim.certainty]
        assert item["grade"]["reason"] == claim.grade.reason
    supported = call(client, clinic, "get", "/claims?include_unsupported=false&category=relief").json()
    assert supported
    assert all(c["evidence"] != "no_evidence_found" and c["category"] == "relief" for c in supported)


def test_an_unknown_filter_is_a_422_and_an_unknown_claim_a_404(client: HttpClient, clinic: Clinic) -> None:
    assert call(client, clinic, "get", "/claims?population=martians").status_code == 422
    response = call(client, clinic, "get", "/claims/no_such_claim")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_one_claim_and_one_study(client: HttpClient, clinic: Clinic) -> None:
    claim = call(client, clinic, "get", "/claims/preterm_weight_gain").json()
    assert claim["certainty"] == "low"
    assert claim["grade"]["downgrades"][0]["domain"] == "risk_of_bias"
    assert claim["studies"][0] == "vickers_2004_cochrane"
    study = call(client, clinic, "get", "/studies/vickers_2004_cochrane").json()
    assert study["citation"]["short"] == "Vickers et al. 2004"
    assert study["risk_of_bias"]["reason"]
    assert "preterm_weight_gain" in study["claims"]
    assert {f["id"] for f in study["findings"]} >= {"vickers_2004_weight_gain"}
    assert call(client, clinic, "get", "/studies/nope").status_code == 404


def test_outcomes_and_their_findings(client: HttpClient, clinic: Clinic) -> None:
    outcomes = call(client, clinic, "get", "/outcomes").json()
    assert not any(o["poolable"] for o in outcomes)
    findings = call(client, clinic, "get", "/outcomes/weight_gain/findings").json()
    assert {f["id"] for f in findings} == {f.id for f in LIB.findings_for_outcome("weight_gain")}
    assert call(client, clinic, "get", "/outcomes/happiness/findings").status_code == 404


def test_pooling_a_shipped_outcome_is_a_422_that_says_why(client: HttpClient, clinic: Clinic) -> None:
    response = call(client, clinic, "get", "/outcomes/weight_gain/pool")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Not poolable")
    assert call(client, clinic, "get", "/outcomes/happiness/pool").status_code == 404


def test_pooling_a_poolable_outcome_equals_meta_analyse(
    client: HttpClient, clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = poolable_library(tmp_path / "content")
    monkeypatch.setattr(selectors, "library", lambda: lib)
    body = call(client, clinic, "get", "/outcomes/crying/pool?method=PM").json()
    _, expected = pool_outcome(lib, "crying", "PM")
    for key, value in expected.to_json_dict().items():
        assert body[key] == value, key
    assert body["findings"] == ["a_crying", "b_crying"]
    assert body["related_claims"] == []
    assert [s["label"] for s in body["studies"]] == list(expected.effects.labels)


def test_analyses_are_created_read_changed_pooled_and_deleted(client: HttpClient, clinic: Clinic) -> None:
    created = call(client, clinic, "post", "/analyses", BODY)
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["rows"] == ROWS
    assert item["version"] == 1
    analysis = MetaAnalysis.objects.get(pk=item["id"])
    result = call(
        client, clinic, "get", f"/analyses/{item['id']}/result?method=DL", role=Role.CAREGIVER
    ).json()
    expected = analyse(effects_for(ROWS, "RR"), "DL")
    for key, value in expected.to_json_dict().items():
        assert result[key] == value, key
    changed = call(client, clinic, "patch", f"/analyses/{item['id']}", {"version": 1, "method": "PM"}).json()
    assert (changed["method"], changed["version"]) == ("PM", 2)
    stale = call(client, clinic, "patch", f"/analyses/{item['id']}", {"version": 1, "title": "Old"})
    assert stale.status_code == 409
    assert call(client, clinic, "get", "/analyses").json()[0]["id"] == analysis.pk
    assert call(client, clinic, "delete", f"/analyses/{item['id']}?version=1").status_code == 409
    deleted = call(client, clinic, "delete", f"/analyses/{item['id']}?version=2")
    assert deleted.json() == {"id": analysis.pk, "deleted": True}
    actions = set(AuditEvent.objects.filter(entity="meta_analysis").values_list("action", flat=True))
    assert actions == {"create", "update", "delete"}


def test_a_bad_row_is_a_422_naming_row_and_column_and_nothing_is_saved(
    client: HttpClient, clinic: Clinic
) -> None:
    rows = [*ROWS[:2], {**ROWS[2], "events_control": 300}]
    response = call(client, clinic, "post", "/analyses", {**BODY, "rows": rows})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "rows",
        "message": "Row 3 (study 'Rosenthal 1960'), column 'events_control': "
        "300 events is more than n_control = 220",
    }
    missing = call(client, clinic, "post", "/analyses", {**BODY, "rows": [{"study": "A", "yi": 0.1}]})
    assert missing.status_code == 422
    assert missing.json()["detail"].endswith("or the generic columns study, yi, vi.")
    assert not MetaAnalysis.objects.exists()


def test_numbers_must_be_finite(client: HttpClient, clinic: Clinic) -> None:
    headers = {"Authorization": f"Bearer {clinic.token(Role.RESEARCHER)}"}
    body = '{"title": "T", "outcome": "O", "measure": "MD", "rows": [{"study": "A", "yi": NaN, "vi": 1}]}'
    response = client.post(BASE + "/analyses", body, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert not MetaAnalysis.objects.exists()


def test_only_editors_write_and_another_organisation_gets_404(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    assert call(client, clinic, "post", "/analyses", BODY, role=Role.THERAPIST).status_code == 403
    item = call(client, clinic, "post", "/analyses", BODY).json()
    for method, path, body in (
        ("get", f"/analyses/{item['id']}", None),
        ("get", f"/analyses/{item['id']}/result", None),
        ("patch", f"/analyses/{item['id']}", {"version": 1, "title": "Taken"}),
        ("delete", f"/analyses/{item['id']}?version=1", None),
    ):
        response = call(client, outsider, method, path, body)
        assert response.status_code == 404, (method, path)
    assert call(client, outsider, "get", "/analyses").json() == []
    assert MetaAnalysis.objects.get().title == "BCG"
