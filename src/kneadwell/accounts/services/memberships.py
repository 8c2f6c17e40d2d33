"""Writes for invitations and memberships: invite by email, accept, revoke, change a member's role."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import ApiToken, Invitation, Membership, User
from kneadwell.accounts.roles import ROLE_LABELS, Perm, Role
from kneadwell.accounts.services.organisations import _check_email
from kneadwell.audit.writes import create_audited, save_audited
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed

if TYPE_CHECKING:
    pass


INVITATION_DAYS = 14


def invitation_create(
    *, actor: Actor, email: str, role: str, client_id: int | None = None, base_url: str
) -> tuple[Invitation, str]:
    """Invite someone by email; returns the invitation and the one-time link (also emailed)."""
    actor.require(Perm.TEAM_MANAGE)
    email = _check_email(email)
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": [_("Choose a role.")]})
    if Membership.objects.filter(organisation_id=actor.organisation_id, user__email__iexact=email).exists():
        raise ValidationFailed({"email": [_("This person is already a member of the organisation.")]})
    client = None
    if client_id is not None:
        from kneadwell.clients.models import Client

        client = Client.objects.filter(organisation_id=actor.organisation_id, pk=client_id).first()
        if client is None:
            raise ValidationFailed({"client": [_("No such client in this organisation.")]})
        if role != Role.CAREGIVER:
            raise ValidationFailed({"client": [_("Only a caregiver invitation is linked to a client.")]})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation(
            organisation_id=actor.organisation_id,
            email=email,
            role=role,
            client=client,
            token_hash=ApiToken.hash(raw),
            invited_by=actor.user,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        create_audited(
            actor=actor,
            obj=invitation,
            entity="invitation",
            client_id=client.pk if client else None,
            summary=f"invited {email} as {ROLE_LABELS[Role(role)]}",  # the audit log stays in English
        )
        link = f"{base_url.rstrip('/')}/invitations/{raw}/"
        # To an address that may have no account yet: in the language of the person inviting.
        values = {
            "sender": actor.user.full_name or actor.user.email,
            "organisation": actor.organisation.name,
            "role": Role(role).label,
            "days": INVITATION_DAYS,
        }
        subject = _("You are invited to %(organisation)s on Kneadwell") % values
        message = (
            _("%(sender)s invited you to join %(organisation)s on Kneadwell as %(role)s.") % values
            + "\n\n"
            + _("Accept within %(days)s days:") % values
            + f" {link}\n"
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                message=message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )
        )
    return invitation, link


def invitation_find(*, raw_token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation", "client")
        .filter(token_hash=ApiToken.hash(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise NotFound(_("This invitation link is not valid any more. Ask for a new one."))
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if not invitation.is_open:
        raise DomainError(_("This invitation is no longer open."))
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            _("This invitation was sent to %(email)s; log in with that address to accept it.")
            % {"email": invitation.email}
        )
    with transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            user=user,
            organisation=invitation.organisation,
            defaults={"role": invitation.role, "is_active": True},
        )
        actor = Actor(user=user, membership=membership, channel=Channel.PAGE)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        save_audited(
            actor=actor,
            obj=invitation,
            update_fields=["accepted_at", "accepted_by", "updated_at"],
            entity="invitation",
            summary="accepted the invitation",
        )
        if user.email_verified_at is None:
            # The invitation link was emailed to this address, so opening it shows the address is theirs.
            user.email_verified_at = invitation.accepted_at
            user.save(update_fields=["email_verified_at"])
        if invitation.client_id is not None:
            from kneadwell.clients.models import Guardian

            guardian = Guardian.objects.filter(
                client_id=invitation.client_id, email__iexact=user.email
            ).first()
            if guardian is None:
                guardian = Guardian(
                    organisation=invitation.organisation,
                    client_id=invitation.client_id,
                    name=user.full_name or user.email,
                    relationship=Guardian.Relationship.PARENT,
                    email=user.email,
                )
            guardian.user = user
            # A guardian added here is audited as the linking it is (an update), like one already listed.
            save_audited(
                actor=actor,
                obj=guardian,
                update_fields=None if guardian.pk is None else ["user", "updated_at"],
                entity="guardian",
                client_id=invitation.client_id,
                summary="linked the guardian to their login",
            )
    return membership


def invitation_revoke(*, actor: Actor, invitation_id: int) -> Invitation:
    actor.require(Perm.TEAM_MANAGE)
    invitation = Invitation.objects.filter(organisation_id=actor.organisation_id, pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    if invitation.is_open:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            save_audited(
                actor=actor,
                obj=invitation,
                update_fields=["revoked_at", "updated_at"],
                entity="invitation",
                summary=f"revoked the invitation to {invitation.email}",
            )
    return invitation


def membership_update(*, actor: Actor, membership_id: int, role: str, is_active: bool) -> Membership:
    actor.require(Perm.TEAM_MANAGE)
    member = (
        Membership.objects.select_related("user")
        .filter(organisation_id=actor.organisation_id, pk=membership_id)
        .first()
    )
    if member is None:
        raise NotFound(_("No such member."))
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": [_("Choose a role.")]})
    if member.pk == actor.membership.pk and (role != Role.ADMIN or not is_active):
        raise ValidationFailed(
            {"role": [_("You cannot remove your own administrator role; ask another admin.")]}
        )
    with transaction.atomic():
        before = {"role": member.role, "is_active": member.is_active}
        member.role = role
        member.is_active = is_active
        after = {"role": member.role, "is_active": member.is_active}
        save_audited(
            actor=actor,
            obj=member,
            update_fields=["role", "is_active", "updated_at"],
            entity="membership",
            summary=f"changed {member.user.email}",
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return member
