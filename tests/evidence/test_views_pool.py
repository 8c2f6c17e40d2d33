"""The pooling pages: the library's outcomes (none poolable in the shipped library, said plainly), a
pooled outcome from a test library, and a researcher's own analyses entered in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.evidence import selectors
from kneadwell.evidence.analysis_rows import analyse, effects_for
from kneadwell.evidence.library import EvidenceLibrary
from kneadwell.evidence.meta.pooling import MetaResult
from kneadwell.evidence.models import MetaAnalysis
from kneadwell.evidence.outcome_pool import pool_outcome
from kwtest.evidence import certainties, poolable_library
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

CSV = (
    "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
    "Trial A,25.1,6.0,20,19.8,5.5,20\n"
    "Trial B,22.4,7.2,31,20.9,6.8,29\n"
    "Trial C,27.0,8.1,15,18.5,7.7,16\n"
)
DETAILS = {
    "title": "Weight gain trials",
    "outcome": "Daily weight gain (g/day)",
    "outcome_code": "weight_gain",
    "measure": "MD",
    "method": "REML",
    "notes": "",
}


def num(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace("-", "−")


def headline(result: MetaResult) -> str:
    """The pooled estimate as the result page prints it."""
    ci = f"(95% CI {num(result.ci_low)} to {num(result.ci_high)})"
    return f'{num(result.estimate)} <span class="small">{ci}'


@pytest.fixture
def test_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EvidenceLibrary:
    lib = poolable_library(tmp_path / "content")
    monkeypatch.setattr(selectors, "library", lambda: lib)
    return lib


def test_the_shipped_library_says_plainly_that_nothing_can_be_pooled(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.CAREGIVER))
    html = client.get(reverse("evidence:pool")).content.decode()
    assert "No outcome in our library can be pooled" in html
    assert "New analysis" not in html  # a caregiver cannot enter analyses
    chosen = client.get(reverse("evidence:pool") + "?outcome=weight_gain").content.decode()
    assert "Not poolable: 0 of 7 findings can be used" in chosen
    assert "from a systematic review" in chosen
    assert "<svg" not in chosen
    assert "/evidence/claims/preterm_weight_gain/" in chosen  # what we claim, with its certainty
    assert "low" in certainties(chosen)


def test_a_poolable_outcome_shows_the_pooled_result_forest_plot_table_and_caveats(
    client: HttpClient, clinic: Clinic, test_library: EvidenceLibrary
) -> None:
    client.force_login(clinic.user(Role.THERAPIST))
    html = client.get(reverse("evidence:pool") + "?outcome=weight_gain&method=DL").content.decode()
    _, expected = pool_outcome(test_library, "weight_gain", "DL")
    assert headline(expected) in html
    assert f"{num(expected.pooled.tau2, 4)}" in html
    assert 'role="img"' in html
    assert "<desc" in html
    assert 'id="pooled-diamond"' in html
    assert "Text description of the plot" in html
    for label, *_ in expected.study_intervals():
        assert f'<td data-label="Study">{label}</td>' in html
    assert "Few studies" in html
    assert "Publication bias cannot be checked" in html
    assert "/evidence/claims/test_weight_gain/" in html
    assert certainties(html) == ["low"]
    assert '<option value="DL" selected>' in html


def test_an_unknown_method_falls_back_to_reml(
    client: HttpClient, clinic: Clinic, test_library: EvidenceLibrary
) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    html = client.get(reverse("evidence:pool") + "?outcome=crying&method=%00XX").content.decode()
    assert "random effects (REML)" in html


# --- a researcher's own analyses -----------------------------------------------------------------------
def post_csv(client: HttpClient, text: str = CSV, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("evidence:analysis_create"),
        {**DETAILS, "entry": "csv", "csv_text": text, "save": "1", **extra},
    )


def test_a_researcher_pastes_a_csv_and_sees_the_pooled_estimate_of_meta_analyse(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    response = post_csv(client)
    assert response.status_code == 302
    analysis = MetaAnalysis.objects.get()
    assert response["Location"] == reverse("evidence:analysis", args=[analysis.pk])
    html = client.get(response["Location"]).content.decode()
    expected = analyse(effects_for(analysis.rows, "MD"), "REML")
    assert headline(expected) in html
    assert 'id="pooled-diamond"' in html
    assert "Small studies" in html
    assert "smallest: 31" in html
    assert "Entered by your organisation" in html
    assert "/evidence/claims/preterm_weight_gain/" in html  # linked to the library's outcome
    assert AuditEvent.objects.filter(
        entity="meta_analysis", action="create", entity_id=str(analysis.pk)
    ).exists()


def test_a_bad_csv_row_is_named_and_nothing_is_saved(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    response = post_csv(client, CSV.replace("Trial C,27.0", "Trial C,twenty-seven"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        escape("Line 4 (study 'Trial C'), column 'mean_treatment': expected a number, got 'twenty-seven'")
        in html
    )
    assert escape("Weight gain trials") in html  # what was typed is kept
    assert not MetaAnalysis.objects.exists()
    assert not AuditEvent.objects.filter(entity="meta_analysis").exists()


def test_a_csv_file_can_be_uploaded_instead(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.ADMIN))
    upload = SimpleUploadedFile("trials.csv", ("\ufeff" + CSV).encode(), content_type="text/csv")
    response = post_csv(client, "", csv_file=upload)
    assert response.status_code == 302
    assert len(MetaAnalysis.objects.get().rows) == 3
    bad = SimpleUploadedFile("trials.csv", "study,yi,vi\nA,1,x\n".encode("utf-16"), content_type="text/csv")
    html = post_csv(client, "", csv_file=bad).content.decode()
    assert "This file is not UTF-8 text" in html


def test_rows_can_be_typed_into_the_form(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    form = client.get(reverse("evidence:analysis_create") + "?entry=generic").content.decode()
    assert 'name="row-0-yi"' in form
    assert 'name="row-4-vi"' in form
    rows = {
        "row-TOTAL_FORMS": "3",
        "row-INITIAL_FORMS": "0",
        "row-0-study": "A",
        "row-0-yi": "0.2",
        "row-0-vi": "0.04",
        "row-1-study": "",
        "row-1-yi": "",
        "row-1-vi": "",
        "row-2-study": "B",
        "row-2-yi": "0.5",
        "row-2-vi": "oops",
    }
    data = {**DETAILS, "measure": "SMD", "entry": "generic", "save": "1", **rows}
    html = client.post(reverse("evidence:analysis_create"), data).content.decode()
    assert escape("Row 3 (study 'B'), column 'vi': expected a number, got 'oops'") in html
    assert not MetaAnalysis.objects.exists()
    data["row-2-vi"] = "0.09"
    assert client.post(reverse("evidence:analysis_create"), data).status_code == 302
    assert MetaAnalysis.objects.get().rows == [
        {"study": "A", "yi": 0.2, "vi": 0.04},
        {"study": "B", "yi": 0.5, "vi": 0.09},
    ]


def test_more_rows_and_switching_entry_keep_what_was_typed_without_saving(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    rows = {
        "row-TOTAL_FORMS": "2",
        "row-INITIAL_FORMS": "0",
        "row-0-study": "Kept",
        "row-0-yi": "1",
        "row-0-vi": "1",
        "row-1-study": "",
        "row-1-yi": "",
        "row-1-vi": "",
    }
    html = client.post(
        reverse("evidence:analysis_create"), {**DETAILS, "title": "", "entry": "generic", "more": "1", **rows}
    ).content.decode()
    assert 'value="Kept"' in html
    assert 'name="row-6-yi"' in html
    assert "This field is required" not in html
    switched = client.post(
        reverse("evidence:analysis_create"), {**DETAILS, "entry": "generic", "switch": "csv", **rows}
    ).content.decode()
    assert 'name="csv_text"' in switched
    assert escape("Weight gain trials") in switched
    assert not MetaAnalysis.objects.exists()


def test_editing_and_deleting_through_the_pages(client: HttpClient, clinic: Clinic) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    post_csv(client)
    analysis = MetaAnalysis.objects.get()
    edit = client.get(reverse("evidence:analysis_edit", args=[analysis.pk])).content.decode()
    assert "Trial B,22.4,7.2,31,20.9,6.8,29" in edit
    data = {
        **DETAILS,
        "title": "Renamed",
        "measure": "SMD",
        "version": "1",
        "entry": "csv",
        "csv_text": CSV,
        "save": "1",
    }
    assert client.post(reverse("evidence:analysis_edit", args=[analysis.pk]), data).status_code == 302
    analysis.refresh_from_db()
    assert (analysis.title, analysis.measure, analysis.version) == ("Renamed", "SMD", 2)
    stale = client.post(reverse("evidence:analysis_edit", args=[analysis.pk]), {**data, "title": "Stale"})
    assert "Someone else saved a change" in stale.content.decode()
    response = client.post(reverse("evidence:analysis_delete", args=[analysis.pk]), {"version": "2"})
    assert response.status_code == 302
    assert not MetaAnalysis.objects.exists()
    assert AuditEvent.objects.filter(entity="meta_analysis", action="delete").exists()


def test_everyone_in_the_organisation_sees_an_analysis_and_another_organisation_does_not(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    post_csv(client)
    analysis = MetaAnalysis.objects.get()
    client.force_login(clinic.user(Role.CAREGIVER))
    html = client.get(reverse("evidence:analysis", args=[analysis.pk])).content.decode()
    assert "Weight gain trials" in html
    assert "Edit</a>" not in html
    assert client.get(reverse("evidence:analysis_edit", args=[analysis.pk])).status_code == 403
    client.force_login(outsider.user(Role.RESEARCHER))
    assert client.get(reverse("evidence:analysis", args=[analysis.pk])).status_code == 404
    assert client.get(reverse("evidence:analysis_edit", args=[analysis.pk])).status_code == 404
    assert "Weight gain trials" not in client.get(reverse("evidence:pool")).content.decode()


def test_study_labels_are_text_not_markup_or_maths_in_the_forest_plot(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    text = 'study,yi,vi\n"<script>alert(1)</script>",0.1,0.04\nCosts $5 and $,0.3,0.05\n'
    assert post_csv(client, text, measure="SMD").status_code == 302
    html = client.get(reverse("evidence:analysis", args=[MetaAnalysis.objects.get().pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"Costs \$5 and \$", html)


def test_an_analysis_number_beyond_the_database_range_is_not_found(
    client: HttpClient, clinic: Clinic
) -> None:
    client.force_login(clinic.user(Role.RESEARCHER))
    for pk in (2**63, 10**30):
        assert client.get(f"/evidence/analyses/{pk}/").status_code == 404
        assert client.get(f"/evidence/analyses/{pk}/edit/").status_code == 404
        assert client.post(f"/evidence/analyses/{pk}/delete/", {"version": "1"}).status_code == 404
