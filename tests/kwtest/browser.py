"""Helpers for browser tests: screenshots to look at, logging in through the real form, and answering a
question form through its inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def answer_all(page: Any, data: dict[str, object]) -> None:
    """Answer a question form through its inputs, as a person would.

    Each field is waited for before it is inspected: right after a click that navigates, the old page can
    still be showing, and counting its inputs would find none of the new form's choices."""
    for name, value in data.items():
        page.locator(f'[name="{name}"]').first.wait_for(state="attached")
        for v in value if isinstance(value, list) else [value]:
            box = page.locator(f'input[name="{name}"][value="{v}"]')
            if box.count():
                box.check()
            else:
                page.locator(f'[name="{name}"]').fill(str(v))
