"""Adverse events: a client's list and reporting one.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_care_…`)
before the care router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, DateTime, Id, LongText
from kneadwell.care import selectors, services
from kneadwell.care.models import AdverseEvent
from kneadwell.clients.selectors import client_get

router = Router(tags=["care"])


class AdverseIn(BodyIn):
    occurred_at: DateTime
    what: LongText
    severity: Literal["mild", "moderate", "severe", "serious"]
    action_taken: LongText
    follow_up: LongText = ""
    session_id: Id | None = None


class AdverseOut(Schema):
    id: int
    session_id: int | None
    occurred_at: dt.datetime
    what: str
    severity: str
    action_taken: str
    follow_up: str
    version: int


def _adverse(e: AdverseEvent) -> AdverseOut:
    return AdverseOut(
        id=e.pk,
        session_id=e.session_id,
        occurred_at=e.occurred_at,
        what=e.what,
        severity=e.severity,
        action_taken=e.action_taken,
        follow_up=e.follow_up,
        version=e.version,
    )


@router.get(
    "/clients/{client_id}/adverse-events",
    operation_id="kneadwell_api_care_adverse_list",
    response=responses({200: list[AdverseOut]}, 403, 404),
    summary="A client's adverse events",
)
@needs(Perm.CLIENT_VIEW)
def adverse_list(request: HttpRequest, client_id: Id) -> list[AdverseOut]:
    client = client_get(actor=actor_of(request), client_id=client_id, purpose="listed adverse events")
    return [_adverse(e) for e in selectors.adverse_events_of(client=client)[:200]]


@router.post(
    "/clients/{client_id}/adverse-events",
    operation_id="kneadwell_api_care_adverse_create",
    response=responses({201: AdverseOut}, 403, 404),
    summary="Report an adverse event",
)
@needs(Perm.SESSION_RECORD)
def adverse_create(request: HttpRequest, client_id: Id, payload: AdverseIn) -> Status[AdverseOut]:
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, purpose="reported an adverse event")
    data = payload.model_dump()
    session_id = data.pop("session_id")
    session = selectors.session_get(actor=actor, session_id=session_id) if session_id else None
    return Status(
        201, _adverse(services.adverse_event_record(actor=actor, client=client, session=session, **data))
    )
