"""A researcher pastes a small dataset and sees the forest plot and the pooled estimate; every evidence
page is photographed at phone and desktop width and must fit the screen (the forest plot scrolls inside
its own box)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.evidence.analysis_rows import analyse, effects_for
from kneadwell.evidence.models import MetaAnalysis
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic

pytestmark = pytest.mark.django_db(transaction=True)

DATA = (
    "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
    "Field 1986,25.0,6.1,20,17.0,5.8,20\n"
    "Trial B 2011,22.4,7.2,31,20.9,6.8,29\n"
    "Trial C 2021,27.0,8.1,15,18.5,7.7,16\n"
)


def fits_the_screen(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_researcher_pastes_a_dataset_and_sees_the_forest_plot_and_pooled_estimate(  # type: ignore[no-untyped-def]
    desktop, clinic: Clinic
) -> None:
    page = desktop
    log_in(page, clinic.user(Role.RESEARCHER).email, PASSWORD)
    page.get_by_role("link", name="Evidence", exact=True).click()
    page.get_by_role("link", name="Pool studies for an outcome").click()
    expect(page.get_by_text("No outcome in our library can be pooled")).to_be_visible()
    page.get_by_role("link", name="New analysis").click()

    page.get_by_label("Title").fill("Weight gain, small trials")
    page.get_by_label("Outcome measured").fill("Daily weight gain (g/day)")
    page.get_by_label("Same outcome as in the evidence library").select_option("weight_gain")
    page.get_by_label("Effect measure").select_option("MD")
    page.get_by_label("Study table (CSV)").fill(DATA.replace("Trial C 2021,27.0", "Trial C 2021,27,0"))
    page.get_by_role("button", name="Save and pool").click()
    expect(page.get_by_text(re.compile(r"Line 4: 8 cells but the header has 7 columns"))).to_be_visible()
    shot(page, "evidence-analysis-bad-row-desktop")
    assert MetaAnalysis.objects.count() == 0

    page.get_by_label("Study table (CSV)").fill(DATA)
    page.get_by_role("button", name="Save and pool").click()
    expect(page.get_by_role("heading", name="Weight gain, small trials")).to_be_visible()
    analysis = MetaAnalysis.objects.get()
    expected = analyse(effects_for(analysis.rows, "MD"), "REML")
    headline = page.locator(".result-figures .main dd")
    expect(headline).to_contain_text(f"{expected.estimate:.2f}")
    expect(headline).to_contain_text(f"95% CI {expected.ci_low:.2f} to {expected.ci_high:.2f}")
    plot = page.locator(".forest svg[role=img]")
    expect(plot).to_be_visible()
    expect(plot.locator("#pooled-diamond")).to_be_attached()
    expect(plot.locator("desc")).to_contain_text("Pooled estimate")
    expect(page.get_by_role("cell", name="Field 1986")).to_be_visible()
    expect(page.get_by_text("Before you use this number")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "evidence-analysis-result-desktop")


def test_every_evidence_page_fits_a_phone_and_a_desktop(phone, desktop, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert clinic.client is not None
    researcher = clinic.actor(Role.RESEARCHER)
    from kneadwell.evidence.services import meta_analysis_create

    analysis = meta_analysis_create(
        actor=researcher,
        title="Weight gain, small trials",
        outcome="Daily weight gain (g/day)",
        outcome_code="weight_gain",
        measure="MD",
        csv_text=DATA,
    )
    pages = {
        "index": "/evidence/",
        "index-by-population": "/evidence/?group=population&population=child",
        "claim": "/evidence/claims/preterm_weight_gain/",
        "study-unverified": "/evidence/studies/field_1997_diabetes/",
        "pool": "/evidence/pool/?outcome=weight_gain#chosen",
        "analysis": f"/evidence/analyses/{analysis.pk}/",
        "analysis-new-typed": "/evidence/analyses/new/?entry=continuous",
        "analysis-new-csv": "/evidence/analyses/new/",
        "analysis-delete": f"/evidence/analyses/{analysis.pk}/delete/",
        "protocol-section": "/library/protocols/preterm_tks_10d/",
        "protocol-none": "/library/protocols/constipation_relief/",
    }
    for size, page in (("phone", phone), ("desktop", desktop)):
        log_in(page, clinic.user(Role.ADMIN).email, PASSWORD)
        for name, url in pages.items():
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, url
            expect(page.locator("h1")).to_be_visible()
            assert fits_the_screen(page), f"{name} is wider than the {size} screen"
            shot(page, f"evidence-{name}-{size}")
        page.get_by_role("button", name="Log out").click()
        log_in(page, clinic.user(Role.CAREGIVER).email, PASSWORD)
        page.goto(f"/clients/{clinic.client.pk}/")
        section = page.locator("section", has=page.get_by_role("heading", name="What the evidence says"))
        expect(section.locator(".certainty").first).to_be_visible()
        assert fits_the_screen(page)
        section.scroll_into_view_if_needed()
        shot(page, f"evidence-client-section-parent-{size}")
