"""Reads for sessions, their notes and adverse events, inside the actor's reach. Reading one session audits
the read of the client's record; another organisation's session is not found."""

from __future__ import annotations

from django.db.models import QuerySet

from kneadwell.accounts.actor import Actor
from kneadwell.audit.access import access_note
from kneadwell.care.models import (
    AdverseEvent,
    Note,
    Session,
)
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import NotFound


def session_get(*, actor: Actor, session_id: int, purpose: str = "opened a session") -> Session:
    """A session within the actor's reach; the read of the client's record is audited."""
    try:
        session = (
            Session.objects.for_organisation(actor.organisation_id)
            .select_related("client", "plan", "slot")
            .get(pk=session_id, client__in=client_queryset(actor=actor, include_archived=True))
        )
    except (Session.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such session.") from None
    access_note(
        actor=actor, entity="session", entity_id=session.pk, client_id=session.client_id, purpose=purpose
    )
    return session


def sessions_of(*, client: Client) -> QuerySet[Session]:
    return Session.objects.of_client(client).select_related("plan").order_by("-started_at")


def sessions_for_export(*, actor: Actor, limit: int = 100_000) -> QuerySet[Session]:
    """Every session of the clients in the actor's reach (archived ones too), oldest first, with their
    steps: the bulk CSV file."""
    return (
        Session.objects.filter(client__in=client_queryset(actor=actor, include_archived=True))
        .select_related("client")
        .prefetch_related("step_logs")
        .order_by("started_at")[:limit]
    )


def note_of(*, session: Session) -> Note | None:
    return (
        Note.objects.within(session).filter(session=session).prefetch_related("amendments__author").first()
    )


def adverse_events_of(*, client: Client) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.of_client(client).select_related("session", "reported_by")


def adverse_event_get(*, client: Client, event_id: int) -> AdverseEvent:
    try:
        return AdverseEvent.objects.of_client(client).get(pk=event_id)
    except (AdverseEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such adverse event for this client.") from None
