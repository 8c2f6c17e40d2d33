"""Writes for organisations and user accounts, and the email and password checks other writes share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation, User
from kneadwell.accounts.roles import Role
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.core.errors import ValidationFailed

if TYPE_CHECKING:
    pass


def _check_email(email: str, field: str = "email") -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        if email:
            message = _("%(email)s is not a valid email address.") % {"email": email}
        else:
            message = _("That is not a valid email address.")
        raise ValidationFailed({field: [message]}) from None
    return email


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from None


def organisation_create(*, name: str, kind: str, owner: User) -> tuple[Organisation, Membership]:
    """A new organisation with `owner` as its first administrator (used by set-up, demo and the CLI)."""
    if not name.strip():
        raise ValidationFailed({"name": [_("Enter the organisation's name.")]})
    if kind not in Organisation.Kind.values:
        kinds = ", ".join(Organisation.Kind.values)
        raise ValidationFailed({"kind": [_("Choose one of: %(kinds)s.") % {"kinds": kinds}]})
    with transaction.atomic():
        org = Organisation.objects.create(name=name.strip(), kind=kind)
        membership = Membership.objects.create(user=owner, organisation=org, role=Role.ADMIN)
        actor = Actor(user=owner, membership=membership, channel=Channel.SYSTEM)
        # Audited once its first administrator exists: the row is written in that person's name.
        audit_action(
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
        raise ValidationFailed({"full_name": [_("Enter your name.")]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            {"email": [_("An account with this email address already exists; log in instead.")]}
        )
    _check_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name.strip())
