"""The outcome instruments' and the evidence caveats' words in real Chromium at 390 px (docs/languages.md,
"Clinical content"): a parent who recorded a blocked nose, a stool chart and a diary day reads their names
and answers in "Latest entries" on the baby's page in Spanish, and a claim's caveats on its evidence page
in Arabic, right to left, each with its English original beside it (left to right), nothing scrolling
sideways. Screenshots: test-artifacts/lang-es-baby-entries*.png
and lang-ar-evidence-claim*.png (the whole page, and the card or screen in question), to be looked at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kwtest.browser import ARTIFACTS, log_in, shot
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)

# The first match of a pattern in an element's text, and its characters in the order they stand on the
# screen from left to right: the same when the figure reads left to right (as test_languages_growth.py).
VISUAL_ORDER = """([selector, pattern]) => {
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, found = new RegExp(pattern).exec(node.data);
    if (!found) continue;
    const chars = [];
    for (let i = found.index; i < found.index + found[0].length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      chars.push([node.data[i], range.getBoundingClientRect().x]);
    }
    return [found[0], chars.sort((a, b) => a[1] - b[1]).map((c) => c[0]).join("")];
  }
  return ["", ""];
}"""


def test_latest_entries_in_spanish(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    parent = clinic.user(Role.CAREGIVER)
    actor = clinic.actor(Role.CAREGIVER)
    baby = make_client(
        clinic.actor(Role.THERAPIST), guardian_user=parent, given_name="Rosie", born_days_ago=40
    )
    now = timezone.now()
    services.measurement_record(
        actor=actor, client=baby, instrument_id="nasal_congestion", answers={"congestion": 1}, taken_at=now
    )
    services.measurement_record(
        actor=actor,
        client=baby,
        instrument_id="amsterdam_stool",
        answers={"consistency": "soft", "amount": "up_to_25", "colour": "yellow"},
        taken_at=now,
    )
    today = timezone.localdate()
    day, after = today.isoformat(), (today + dt.timedelta(days=1)).isoformat()
    entries = [
        {"category": "sleep", "start": f"{day}T00:00:00", "end": f"{day}T10:00:00"},
        {"category": "fussing", "start": f"{day}T10:00:00", "end": f"{day}T10:40:00"},
        {"category": "sleep", "start": f"{day}T10:40:00", "end": f"{after}T00:00:00"},
    ]
    services.measurement_record(
        actor=actor,
        client=baby,
        instrument_id="infant_day_diary",
        answers={"days": [{"day": day, "entries": entries}]},
        taken_at=now,
    )
    page = phone
    log_in(page, parent.email, PASSWORD)
    page.goto(f"/clients/{baby.pk}/")
    page.get_by_role("button", name="Español").click()
    section = page.locator("#measures-h").locator("xpath=..")
    expect(section).to_contain_text("Últimas entradas")
    expect(section).to_contain_text("Nariz tapada (según los padres)")
    for answer in ("Blanda, pastosa", "Hasta una cuarta parte del pañal", "Amarillo"):  # in the stored order
        expect(section).to_contain_text(answer)
    expect(section).to_contain_text("40 min de llanto e inquietud")
    expect(section).not_to_contain_text("Blocked nose")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    section.scroll_into_view_if_needed()
    shot(page, "lang-es-baby-entries")
    section.screenshot(path=str(ARTIFACTS / "lang-es-baby-entries-card.png"))


def test_a_claims_caveats_in_arabic(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    parent = clinic.user(Role.CAREGIVER)
    page = phone
    log_in(page, parent.email, PASSWORD)
    page.goto("/evidence/claims/preterm_weight_gain/")
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    caveats = page.locator("#caveats-h").locator("xpath=..")
    expect(caveats).to_contain_text("فقط للرضع المستقرين طبيًا")
    expect(caveats).to_contain_text("Vickers 2004")
    # the caveats file is a draft: each caveat has its English original beside it, isolated left to right
    # (docs/languages.md, "Unreviewed safety texts"), under the Arabic
    expect(caveats.locator("li")).to_have_count(3)
    originals = caveats.locator('small.original-text bdi[lang="en"]')
    expect(originals).to_have_count(3)
    expect(originals.first).to_have_text(
        "Only for medically stable infants, with the neonatal team's agreement and within the unit's stop "
        "criteria."
    )
    expect(caveats.locator("small.original-text").first).to_contain_text("النص الأصلي بالإنجليزية")
    assert originals.evaluate_all("els => els.map((e) => getComputedStyle(e).direction)") == ["ltr"] * 3
    arabic = caveats.locator('li > span[lang="ar"]')
    assert arabic.evaluate_all("els => els.map((e) => getComputedStyle(e).direction)") == ["rtl"] * 3
    # each original starts on its own line, under its translation
    for i in range(3):
        assert originals.nth(i).bounding_box()["y"] > arabic.nth(i).bounding_box()["y"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the figures the translation isolates keep their order inside the Arabic sentence: "−1.2", "0.2"
    for pattern in (r"−\d\.\d", r"0\.2"):
        logical, visual = page.evaluate(VISUAL_ORDER, ["#caveats-h + ul", pattern])
        assert logical, pattern
        assert visual == logical, (pattern, logical, visual)
    caveats.scroll_into_view_if_needed()
    shot(page, "lang-ar-evidence-claim")
    page.screenshot(path=str(ARTIFACTS / "lang-ar-evidence-claim-caveats.png"))  # the screen at the caveats
