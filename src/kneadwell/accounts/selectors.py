from __future__ import annotations

from django.db.models import QuerySet

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import ApiToken, Invitation, Membership, User
from kneadwell.accounts.roles import Perm


def member_list(*, actor: Actor) -> QuerySet[Membership]:
    actor.require(Perm.TEAM_MANAGE)
    return (
        Membership.objects.for_organisation(actor.organisation_id)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def invitation_list(*, actor: Actor) -> QuerySet[Invitation]:
    actor.require(Perm.TEAM_MANAGE)
    return (
        Invitation.objects.for_organisation(actor.organisation_id)
        .select_related("client", "invited_by")
        .order_by("-created_at")
    )


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    actor.require(Perm.TOKEN_MANAGE)
    return (
        ApiToken.objects.for_organisation(actor.organisation_id)
        .filter(membership=actor.membership)
        .order_by("-created_at")
    )


def user_by_email(*, email: str) -> User | None:
    """The account with this address, whatever its case (an invitation names an address, not a user)."""
    return User.objects.filter(email__iexact=email).first()


def memberships_of(*, user_id: int) -> QuerySet[Membership]:
    return Membership.objects.select_related("organisation").filter(user_id=user_id, is_active=True)
