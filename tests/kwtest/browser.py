"""Helpers for browser tests: screenshots to look at, logging in through the real form, and answering a
question form through its inputs."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def shots_at_360_and_390(page: Any, name: str) -> None:
    """Screenshots of the page at 390 px (the phone fixture's width) and at 360 px (a small phone), with
    nothing scrolling sideways at either width; the page is left at 390 px."""
    size = page.viewport_size
    for width, height in ((390, 844), (360, 780)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        shot(page, f"{name}-{width}")
    page.set_viewport_size(size)


class Taps:
    """Counts what a person does: each click (or check) and each text entry is one tap."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def fill(self, label: str, text: str, **kw: Any) -> None:
        self.page.get_by_label(label, **kw).fill(text)
        self.count += 1

    def click(self, locator: Any) -> None:
        locator.click()
        self.count += 1


def sign_up_term_baby(taps: Taps, birth: dt.date) -> None:
    """Fill in family sign-up as Amira Khan with Noor, a girl born on time on `birth`, nothing in the health
    history, consent given: 8 taps, everything but "Create my account"."""
    page = taps.page
    taps.fill("Your name", "Amira Khan")
    taps.fill("Your email address", "amira@example.test")
    taps.fill("Choose a password", "a-long-safe-passphrase-9")
    taps.fill("Your baby\u2019s first name", "Noor")
    taps.fill("Date of birth", birth.isoformat())
    taps.click(page.get_by_label("Girl"))
    taps.click(page.locator("#id_history").get_by_label("None of these"))
    taps.click(page.get_by_label(re.compile("I am this baby's parent or legal guardian")))


def log_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def answer_all(page: Any, data: dict[str, object]) -> None:
    """Answer a question form through its inputs, as a person would.

    The new form is waited for before any field is inspected: right after a click that navigates, the old
    page can still be showing, and counting its inputs would find none of the new form's choices. Fields
    the page does not ask (a question for another condition) are skipped."""
    page.locator("form.questions").first.wait_for(state="attached")
    for name, value in data.items():
        if not page.locator(f'[name="{name}"]').count():
            continue  # not asked of this client (a condition's or a newborn's question)
        for v in value if isinstance(value, list) else [value]:
            box = page.locator(f'input[name="{name}"][value="{v}"]')
            if box.count():
                # Body areas fold away behind "Somewhere: choose the areas": open it as a person would.
                box.evaluate("b => { const d = b.closest('details'); if (d) d.open = true; }")
                box.check()
            else:
                page.locator(f'[name="{name}"]').fill(str(v))


# --- codes must not reach people ---------------------------------------------------------------------
# Every page a browser test renders is read as a person sees it (the body's innerText: hidden and closed
# parts left out) and checked for codes: snake_case words (`kinesthetic_limb_movements`) and stored codes
# with their underscores dropped (`as_usual` shown as "asusual", `as_tolerated` as "astolerated").
SNAKE = re.compile(r"(?<![\w@./:#?=&-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/.-]*[\w/])")
# Words that are both a run-together code and ordinary English, so finding them proves nothing.
ENGLISH = frozenset({"nighttime", "daytime", "bedtime", "outpatient", "inpatient", "overweight"})


@functools.cache
def run_together_codes() -> frozenset[str]:
    """Every code the content and the forms store with an underscore, as it would read run together."""
    from kneadwell.care.templatetags.care_tags import POSITION_LABELS, SLEEP_AFTER_LABELS
    from kneadwell.library.loader import default_library

    lib = default_library()
    codes: set[str] = set(POSITION_LABELS) | set(SLEEP_AFTER_LABELS)
    for name in (
        "sources",
        "regions",
        "conditions",
        "populations",
        "techniques",
        "routines",
        "protocols",
        "rules",
        "settings",
        "cues",
        "states",
        "questions",
        "measures",
        "session_checks",
    ):
        codes |= set(getattr(lib, name))
    for question in lib.questions.values():
        codes |= {c.id for c in question.choices}
    return frozenset(c.replace("_", "").lower() for c in codes if "_" in c) - ENGLISH


def codes_in(text: str) -> list[str]:
    """The codes found in a page's visible text (empty when it reads as words)."""
    # An API token ("kw_…") is shown once, under its label, to be copied: it is meant to be a code.
    found = [m.group(0) for m in SNAKE.finditer(text) if not m.group(0).startswith("kw_")]
    joined = run_together_codes()
    found += [w for w in re.findall(r"[A-Za-z]{6,}", text) if w.lower() in joined]
    return found


REPORT_TEXT = """
(() => {
  // Text set as code on purpose (a CSV column name to type, a file layout) is sent apart, to be left out.
  const send = () => {
    if (!document.body || !window.__kwText) return;
    const asCode = [...document.querySelectorAll("code, kbd, samp, pre")].map((el) => el.innerText);
    window.__kwText(document.body.innerText, asCode);
  };
  addEventListener("load", send);
  let timer = null;
  new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(send, 300); })
    .observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def watch_for_codes(page: Any) -> list[tuple[str, list[str]]]:
    """Read every page (and every in-place update) the test shows; returns the list of (url, codes) found,
    to be asserted empty when the test ends."""
    problems: list[tuple[str, list[str]]] = []

    def report(source: Any, text: str, as_code: list[str]) -> None:
        for part in sorted(as_code, key=len, reverse=True):
            text = text.replace(part, " ")
        found = codes_in(text)
        if found:
            problems.append((source["frame"].url, sorted(set(found))))

    page.expose_binding("__kwText", report)
    page.add_init_script(REPORT_TEXT)
    return problems
