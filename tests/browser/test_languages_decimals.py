"""One decimal mark per language in the browser (docs/languages.md, "Numbers"): the growth chart's axes,
drawn by static/js/charts.js on a canvas, write the page's mark (the chart JSON's `decimal_mark`), not the
browser's (this browser's locale is en-GB): the comma in Spanish, the point with Western digits in Arabic;
and a measurement's own page in Spanish. Chromium at 390 px; screenshots
test-artifacts/decimals-<language>-growth-chart.png and decimals-es-measurement.png, to be looked at."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)

# Every text a canvas draws, with its font, kept before the page's scripts run.
RECORD_CANVAS_TEXT = """(() => {
  window.__drawn = [];
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, w) {
    window.__drawn.push([String(text), this.font]);
    return fill.apply(this, arguments);
  };
})();"""
NUMBER = re.compile(r"^-?[\d.,\u00a0 ]+$")
CHOOSER = {"es": "Español", "ar": "العربية"}


def _axis_numbers(drawn: list[list[str]]) -> list[str]:
    """The numbers written in the axes' font (the largest one numbers are drawn in; the centile labels at
    the lines' ends are drawn smaller and come from the JSON already in the page's mark)."""
    numbers = [(text, int(re.findall(r"(\d+)px", font)[0])) for text, font in drawn if NUMBER.match(text)]
    largest = max(size for _, size in numbers)
    return [text for text, size in numbers if size == largest]


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_growth_charts_axes_write_the_pages_decimal_mark(phone, clinic: Clinic, language: str) -> None:  # type: ignore[no-untyped-def]
    parent = clinic.user(Role.CAREGIVER)
    therapist = clinic.actor(Role.THERAPIST)
    baby = make_client(
        therapist, guardian_user=parent, given_name="Rosie", born_days_ago=21, weeks=30, days=2
    )
    today = timezone.localdate()
    services.weights_record_series(
        actor=therapist,
        client=baby,
        weights=[
            (today - dt.timedelta(days=6 - i), g)
            for i, g in enumerate([1420, 1441, 1463, 1484, 1506, 1531, 1552])
        ],
    )
    length = services.measurement_record(
        actor=therapist, client=baby, instrument_id="length_height", answers={"value": "42.5"}, taken_at=today
    )
    page = phone
    page.add_init_script(RECORD_CANVAS_TEXT)
    log_in(page, parent.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/growth/")
    page.get_by_role("button", name=CHOOSER[language]).click()  # the footer's chooser
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#growth-chart .chart-draw.drawn canvas")).to_be_visible()
    axis = _axis_numbers(page.evaluate("window.__drawn"))
    decimals = [t for t in axis if re.search(r"\d[.,]\d", t)]
    assert decimals, axis  # not vacuous: the weight axis (kg) has decimals
    if language == "es":
        assert all(re.search(r"\d,\d", t) for t in decimals), axis
    else:
        assert all(re.search(r"\d\.\d", t) for t in decimals), axis
    assert all(re.fullmatch(r"[-\d.,]+", t) for t in axis), axis  # Western digits, whatever the browser
    page.locator("#growth-chart").scroll_into_view_if_needed()
    page.screenshot(path=f"test-artifacts/decimals-{language}-growth-chart.png")

    if language == "es":
        page.goto(f"/clients/{baby.pk}/measurements/{length.pk}/")
        expect(page.locator("main")).to_contain_text("42,5 cm")
        assert "42.5" not in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "decimals-es-measurement")
