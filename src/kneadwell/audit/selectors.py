"""Read the audit log, for admins of the organisation only."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.models import AuditEvent


def audit_event_list(
    *,
    actor: Actor,
    client_id: int | None = None,
    action: str = "",
    user_query: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    actor.require(Perm.AUDIT_VIEW)
    events = AuditEvent.objects.for_organisation(actor.organisation_id)
    if client_id is not None:
        events = events.filter(client_id=client_id)
    if action:
        events = events.filter(action=action)
    if user_query:
        events = events.filter(actor_label__icontains=user_query)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events
