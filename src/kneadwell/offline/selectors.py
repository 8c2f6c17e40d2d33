"""Reads of what devices sent: the conflicts nobody has marked as read, within the actor's reach."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.care.models import Session
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import NotFound
from kneadwell.offline.models import SyncRecord


def open_conflicts(*, actor: Actor, limit: int = 200) -> QuerySet[SyncRecord]:
    """Conflicts found on sync and not yet marked as read, for the clients the actor sees, newest first."""
    return (
        SyncRecord.objects.for_organisation(actor.organisation_id)
        .filter(
            status=SyncRecord.Status.CONFLICT,
            resolved_at__isnull=True,
            client__in=client_queryset(actor=actor, include_archived=True),
        )
        .select_related("client")
        .order_by("-synced_at", "-id")[:limit]
    )


def session_conflicts(*, session: Session) -> list[SyncRecord]:
    """Every conflict found on sync for one session (read or not): the session's flag."""
    return list(
        SyncRecord.objects.within(session)
        .filter(session=session, status=SyncRecord.Status.CONFLICT)
        .order_by("synced_at", "id")
    )


def conflict_get(*, actor: Actor, record_id: int) -> SyncRecord:
    try:
        return (
            SyncRecord.objects.for_organisation(actor.organisation_id)
            .filter(client__in=client_queryset(actor=actor, include_archived=True))
            .get(pk=record_id, status=SyncRecord.Status.CONFLICT)
        )
    except (SyncRecord.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such conflict.")) from None
