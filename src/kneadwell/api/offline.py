"""The offline web app's operations: a client's offline kit (what a device keeps to run a session with no
network) and the sync of the records a device kept while offline (docs/offline.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.care_types import Key
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, DateTime, Id
from kneadwell.clients.selectors import client_get
from kneadwell.offline import services
from kneadwell.offline.kit import offline_kit
from kneadwell.offline.services.sync import MAX_RECORDS
from kneadwell.offline.words import shown_conflict

router = Router(tags=["offline"])

Kind = Literal["check", "session_start", "step", "observation", "pause", "resume", "session_end", "note"]


class SyncRecordIn(BodyIn):
    key: Key = Field(..., description="The idempotency key the device made (a UUID): stored once")
    kind: Kind
    client_id: Id
    device_time: DateTime = Field(..., description="When it happened on the device, with its UTC offset")
    session_id: Id | None = Field(None, description="A session the server has (started online)")
    session_key: Key | None = Field(
        None, description="The key of the session_start record of a session started on the device"
    )
    data: dict[str, Any] = Field(default_factory=dict, description="What was recorded; see docs/offline.md")


class SyncIn(BodyIn):
    records: Annotated[list[SyncRecordIn], Field(max_length=MAX_RECORDS)]


class SyncResultOut(Schema):
    key: str
    kind: str
    status: Literal["stored", "replayed", "waiting", "refused"]
    message: str
    result: dict[str, Any]
    conflict: dict[str, Any] | None


class SyncOut(Schema):
    synced_at: dt.datetime
    results: list[SyncResultOut]


class OfflineKitOut(Schema):
    format: int
    content_version: str  # the library's; the device narrows steps only with a bundle of the same
    treatment_kinds: list[str]
    words: dict[str, Any]  # the words for today's changed steps (offline/kit.device_words)
    issued_at: str
    user_id: int
    client: dict[str, Any]
    population: str
    parent: bool
    protocols: list[dict[str, Any]]
    cue_groups: list[dict[str, Any]]
    states: list[dict[str, Any]]
    urls: dict[str, str]


class ConflictOut(Schema):
    key: str
    kind: str
    client_id: int
    session_id: int | None
    device_time: dt.datetime
    synced_at: dt.datetime
    conflict: dict[str, Any]


@router.post(
    "/sync",
    operation_id="kneadwell_api_offline_sync",
    response=responses({200: SyncOut}, 403),
    summary="Send the records a device kept while offline, in order; each key is stored once",
    description="Each record is answered `stored` (with a `conflict` when the server reads it more "
    "cautiously than the device did: kept and flagged), `replayed` (the key was stored before: the first "
    "result, nothing written again), `waiting` (it depends on a record not stored yet: send it again "
    "after that one) or `refused` (it cannot be stored as sent; the message says why).",
)
@needs(Perm.SESSION_RECORD)
def sync(request: HttpRequest, payload: SyncIn) -> SyncOut:
    actor = actor_of(request)
    records = [
        services.DeviceRecord(
            key=r.key,
            kind=r.kind,
            client_id=r.client_id,
            device_time=r.device_time,
            session_id=r.session_id,
            session_key=r.session_key or "",
            data=r.data,
        )
        for r in payload.records
    ]
    synced_at, outcomes = services.sync_records(actor=actor, records=records)
    return SyncOut(
        synced_at=synced_at,
        results=[
            SyncResultOut(
                key=o.key,
                kind=o.kind,
                status=o.status,
                message=o.message,
                result=o.result,
                conflict=shown_conflict(o.conflict),
            )
            for o in outcomes
        ],
    )


@router.get(
    "/clients/{client_id}/offline-kit",
    operation_id="kneadwell_api_offline_kit",
    response=responses({200: OfflineKitOut}, 403, 404),
    summary="What a device keeps to run a client's sessions with no network",
)
@needs(Perm.SESSION_RECORD)
def kit(
    request: HttpRequest,
    client_id: Id,
    protocol: Annotated[str | None, Query(None, max_length=60)] = None,
) -> OfflineKitOut:
    actor = actor_of(request)
    client = client_get(
        actor=actor, client_id=client_id, purpose="kept the routine on a device for offline use"
    )
    return OfflineKitOut(
        **offline_kit(actor=actor, client=client, protocol_ids=[protocol] if protocol else ())
    )


@router.get(
    "/sync/conflicts",
    operation_id="kneadwell_api_offline_conflicts",
    response=responses({200: list[ConflictOut]}, 403),
    summary="Conflicts found on sync that nobody has marked as read yet, for the clients in your reach",
)
@needs(Perm.SESSION_RECORD)
def conflicts(request: HttpRequest) -> list[ConflictOut]:
    from kneadwell.offline.selectors import open_conflicts

    return [
        ConflictOut(
            key=r.key,
            kind=r.kind,
            client_id=r.client_id,
            session_id=r.session_id,
            device_time=r.device_time,
            synced_at=r.synced_at,
            conflict=shown_conflict(r.conflict) or {},
        )
        for r in open_conflicts(actor=actor_of(request))
    ]
