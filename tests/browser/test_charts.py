"""Charts drawn in the browser (static/js/charts.js with uPlot) at phone width: the growth chart of a baby
born at 30+2 weeks and a Modified Ashworth trend with two series, each drawn on a canvas of real size
with the child's points on it; without JavaScript the page shows the table instead. Screenshots in
test-artifacts/charts-*.png for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.outcomes import services
from kwtest.browser import log_in, shot, shots_at_360_and_390
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)

# Pixels of a colour on the chart's canvas (the points' blue, a series' colour): proof it drew them.
COUNT_COLOUR = """(canvas, rgb) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - rgb[0]) < 24 && Math.abs(data[i + 1] - rgb[1]) < 24
        && Math.abs(data[i + 2] - rgb[2]) < 24 && data[i + 3] > 200) n++;
  }
  return n;
}"""
BLUE = (0x1F, 0x5F, 0xA6)
TEAL = (0x0F, 0x6B, 0x63)
ORANGE = (0xB3, 0x58, 0x06)


def growing_baby(clinic: Clinic) -> Client:
    """Born at 30+2 weeks 120 days ago, with three weeks of daily weights."""
    actor = clinic.actor(Role.THERAPIST)
    baby = make_client(actor, given_name="Rosie", born_days_ago=120, weeks=30, days=2)
    today = timezone.localdate()
    services.weights_record_series(
        actor=actor,
        client=baby,
        weights=[(today - dt.timedelta(days=20 - i), 2900 + 30 * i) for i in range(21)],
    )
    return baby


def drawn_canvas(page, slot: str):  # type: ignore[no-untyped-def]
    chart = page.locator(f"{slot} .chart-draw.drawn")
    expect(chart).to_have_attribute("role", "img")
    canvas = chart.locator("canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None
    assert 300 <= box["width"] <= 390, box
    assert box["height"] >= 240, box
    return chart, canvas


def test_the_growth_chart_is_drawn_on_a_phone(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = growing_baby(clinic)
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/growth/")
    chart, canvas = drawn_canvas(page, "#growth-chart")
    expect(chart).to_have_attribute("aria-label", "Weight (UK-WHO, girls)")
    expect(chart.locator(".u-title")).to_have_text("Weight (UK-WHO, girls)")
    assert canvas.evaluate(COUNT_COLOUR, list(BLUE)) > 150  # 21 points and the chronological twin
    expect(page.locator("#growth-chart figcaption")).to_contain_text("at corrected age")
    page.get_by_text("The chart in words").click()
    expect(page.locator("#growth-chart-desc")).to_contain_text("21 measurements, plotted at corrected age")
    shot(page, "charts-growth-phone")
    # A smaller phone: the chart is redrawn to the new width (nothing scrolls sideways at 390 or 360 px).
    wide = canvas.evaluate("c => c.clientWidth")
    page.set_viewport_size({"width": 360, "height": 780})
    page.wait_for_function(f"() => document.querySelector('#growth-chart canvas').clientWidth < {wide}")
    shots_at_360_and_390(page, "charts-growth")


def test_a_trend_with_two_series_is_drawn_with_its_legend(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    actor = clinic.actor(Role.THERAPIST)
    child = make_client(actor, given_name="Sam", born_days_ago=365 * 7, weeks=None, days=None)
    today = timezone.localdate()
    for days_ago, left, right in ((42, "2", "1+"), (28, "1+", "1+"), (14, "1+", "1"), (1, "1", "0")):
        services.measurement_record(
            actor=actor,
            client=child,
            instrument_id="modified_ashworth",
            answers={"ankle_plantarflexors.left": left, "ankle_plantarflexors.right": right},
            taken_at=today - dt.timedelta(days=days_ago),
        )
    page = phone
    log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
    page.goto(f"/clients/{child.pk}/trends/modified_ashworth/")
    chart, canvas = drawn_canvas(page, "#trend-chart")
    legend = chart.locator(".chart-legend li")
    expect(legend).to_have_count(2)
    expect(legend.first.locator("svg path")).to_have_count(1)  # the marker shape, beside its colour
    teal, orange = canvas.evaluate(COUNT_COLOUR, list(TEAL)), canvas.evaluate(COUNT_COLOUR, list(ORANGE))
    assert teal > 50, teal
    assert orange > 50, orange
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "charts-trend-mas-phone")


def test_without_javascript_the_table_stands_in(browser, live_server, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    baby = growing_baby(clinic)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, clinic.user(Role.THERAPIST).email, PASSWORD)
        page.goto(f"/clients/{baby.pk}/growth/")
        expect(page.locator("#growth-chart")).to_be_hidden()
        expect(page.locator("table.responsive tbody tr")).to_have_count(21)
        expect(page.get_by_text("The chart in words")).to_be_visible()
        shot(page, "charts-growth-nojs-phone")
    finally:
        context.close()
