"""A nurse enters a week of daily weights for a baby born at 30+2 weeks on a phone, and sees the
corrected-age growth chart and the growth velocity with its method; then every measurement page is
photographed at phone and desktop width (test-artifacts/outcomes-*.png) for a person to look at."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.outcomes import services
from kneadwell.outcomes.models import Measurement
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)
WEEK_G = [1420, 1441, 1463, 1484, 1506, 1531, 1552]


def preterm_baby(clinic: Clinic) -> Client:
    return make_client(
        clinic.actor(Role.THERAPIST),
        given_name="Rosie",
        family_name="Whitfield",
        born_days_ago=21,
        weeks=30,
        days=2,
        birth_weight_g=1380,
    )


def test_a_nurse_enters_a_week_of_daily_weights_and_sees_chart_and_velocity(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = preterm_baby(clinic)
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/")
    expect(page.get_by_role("heading", name="Measurements and growth")).to_be_visible()
    page.get_by_role("link", name="Enter daily weights").click()

    expect(page.get_by_role("heading", name="Daily weights")).to_be_visible()
    today = timezone.localdate()
    for i, grams in enumerate(WEEK_G):
        expected = (today - dt.timedelta(days=6 - i)).isoformat()
        expect(page.get_by_label(f"Day {i + 1}: date")).to_have_value(expected)  # dates are filled in
        page.get_by_label(f"Day {i + 1}: weight").fill(str(grams))
    # Midnight: never in the future, whenever the test runs (08:00 would be, between midnight and 8).
    page.get_by_label("Time of weighing").fill("00:00")
    shot(page, "outcomes-weights-week-filled-phone")
    page.get_by_role("button", name="Save weights").click()

    expect(page.get_by_text("7 weights saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Growth", exact=True)).to_be_visible()
    velocity = page.locator("#velocity")
    expect(velocity).to_contain_text("g/kg/day")
    expect(velocity).to_contain_text("Exponential model (Patel)")
    expect(velocity).to_contain_text("PMC2767524")
    expect(velocity).to_contain_text(re.compile(r"\d+\.\d g/day"))
    chart = page.locator("#growth-chart .chart-draw[role=img] canvas")  # drawn by static/js/charts.js
    expect(chart).to_be_visible()
    expect(page.locator("#growth-chart")).to_contain_text("corrected age")
    expect(page.get_by_text("UK-WHO advises a specialist low-birth-weight chart")).to_be_visible()
    rows = page.locator("table.responsive tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_contain_text("1 552 g")
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] <= 390
    shot(page, "outcomes-growth-phone")

    saved = Measurement.objects.filter(client=baby, instrument_id="weight").order_by("taken_at")
    assert [round((m.value or 0) * 1000) for m in saved] == WEEK_G


def test_an_unusual_weight_is_checked_then_confirmed_in_the_browser(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = preterm_baby(clinic)
    services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST),
        client=baby,
        weights=[(timezone.localdate() - dt.timedelta(days=1), 1500)],
    )
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/measurements/weights/")
    page.get_by_label("Day 7: weight").fill("1620")  # +8% in a day
    page.get_by_role("button", name="Save weights").click()
    expect(page.get_by_role("heading", name="Check and confirm")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Weight changed by \+8% a day"))).to_be_visible()
    expect(page.get_by_label("Day 7: weight")).to_have_value("1620")
    shot(page, "outcomes-weights-confirm-phone")
    page.get_by_label(re.compile("I have checked this value")).check()
    page.get_by_role("button", name="Save weights").click()
    expect(page.get_by_text("1 weight saved (1 flagged as unusual, as you confirmed).")).to_be_visible()
    expect(page.locator("table.responsive").get_by_text("unusual, confirmed")).to_be_visible()


def _seed(clinic: Clinic, baby: Client, child: Client) -> dict[str, int]:
    actor = clinic.actor(Role.THERAPIST)
    today = timezone.localdate()
    weights = services.weights_record_series(
        actor=actor,
        client=baby,
        weights=[(today - dt.timedelta(days=6 - i), g) for i, g in enumerate(WEEK_G)],
    )
    for days_ago, grade_l, grade_r in ((28, "2", "1+"), (14, "1+", "1+"), (1, "1", "1")):
        services.measurement_record(
            actor=actor,
            client=child,
            instrument_id="modified_ashworth",
            answers={"ankle_plantarflexors.left": grade_l, "ankle_plantarflexors.right": grade_r},
            taken_at=today - dt.timedelta(days=days_ago),
            context="weekly",
        )
    for days_ago, knee in ((28, 95), (14, 104), (1, 112)):
        services.measurement_record(
            actor=actor,
            client=child,
            instrument_id="range_of_motion",
            answers={"knee_flexion.left": knee, "ankle_dorsiflexion.left": knee / 10},
            taken_at=today - dt.timedelta(days=days_ago),
            context="weekly",
        )
    for days_ago, cry in ((3, 2), (2, 1), (1, 0)):
        services.measurement_record(
            actor=actor,
            client=baby,
            instrument_id="nips",
            answers={"face": 1, "cry": cry, "breathing": 0, "arms": 1, "legs": 0, "arousal": 1},
            taken_at=today - dt.timedelta(days=days_ago),
            context="session",
        )
    return {"weight": weights[0].pk}


PAGES = [
    ("client", "/clients/{baby}/"),
    ("list", "/clients/{baby}/measurements/"),
    ("choose", "/clients/{baby}/measurements/new/"),
    ("form-nips", "/clients/{baby}/measurements/new/nips/"),
    ("form-weight", "/clients/{baby}/measurements/new/weight/"),
    ("form-mas", "/clients/{child}/measurements/new/modified_ashworth/"),
    ("form-rom", "/clients/{child}/measurements/new/range_of_motion/"),
    ("form-fugl-meyer", "/clients/{child}/measurements/new/fugl_meyer/"),
    ("form-diary", "/clients/{baby}/measurements/new/infant_day_diary/"),
    ("weights-week", "/clients/{baby}/measurements/weights/"),
    ("detail", "/clients/{baby}/measurements/{weight}/"),
    ("in-error", "/clients/{baby}/measurements/{weight}/in-error/"),
    ("growth", "/clients/{baby}/growth/"),
    ("trend-nips", "/clients/{baby}/trends/nips/"),
    ("trend-mas", "/clients/{child}/trends/modified_ashworth/"),
    ("trend-rom", "/clients/{child}/trends/range_of_motion/"),
    ("import", "/measurements/import/"),
]


def test_every_measurement_page_at_phone_and_desktop(phone, desktop, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = preterm_baby(clinic)
    child = make_client(
        clinic.actor(Role.THERAPIST),
        given_name="Sam",
        family_name="Okoro",
        born_days_ago=365 * 7,
        weeks=None,
        days=None,
        birth_weight_g=None,
    )
    ids = {"baby": baby.pk, "child": child.pk, **_seed(clinic, baby, child)}
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
        for name, url in PAGES:
            response = page.goto(url.format(**ids))
            assert response is not None, (name, size)
            assert response.status == 200, (name, size)
            if page.locator("[data-chart]").count():
                expect(page.locator(".chart-draw.drawn[role=img] canvas")).to_be_visible()
            shot(page, f"outcomes-{name}-{size}")
            # Nothing sticks out sideways, at phone width especially.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (name, size, overflow)
