"""A new parent signs up on a phone (390×844, real Chromium): from the sign-up page to their baby's page,
counting every tap (clicks and text entries), with screenshots at 390 and 360 px to look at."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.models import Organisation, User
from kneadwell.clients.models import Client, Consent
from kwtest.browser import Taps, shot, sign_up_term_baby

pytestmark = pytest.mark.django_db(transaction=True)

# A baby born on time: name, email, password, baby's name, date of birth (5 text entries), then girl,
# "None of these" in the health history, the consent box and "Create my account" (4 clicks). "On time" is
# already chosen.
TERM_TAPS = 9
# Born early: two more clicks-and-types (choose "Early", type the weeks; days may be left at 0).
EARLY_TAPS = TERM_TAPS + 2


def min_tap_height(page: Any, selectors: list[str]) -> dict[str, float]:
    """The height of each selector's first element (the thing a finger has to hit)."""
    heights = {}
    for sel in selectors:
        box = page.locator(sel).first.bounding_box()
        assert box is not None, sel
        heights[sel] = box["height"]
    return heights


def test_a_new_parent_signs_up_and_lands_on_todays_check_in_9_taps(phone) -> None:  # type: ignore[no-untyped-def]
    page = phone
    birth = timezone.localdate() - dt.timedelta(days=40)
    # The live server's first answer can take over 10 s (it loads the content library once), so the
    # first page is given longer; the timing below starts on the sign-up page.
    page.goto("/accounts/login/", timeout=60_000)
    expect(page.get_by_role("link", name="Create a family account")).to_be_visible()
    shot(page, "signup-0-login-390")
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Create a family account")).to_be_visible()
    # A baby born on time needs no gestation fields: they are not even shown.
    expect(page.get_by_label("On time (37 weeks or more)")).to_be_checked()
    expect(page.get_by_label("Weeks at birth")).to_be_hidden()
    shot(page, "signup-1-form-390")
    # Every control a finger has to hit is at least 44 px tall.
    heights = min_tap_height(
        page,
        [
            'label[for="id_baby_sex_0"]',
            'label[for="id_gestation_0"]',
            'label[for="id_consent"]',
            "#id_full_name",
            "#id_baby_birth_date",
            'button[type="submit"]',
        ],
    )
    assert all(h >= 44 for h in heights.values()), heights
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    started = time.monotonic()
    taps = Taps(page)
    sign_up_term_baby(taps, birth)
    shot(page, "signup-2-filled-390")
    taps.click(page.get_by_role("button", name="Create my account"))

    expect(page.get_by_role("heading", name="Today's check")).to_be_visible()
    seconds = time.monotonic() - started
    print(
        f"\nfamily sign-up (term baby), sign-up page to today's check: {taps.count} taps, {seconds:.1f} s"
    )
    assert taps.count == TERM_TAPS
    assert re.search(r"/clients/\d+/check/\?protocol=iaim_first_week$", page.url)
    expect(page.get_by_text("record is ready")).to_be_visible()
    banner = page.get_by_role("complementary", name="Confirm your email address")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("button", name="Send the link again")).to_be_visible()
    shot(page, "signup-3-baby-page-390")

    user = User.objects.get(email="amira@example.test")
    client = Client.objects.get(guardians__user=user)
    assert client.organisation.kind == Organisation.Kind.FAMILY
    assert client.gestation_weeks is None
    assert Consent.objects.get(client=client).method == Consent.Method.ELECTRONIC

    # The same pages at 360 px wide (a small phone): nothing spills off the right edge.
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "signup-3-baby-page-360")
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/signup/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "signup-1-form-360")


def test_a_parent_of_a_baby_born_early_and_a_mistake_kept_what_was_typed(phone) -> None:  # type: ignore[no-untyped-def]
    page = phone
    birth = timezone.localdate() - dt.timedelta(days=20)
    page.goto("/accounts/signup/", timeout=60_000)
    taps = Taps(page)
    taps.fill("Your name", "Sam Okafor")
    taps.fill("Your email address", "sam@example.test")
    taps.fill("Choose a password", "short")  # too short: refused
    taps.fill("Your baby\u2019s first name", "Ada")
    taps.fill("Date of birth", birth.isoformat())
    taps.click(page.get_by_label("Boy"))
    taps.click(page.get_by_label("Early (before 37 weeks)"))
    expect(page.get_by_label("Weeks at birth")).to_be_visible()
    taps.fill("Weeks at birth", "32")
    taps.click(page.locator("#id_history").get_by_label("None of these"))
    taps.click(page.get_by_label(re.compile("I am this baby's parent or legal guardian")))
    shot(page, "signup-4-early-390")
    taps.click(page.get_by_role("button", name="Create my account"))

    expect(page.get_by_text(re.compile("This password is too short"))).to_be_visible()
    # Everything but the password is still there; the weeks stay open because "Early" is still chosen.
    expect(page.get_by_label("Your name")).to_have_value("Sam Okafor")
    expect(page.get_by_label("Your baby\u2019s first name")).to_have_value("Ada")
    expect(page.get_by_label("Date of birth")).to_have_value(birth.isoformat())
    expect(page.get_by_label("Boy")).to_be_checked()
    expect(page.get_by_label("Early (before 37 weeks)")).to_be_checked()
    expect(page.get_by_label("Weeks at birth")).to_have_value("32")
    expect(page.get_by_label(re.compile("I am this baby's parent or legal guardian"))).to_be_checked()
    shot(page, "signup-5-error-390")
    page.set_viewport_size({"width": 360, "height": 780})
    shot(page, "signup-5-error-360")
    page.set_viewport_size({"width": 390, "height": 844})

    taps.fill("Choose a password", "a-long-safe-passphrase-9")
    taps.click(page.get_by_role("button", name="Create my account"))
    expect(page.get_by_role("heading", name="Ada Okafor")).to_be_visible()
    print(f"\nfamily sign-up (born early, one mistake): {taps.count} taps")
    assert taps.count == EARLY_TAPS + 2  # then the password typed again and the button once more
    # Born at 32 weeks 20 days ago: the neonatal group, whose history asks other questions on its own page.
    client = Client.objects.get(given_name="Ada")
    assert (client.gestation_weeks, client.gestation_days) == (32, 0)
