"""Attach the signed-in user's active membership (the organisation they are working in) to the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kneadwell.accounts.models import Membership

SESSION_KEY = "active_membership_id"


def active_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("organisation", "user").filter(
        user=request.user, is_active=True
    )
    wanted = request.session.get(SESSION_KEY)
    if wanted is not None:
        chosen = memberships.filter(pk=wanted).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("created_at", "pk").first()


class ActiveMembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = active_membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)
