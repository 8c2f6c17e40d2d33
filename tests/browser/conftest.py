"""Playwright in Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

Playwright cannot download its own browsers here, so we point it at the system one. Its sync API runs
an event loop in the test thread; Django refuses ORM calls from a thread with a running loop unless told
it is safe, and here it is: the test thread only sets up data between browser steps."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kwtest.browser import watch_for_codes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _one_request_at_a_time() -> None:
    """The live server answers one request at a time. On SQLite the test database is in memory and every
    request thread of the threaded server shares its one connection (pytest-django hands it over), so two
    requests at the same moment (a page and the offline app's background fetches, a chart's JSON) could
    fail with "database table is locked", which no busy timeout waits for. A real server has a file
    database (WAL, BEGIN IMMEDIATE, a 20 s timeout) and no such limit; PostgreSQL has neither."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        def __init__(self, *args: Any, connections_override: object = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override  # set in the server's own thread

    LiveServerThread.server_class = OneAtATime  # type: ignore[attr-defined]


_one_request_at_a_time()

CHROMIUM = os.environ.get("KNEADWELL_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Let the page's own requests finish before the test's data is flushed. A chart fetches its JSON
    after the page has loaded; if that request is still in the live server when the database is emptied,
    its access audit row points at a deleted client and the flush fails (and with it the next test)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # a page that never goes idle is still closed
        page.wait_for_load_state("networkidle", timeout=10_000)


def _collect() -> None:
    """Collect garbage now, while this test's context is just closed. A held route (the lie-fi tests) leaves
    Playwright a pending task that asyncio reports when it is destroyed; destroyed later, inside another
    test's failure report, that report crashed CPython 3.11's compile() ("AST constructor recursion depth
    mismatch", seen in CI on 6 December 2026) and took the xdist worker with it."""
    gc.collect()


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    """A page at phone size (390 px wide) with the live server as its base URL. Every page it shows is
    read for codes (snake_case or run together) that must never reach a person; any found fail the test."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # A live server's first page can take several seconds on a loaded 2-core machine (every worker loads
    # the content library and growth references once); a navigation gets longer than a click.
    page.set_default_navigation_timeout(45_000)
    codes = watch_for_codes(page)
    yield page
    _settle(page)
    context.close()
    _collect()
    assert not codes, f"codes reached the page (url, codes): {codes}"


@pytest.fixture
def desktop(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # A live server's first page can take several seconds on a loaded 2-core machine (every worker loads
    # the content library and growth references once); a navigation gets longer than a click.
    page.set_default_navigation_timeout(45_000)
    codes = watch_for_codes(page)
    yield page
    _settle(page)
    context.close()
    _collect()
    assert not codes, f"codes reached the page (url, codes): {codes}"
