"""Writes for organisations, memberships, invitations and API tokens: validate, save, audit."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from kneadwell.accounts.roles import Perm, Role
from kneadwell.audit.services import Action, audit_record
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed

INVITATION_DAYS = 14
TOKEN_PREFIX = "kw_"  # noqa: S105 - the public prefix that marks our tokens


def _check_email(email: str, field: str = "email") -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed({field: [f"{email or 'That'} is not a valid email address."]}) from None
    return email


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from None


def organisation_create(*, name: str, kind: str, owner: User) -> tuple[Organisation, Membership]:
    """A new organisation with `owner` as its first administrator (used by set-up, demo and the CLI)."""
    if not name.strip():
        raise ValidationFailed({"name": ["Enter the organisation's name."]})
    if kind not in Organisation.Kind.values:
        raise ValidationFailed({"kind": [f"Choose one of: {', '.join(Organisation.Kind.values)}."]})
    with transaction.atomic():
        org = Organisation.objects.create(name=name.strip(), kind=kind)
        membership = Membership.objects.create(user=owner, organisation=org, role=Role.ADMIN)
        actor = Actor(user=owner, membership=membership, channel=Channel.SYSTEM)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="organisation",
            entity_id=org.pk,
            summary=f"created organisation {org.name}",
        )
    return org, membership


def user_create(*, email: str, full_name: str, password: str) -> User:
    email = _check_email(email)
    if not full_name.strip():
        raise ValidationFailed({"full_name": ["Enter your name."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            {"email": ["An account with this email address already exists; log in instead."]}
        )
    _check_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name.strip())


def invitation_create(
    *, actor: Actor, email: str, role: str, client_id: int | None = None, base_url: str
) -> tuple[Invitation, str]:
    """Invite someone by email; returns the invitation and the one-time link (also emailed)."""
    actor.require(Perm.TEAM_MANAGE)
    email = _check_email(email)
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": ["Choose a role."]})
    if Membership.objects.filter(organisation_id=actor.organisation_id, user__email__iexact=email).exists():
        raise ValidationFailed({"email": ["This person is already a member of the organisation."]})
    client = None
    if client_id is not None:
        from kneadwell.clients.models import Client

        client = Client.objects.filter(organisation_id=actor.organisation_id, pk=client_id).first()
        if client is None:
            raise ValidationFailed({"client": ["No such client in this organisation."]})
        if role != Role.CAREGIVER:
            raise ValidationFailed({"client": ["Only a caregiver invitation is linked to a client."]})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation_id=actor.organisation_id,
            email=email,
            role=role,
            client=client,
            token_hash=ApiToken.hash(raw),
            invited_by=actor.user,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="invitation",
            entity_id=invitation.pk,
            client_id=client.pk if client else None,
            summary=f"invited {email} as {Role(role).label}",
        )
        link = f"{base_url.rstrip('/')}/invitations/{raw}/"
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You are invited to {actor.organisation.name} on Kneadwell",
                message=(
                    f"{actor.user.full_name or actor.user.email} invited you to join "
                    f"{actor.organisation.name} "
                    f"on Kneadwell as {Role(role).label}.\n\nAccept within {INVITATION_DAYS} days: {link}\n"
                ),
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
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if not invitation.is_open:
        raise DomainError("This invitation is no longer open.")
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            f"This invitation was sent to {invitation.email}; log in with that address to accept it."
        )
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            user=user,
            organisation=invitation.organisation,
            defaults={"role": invitation.role, "is_active": True},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        actor = Actor(user=user, membership=membership, channel=Channel.PAGE)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="invitation",
            entity_id=invitation.pk,
            summary="accepted the invitation",
        )
        if invitation.client_id is not None:
            from kneadwell.clients.models import Guardian

            guardian = Guardian.objects.filter(
                client_id=invitation.client_id, email__iexact=user.email
            ).first()
            if guardian is None:
                guardian = Guardian.objects.create(
                    organisation=invitation.organisation,
                    client_id=invitation.client_id,
                    name=user.full_name or user.email,
                    relationship=Guardian.Relationship.PARENT,
                    email=user.email,
                    user=user,
                )
            else:
                guardian.user = user
                guardian.save(update_fields=["user", "updated_at"])
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                entity="guardian",
                entity_id=guardian.pk,
                client_id=invitation.client_id,
                summary="linked the guardian to their login",
            )
    return membership


def invitation_revoke(*, actor: Actor, invitation_id: int) -> Invitation:
    actor.require(Perm.TEAM_MANAGE)
    invitation = Invitation.objects.filter(organisation_id=actor.organisation_id, pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.is_open:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                entity="invitation",
                entity_id=invitation.pk,
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
        raise NotFound("No such member.")
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": ["Choose a role."]})
    if member.pk == actor.membership.pk and (role != Role.ADMIN or not is_active):
        raise ValidationFailed(
            {"role": ["You cannot remove your own administrator role; ask another admin."]}
        )
    with transaction.atomic():
        before = {"role": member.role, "is_active": member.is_active}
        member.role = role
        member.is_active = is_active
        member.save(update_fields=["role", "is_active", "updated_at"])
        after = {"role": member.role, "is_active": member.is_active}
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="membership",
            entity_id=member.pk,
            summary=f"changed {member.user.email}",
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return member


def api_token_create(*, actor: Actor, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A personal API token for the actor's membership. The raw token is returned once and never stored."""
    actor.require(Perm.TOKEN_MANAGE)
    if not name.strip():
        raise ValidationFailed({"name": ["Give the token a name, e.g. 'ward laptop import'."]})
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise ValidationFailed({"expires_in_days": ["A token can last from 1 to 366 days."]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=actor.membership,
            name=name.strip()[:100],
            prefix=raw[:10],
            token_hash=ApiToken.hash(raw),
            expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="api_token",
            entity_id=token.pk,
            summary=f"created API token {token.name!r}",
        )
    return token, raw


def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    actor.require(Perm.TOKEN_MANAGE)
    token = ApiToken.objects.filter(membership__user=actor.user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                entity="api_token",
                entity_id=token.pk,
                summary=f"revoked API token {token.name!r}",
            )
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token for a bearer string, or None. Marks it used (at most once a minute, to keep reads
    from turning into writes on every request)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organisation")
        .filter(token_hash=ApiToken.hash(raw))
        .first()
    )
    if (
        token is None
        or not token.is_active
        or not token.membership.is_active
        or not token.membership.user.is_active
    ):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
