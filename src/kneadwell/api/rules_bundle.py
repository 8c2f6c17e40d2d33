"""The rules bundle: what a device needs to run today's check and the in-session stop rules with no network,
from the same rule data the server evaluates (docs/offline.md, "Rules on the device")."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import Id
from kneadwell.clients.selectors import client_get
from kneadwell.library import selectors
from kneadwell.library.display import display_language

router = Router(tags=["library"])


class BundleParams(Schema):
    protocol: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")] | None = Field(
        None, description="The programme to screen for by default (else the one today's check offers)"
    )


class RulesBundleOut(Schema):
    """Documented field by field in docs/offline.md; the rules, questions and the rest are the content as
    loaded (the same data the server's screening evaluates)."""

    format: int
    content_version: str
    language: str
    version: str
    words: dict[str, Any]
    issued_at: str
    expires_at: str
    time_zone: str
    protocol_id: str
    client: dict[str, Any]
    intake: dict[str, Any]
    settings: dict[str, Any]
    releases: list[dict[str, Any]]
    self_release: bool
    rules: list[dict[str, Any]]
    questions: dict[str, Any]
    question_sets: dict[str, Any]
    protocols: dict[str, Any]
    regions: list[dict[str, Any]]
    conditions: dict[str, str]
    populations: dict[str, str]
    states: dict[str, Any]
    cues: dict[str, Any]
    session_checks: dict[str, Any]
    sources: dict[str, Any]


@router.get(
    "/clients/{client_id}/rules-bundle",
    response=responses({200: RulesBundleOut}, 403, 404),
    summary="The safety rules and the client's record as a device needs them to screen offline",
)
@needs(Perm.SESSION_RECORD)
def rules_bundle_get(
    request: HttpRequest, response: HttpResponse, client_id: Id, params: Query[BundleParams]
) -> dict[str, Any]:
    actor = actor_of(request)
    client = client_get(
        actor=actor, client_id=client_id, purpose="downloaded the safety rules for offline use"
    )
    # The words are in the person's language (the page's: their choice, else the browser's); the bundle
    # names it, and its version (the ETag) carries it, so a bundle in one language is never served, by a
    # cache or the device, as another's. Never cached on the way: it holds a client's record.
    bundle = selectors.rules_bundle_for(
        client=client, user_id=actor.user.pk, protocol_id=params.protocol, language=display_language()
    )
    # The ETag names the content, the language and the words, then the record the bundle was made from
    # (a hash of everything but its dates): two bundles with the same tag decide and speak alike.
    record = {k: v for k, v in bundle.items() if k not in ("issued_at", "expires_at")}
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:16]
    response["ETag"] = f'W/"{bundle["version"]}~{digest}"'
    response["Content-Language"] = bundle["language"]
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return bundle
