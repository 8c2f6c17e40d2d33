"""The offline web app's pages: the service worker script (served from the site's root, so it may control
every page), the web app manifest, the offline page (which plays what the device keeps: a session, the
diary, what waits to be sent) and the conflicts found on sync."""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.care.forms import DiaryForm
from kneadwell.core.errors import Conflict
from kneadwell.core.web import ActorRequest, page
from kneadwell.offline import selectors, services

THEME_COLOUR = "#0f6b63"  # the site's accent (static/css/kneadwell.css)
BACKGROUND = "#f7f6f3"
PRECACHE_STATIC = (
    "css/kneadwell.css",
    "css/offline.css",
    "js/offline.js",
    "js/offline-player.js",
    "js/rules.js",
    "js/player.js",
    "js/questions.js",
    "favicon.svg",
    "icons/kneadwell.svg",
    "icons/kneadwell-192.png",
)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker. Public like any script (it holds no one's data); served from "/" with
    `Service-Worker-Allowed: /` so its scope is the whole site, and never cached by the browser's HTTP
    cache, so a new version is picked up on the next visit."""
    precache = [static(path) for path in PRECACHE_STATIC]
    source: str = render_to_string(
        "offline/sw.js",
        {
            "version": "",
            "precache": json.dumps(precache),
            "shell_url": reverse("offline:shell"),
            "static_url": static(""),
        },
    )
    # The version changes whenever the script or a precached file's (hashed) name changes.
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    source = source.replace('var VERSION = "";', f'var VERSION = "{version}";', 1)
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable on a phone's home screen, opening standalone at the home page."""
    data = {
        "name": "Kneadwell",
        "short_name": "Kneadwell",
        "description": _("Massage routines for babies and children, checked for safety, with a diary."),
        "lang": getattr(request, "LANGUAGE_CODE", "en-gb"),
        "start_url": reverse("dashboard"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static("icons/kneadwell.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("icons/kneadwell-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/kneadwell-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/kneadwell-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@page(Perm.SESSION_RECORD)
def shell(request: ActorRequest) -> HttpResponse:
    """The offline page. Kept on the device; with no network the service worker shows it in place of a
    page the device does not hold, and its script plays what the device keeps (a session started on the
    device, the diary of a session, what waits to be sent). It shows no record by itself."""
    return render(
        request,
        "offline/shell.html",
        {"diary_form": DiaryForm(), "parent_register": request.actor.is_caregiver},
    )


@page(Perm.SESSION_RECORD)
def conflicts(request: ActorRequest) -> HttpResponse:
    """What the server read more cautiously than a device did, for the clients in the person's reach."""
    records = list(selectors.open_conflicts(actor=request.actor))
    # The page tells the device which conflicts are still open, so a copy it kept of one read here (or on
    # another device) stops being counted.
    return render(
        request,
        "offline/conflicts.html",
        {"records": records, "open_keys": [r.key for r in records]},
    )


@require_POST
@page(Perm.SESSION_RECORD)
def conflict_read(request: ActorRequest, record_id: int) -> HttpResponse:
    record = selectors.conflict_get(actor=request.actor, record_id=record_id)
    try:
        services.sync_conflict_resolve(actor=request.actor, record=record)
    except Conflict as exc:
        messages.info(request, exc.message)
    return redirect("offline:conflicts")
