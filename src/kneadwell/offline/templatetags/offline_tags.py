"""The offline web app in the pages: the manifest and theme colour in the head, the status line (offline,
records waiting to be sent, conflicts) with the script's settings and words on every page, the state the
player keeps for going on without a network, and the flag on a session whose sync found a conflict."""

from __future__ import annotations

import base64
import json
from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from kneadwell.accounts.roles import Perm, Role
from kneadwell.library.bundle import ENGLISH
from kneadwell.library.display import display_language
from kneadwell.offline.kit import bundle_url
from kneadwell.offline.views import THEME_COLOUR
from kneadwell.offline.words import offline_words, shown_conflict

register = template.Library()


@register.simple_tag
def offline_head() -> SafeString:
    return format_html(
        '<link rel="manifest" href="{}"><meta name="theme-color" content="{}">'
        '<link rel="apple-touch-icon" href="{}"><link rel="stylesheet" href="{}">',
        reverse("manifest"),
        THEME_COLOUR,
        static("icons/kneadwell-192.png"),
        static("css/offline.css"),
    )


def _records(context: Any) -> bool:
    held = context.get("perms_held") or ()
    return Perm.SESSION_RECORD.value in held


@register.simple_tag(takes_context=True)
def offline_status(context: Any) -> SafeString:
    """The status line (an aria-live region, hidden while there is nothing to say) and offline.js with its
    settings. Signed out, the script only forgets the previous person's pages and kits."""
    request = context.get("request")
    user = getattr(request, "user", None)
    membership = context.get("membership")
    signed_in = bool(user and user.is_authenticated and membership is not None and _records(context))
    warm: list[dict[str, Any]] = []
    if signed_in and membership.role == Role.CAREGIVER:
        children = context.get("my_children")
        for child in children() if callable(children) else children or []:
            warm.append(
                {
                    "client_id": child.pk,
                    "client_url": reverse("clients:detail", args=[child.pk]),
                    "check_url": reverse("library:check", args=[child.pk]),
                    "kit_url": reverse("api:kit", args=[child.pk]),
                    "bundle_url": bundle_url(child.pk),
                }
            )
    fixed = _fixed_config()
    config = {
        "user": user.pk if signed_in and user is not None else None,
        **fixed["urls"],
        # The content language the kit and the rules bundle are fetched in (the bundle names its own): a
        # kept bundle in another language is fetched again (offline.js).
        "language": fixed["language"],
        "warm": warm,
        # The words are for the script, not the page: kept out of the page's text (base64), so that what a
        # page says (and what a test reads in it) is only what it shows.
        "words": fixed["words"],
    }
    return format_html(
        '{}{}<script src="{}" defer></script>',
        _BOX,
        json_script(config, "kw-offline-config"),
        fixed["script"],
    )


_LINES = "".join(
    f'<p data-line="{name}" hidden></p>' for name in ("offline", "sending", "waiting", "held", "conflicts")
)
_BOX = mark_safe(  # noqa: S308 - fixed markup; the script fills in the words as text
    f'<div id="kw-offline" class="offline-status" role="status" aria-live="polite" hidden>{_LINES}</div>'
)
# What the status line's settings hold that is the same on every page in a language (addresses, the
# static files' hashed names, the script's words): worked out once per language, content language and
# URL prefix in this process, not on every page (issue 11, docs/performance.md: the frame's cost). The
# words come from the message catalogues, fixed for the life of the process.
_FIXED: dict[tuple[str | None, str, str], dict[str, Any]] = {}


def _fixed_config() -> dict[str, Any]:
    language = display_language() or ENGLISH
    key = (translation.get_language(), language, get_script_prefix())
    found = _FIXED.get(key)
    if found is None:
        found = _FIXED[key] = {
            "urls": {
                "sync_url": reverse("api:sync"),
                "shell_url": reverse("offline:shell"),
                "conflicts_url": reverse("offline:conflicts"),
                "logout_url": reverse("accounts:logout"),
                "sw_url": reverse("service_worker"),
                "rules_js": static("js/rules.js"),
                "sources_url": reverse("library:sources"),
            },
            "language": language,
            "words": base64.b64encode(json.dumps(offline_words()).encode()).decode(),
            "script": static("js/offline.js"),
        }
    return found


@register.simple_tag(takes_context=True)
def offline_player_state(context: Any) -> SafeString:
    """Inside the player's partial: what the page needs to go on with this session on the device when the
    network drops (offline-player.js), refreshed with every step the server answers."""
    session = context.get("session")
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if session is None or actor is None or not actor.can(Perm.SESSION_RECORD):
        return mark_safe("")
    from kneadwell.offline.kit import player_state

    timing = context.get("timing") or {}
    clock = context.get("clock") or {}
    state = player_state(
        session,
        actor=actor,
        elapsed=float(timing.get("elapsed", 0.0)),
        logged_seconds=float(clock.get("elapsed", 0.0)) - float(timing.get("elapsed", 0.0)),
    )
    state["rendered_at"] = timezone.now().isoformat()
    return json_script(state, "kwo-state")


@register.inclusion_tag("offline/_session_flag.html")
def offline_session_flag(session: Any) -> dict[str, Any]:
    """A session recorded on a device whose sync found a conflict: flagged for whoever opens it."""
    from kneadwell.offline.selectors import session_conflicts

    return {"records": session_conflicts(session=session) if session is not None else []}


@register.filter
def shown(conflict: Any) -> Any:
    """A stored conflict in the page's language (offline/words.py)."""
    return shown_conflict(conflict) or {}
