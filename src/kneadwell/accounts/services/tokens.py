"""Personal API tokens: create, revoke, and find the token behind a bearer string."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import ApiToken
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited, save_audited
from kneadwell.core.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    pass


TOKEN_PREFIX = "kw_"  # noqa: S105 - the public prefix that marks our tokens


def api_token_create(*, actor: Actor, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A personal API token for the actor's membership. The raw token is returned once and never stored."""
    actor.require(Perm.TOKEN_MANAGE)
    if not name.strip():
        raise ValidationFailed({"name": [_("Give the token a name, e.g. 'ward laptop import'.")]})
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise ValidationFailed({"expires_in_days": [_("A token can last from 1 to 366 days.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            membership=actor.membership,
            name=name.strip()[:100],
            prefix=raw[:10],
            token_hash=ApiToken.hash(raw),
            expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        create_audited(
            actor=actor,
            obj=token,
            entity="api_token",
            summary=f"created API token {token.name!r}",
        )
    return token, raw


def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    actor.require(Perm.TOKEN_MANAGE)
    token = ApiToken.objects.filter(membership__user=actor.user, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            save_audited(
                actor=actor,
                obj=token,
                update_fields=["revoked_at", "updated_at"],
                entity="api_token",
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
