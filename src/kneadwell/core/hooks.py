"""Where one app's pages show another app's content, explicitly listed (no auto-discovery): the client
page lists a section per area, in this order. Each entry is a function `(request, client) -> str` that
returns rendered HTML, or "" when it has nothing to show for that person."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from django.utils.safestring import SafeString, mark_safe

CLIENT_SECTIONS: tuple[str, ...] = (
    "kneadwell.library.sections.client_section",
    "kneadwell.outcomes.views.client_section",
    "kneadwell.care.sections.client_section",
    "kneadwell.evidence.sections.client_section",
    "kneadwell.reports.sections.client_section",
    "kneadwell.evaluation.sections.client_section",
    "kneadwell.interop.views.client_section",
    "kneadwell.courses.sections.client_section",
)
# Cards at the top of the home page: `(request, clients) -> str` with the clients the person sees there.
HOME_SECTIONS: tuple[str, ...] = (
    "kneadwell.courses.sections.home_section",
    "kneadwell.library.sections.home_section",
    "kneadwell.evaluation.sections.home_section",
)
# Actions under a readiness-check verdict (start a session, enrol): `(request, check) -> str`.
CHECK_RESULT_SECTIONS: tuple[str, ...] = ("kneadwell.care.sections.check_actions",)
# What a "Check, then start" does after the check was saved: `(request, check) -> HttpResponse | None`
# (None: show the check's result page as usual).
AFTER_CHECK: tuple[str, ...] = ("kneadwell.care.views.sessions.start_after_check",)
# Limits on a guided session's steps, applied after today's verdict: `(client, protocol_id, steps,
# dropped) -> (steps, dropped) | None` (None: no limit). A limit only keeps fewer steps; it may raise
# ValidationFailed to say why no session can start (a class's home routine before the first class).
SESSION_STEPS: tuple[str, ...] = ("kneadwell.courses.home.session_steps",)
# Sections on a library protocol page, after its own content: `(request, protocol) -> str`.
PROTOCOL_SECTIONS: tuple[str, ...] = ("kneadwell.evidence.sections.protocol_section",)


@cache
def _load(path: str) -> Callable[..., Any]:
    module, name = path.rsplit(".", 1)
    func: Callable[..., Any] = getattr(import_module(module), name)
    return func


def client_sections(request: Any, client: Any) -> list[SafeString]:
    return _render(CLIENT_SECTIONS, request, client)


def home_sections(request: Any, clients: Any) -> list[SafeString]:
    return _render(HOME_SECTIONS, request, clients)


def check_result_sections(request: Any, check: Any) -> list[SafeString]:
    return _render(CHECK_RESULT_SECTIONS, request, check)


def after_check(request: Any, check: Any) -> Any:
    """The first answer a hook in AFTER_CHECK gives (a redirect into the session), or None."""
    for path in AFTER_CHECK:
        response = _load(path)(request, check)
        if response is not None:
            return response
    return None


def session_steps(client: Any, protocol_id: str, steps: Any, dropped: Any) -> Any:
    """Today's (steps, dropped) after every limit in SESSION_STEPS, or None when none applies."""
    limited = None
    for path in SESSION_STEPS:
        found = _load(path)(client, protocol_id, steps, dropped)
        if found is not None:
            steps, dropped = limited = found
    return limited


def protocol_sections(request: Any, protocol: Any) -> list[SafeString]:
    return _render(PROTOCOL_SECTIONS, request, protocol)


def _render(paths: tuple[str, ...], request: Any, subject: Any) -> list[SafeString]:
    rendered = (_load(path)(request, subject) for path in paths)
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 - our own rendered templates
