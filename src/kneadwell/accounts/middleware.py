"""Attach the signed-in user's active membership (the organisation they are working in) to the request,
and keep an idle session alive without writing the session row on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kneadwell.accounts.models import Membership

SESSION_KEY = "active_membership_id"
SEEN_KEY = "seen_at"
# How often a signed-in person's session is pushed forward (row and cookie). The idle limit
# (SESSION_COOKIE_AGE) is therefore met to within this many seconds, and a page view writes nothing.
SESSION_REFRESH_SECONDS = 60


class IdleSessionMiddleware:
    """Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) kept the idle timeout exact but
    wrote the session row on every page view. Instead, a signed-in session is marked changed at most once
    a minute, which saves it (and re-sends its cookie with a fresh expiry) through SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - int(session.get(SEEN_KEY, 0)) >= SESSION_REFRESH_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)


def active_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    # The user is the request's own (already loaded): join the organisation only, and hand the membership
    # that user. On every signed-in request, so kept lean: the join of the user again and first()'s
    # ORDER BY on a primary-key match made it twice the cost.
    memberships = Membership.objects.select_related("organisation").filter(user=request.user, is_active=True)
    wanted = request.session.get(SESSION_KEY)
    chosen = None
    if wanted is not None:
        chosen = next(iter(memberships.filter(pk=wanted)[:1]), None)
    if chosen is None:
        chosen = memberships.order_by("created_at", "pk").first()
    if chosen is not None:
        chosen.user = request.user
    return chosen


class ActiveMembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = active_membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)
