from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import Id
from kneadwell.audit.selectors import audit_event_list

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    role: str
    channel: str
    action: str
    entity: str
    entity_id: str
    client_id: int | None
    summary: str
    changes: dict[str, Any]


class AuditPage(Schema):
    count: int
    items: list[AuditOut]


class AuditParams(Schema):
    client_id: Id | None = None
    action: Annotated[str, Field(max_length=20, pattern=r"^[a-z_]*$")] = ""
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0


@router.get("", response=responses({200: AuditPage}, 403), summary="The organisation's audit log (admins)")
@needs(Perm.AUDIT_VIEW)
def audit_list(request: HttpRequest, params: Query[AuditParams]) -> AuditPage:
    events = audit_event_list(actor=actor_of(request), client_id=params.client_id, action=params.action)
    items = [
        AuditOut(
            id=e.pk,
            at=e.at,
            actor=e.actor_label,
            role=e.actor_role,
            channel=e.channel,
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            client_id=e.client_id,
            summary=e.summary,
            changes=e.changes,
        )
        for e in events[params.offset : params.offset + params.limit]
    ]
    return AuditPage(count=events.count(), items=items)
