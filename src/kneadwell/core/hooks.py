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
    "kneadwell.interop.views.client_section",
)
# Actions under a readiness-check verdict (start a session, enrol): `(request, check) -> str`.
CHECK_RESULT_SECTIONS: tuple[str, ...] = ("kneadwell.care.sections.check_actions",)
# Sections on a library protocol page, after its own content: `(request, protocol) -> str`.
PROTOCOL_SECTIONS: tuple[str, ...] = ("kneadwell.evidence.sections.protocol_section",)


@cache
def _load(path: str) -> Callable[..., str]:
    module, name = path.rsplit(".", 1)
    func: Callable[..., str] = getattr(import_module(module), name)
    return func


def client_sections(request: Any, client: Any) -> list[SafeString]:
    return _render(CLIENT_SECTIONS, request, client)


def check_result_sections(request: Any, check: Any) -> list[SafeString]:
    return _render(CHECK_RESULT_SECTIONS, request, check)


def protocol_sections(request: Any, protocol: Any) -> list[SafeString]:
    return _render(PROTOCOL_SECTIONS, request, protocol)


def _render(paths: tuple[str, ...], request: Any, subject: Any) -> list[SafeString]:
    rendered = (_load(path)(request, subject) for path in paths)
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 - our own rendered templates
