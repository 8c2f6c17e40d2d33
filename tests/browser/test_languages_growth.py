"""The growth page and the baby's page in Spanish and Arabic in real Chromium at 390 px (docs/languages.md):
a parent of a baby born at 30+2 weeks, with a week of weights, chooses the language in the footer; the
growth figures' computed words (ages, velocity and its method, centiles), the chart drawn from its JSON and
its text alternative, the baby's page and the health history read in that language; Arabic right to left
with the figures left to right. Screenshots: test-artifacts/lang-<language>-growth*.png, -baby*.png,
-history*.png, to be looked at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kwtest.browser import log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)

WEEK_G = [1420, 1441, 1463, 1484, 1506, 1531, 1552]
WORDS = {
    "es": {
        "chooser": "Español",
        "growth": "Crecimiento",
        "velocity": "Modelo exponencial (Patel)",
        "age": "semanas de edad posmenstrual",
        "chart": "Gráfico de peso para la edad de una niña",
        "baby": "Medidas y crecimiento",
        "history": "Historial de salud de Rosie",
    },
    "ar": {
        "chooser": "العربية",
        "growth": "النمو",
        "velocity": "النموذج الأُسّي (باتيل)",
        "age": "عمر بعد الحيض",
        "chart": "منحنى الوزن حسب العمر لبنت",
        "baby": "القياسات والنمو",
        "history": "التاريخ الصحي لـRosie",
    },
}


# The characters of the first match of a pattern in an element's text, in the order they appear on the
# screen from left to right (and the match itself): equal when the figure reads left to right.
VISUAL_ORDER = """([selector, pattern]) => {
  const el = document.querySelector(selector);
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, found = new RegExp(pattern).exec(node.data);
    if (!found) continue;
    const chars = [];
    for (let i = found.index; i < found.index + found[0].length; i++) {
      if (node.data[i] === " ") continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      chars.push([node.data[i], range.getBoundingClientRect().x]);
    }
    return [found[0], chars.sort((a, b) => a[1] - b[1]).map((c) => c[0]).join("")];
  }
  return ["", ""];
}"""


@pytest.mark.parametrize("language", ["es", "ar"])
def test_growth_and_the_babys_page_in_another_language(phone, clinic: Clinic, language: str) -> None:  # type: ignore[no-untyped-def]
    words = WORDS[language]
    parent = clinic.user(Role.CAREGIVER)
    baby = make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=parent,
        given_name="Rosie",
        family_name="Whitfield",
        born_days_ago=21,
        weeks=30,
        days=2,
        birth_weight_g=1380,
    )
    today = timezone.localdate()
    services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST),
        client=baby,
        weights=[(today - dt.timedelta(days=6 - i), g) for i, g in enumerate(WEEK_G)],
    )
    page = phone
    log_in(page, parent.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/growth/")
    page.get_by_role("button", name=words["chooser"]).click()  # the footer's chooser, kept on the account

    expect(page.get_by_role("heading", name=words["growth"], exact=True)).to_be_visible()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    expect(page.locator("#velocity")).to_contain_text(words["velocity"])
    expect(page.locator("main")).to_contain_text(words["age"])
    expect(page.locator("#growth-chart canvas, #growth-chart svg").first).to_be_visible()  # drawn from JSON
    expect(page.locator("#growth-chart-desc")).to_contain_text(words["chart"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"lang-{language}-growth")
    if language == "ar":
        # The sentences read right to left; the figures keep their own order: a postmenstrual age "31+2"
        # (not "2+31", which the bidirectional algorithm makes of it after Arabic words unless isolated),
        # a weight "1 552 g", an SDS "−1.21" (the sign before the digits).
        assert page.evaluate("getComputedStyle(document.querySelector('#velocity .what')).direction") == "rtl"
        row = "table.responsive tbody tr:first-child"
        for cell, pattern in (
            (f"{row} td:nth-child(2)", r"\d+\+\d"),
            (f"{row} td:nth-child(3)", r"\d[\d ]* g"),
            (f"{row} td:nth-child(4)", r"[−+]\d+\.\d\d"),
            # the chart in words: each measurement's date and its postmenstrual age
            ("#growth-chart-desc", r"\d{4}-\d\d-\d\d"),
            ("#growth-chart-desc", r"\d+\+\d"),
        ):
            logical, visual = page.evaluate(VISUAL_ORDER, [cell, pattern])
            assert logical, (cell, pattern)
            assert visual == logical.replace(" ", ""), (cell, logical, visual)
    page.locator("details.text-alt summary").click()
    page.locator("#growth-chart-desc").scroll_into_view_if_needed()
    page.screenshot(path=f"test-artifacts/lang-{language}-growth-chart.png")

    page.goto(f"/clients/{baby.pk}/")
    expect(page.get_by_role("heading", name=words["baby"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"lang-{language}-baby")

    page.goto(f"/clients/{baby.pk}/intake/")
    expect(page.get_by_role("heading", name=words["history"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"lang-{language}-history")
