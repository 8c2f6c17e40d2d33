"""API authentication: a personal bearer token (integrations) or the page session cookie with CSRF
(the app's own pages). Either way the request gets an `actor` for the token's or session's membership."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.services import api_token_authenticate
from kneadwell.core.web import client_ip


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        found = api_token_authenticate(token)
        if found is None:
            return None
        actor = Actor(
            user=found.membership.user,
            membership=found.membership,
            channel=Channel.API,
            ip=client_ip(request),
        )
        request.actor = actor  # type: ignore[attr-defined]
        return actor


class PageSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = super().authenticate(request, key)
        membership = getattr(request, "membership", None)
        if not user or membership is None:
            return None
        actor = Actor(
            user=cast(Any, request.user), membership=membership, channel=Channel.API, ip=client_ip(request)
        )
        request.actor = actor  # type: ignore[attr-defined]
        return actor


def actor_of(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]
