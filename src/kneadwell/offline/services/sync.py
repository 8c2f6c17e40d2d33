"""The sync of records kept on a device while it had no network: each stored exactly once, in the order
sent, re-checked by the server.

A device sends its waiting records in the order they were made. Each carries an idempotency key the device
generated (a UUID); `SyncRecord` keeps the key once per organisation (a unique constraint), so sending the
same record again (a retry after a dropped answer, a second tab, a replayed batch) writes nothing and
answers what the first sending answered. A record is applied and its `SyncRecord` saved in one
transaction: both or neither, and two sendings racing each other end with one row (the loser's insert
breaks the constraint, its transaction rolls back, and it answers as a replay).

Each record is answered with a status:
- `stored`: applied now (`conflict` set when the server reads it more cautiously than the device did: the
  record is kept and flagged, and the person is shown what happened and what to do);
- `replayed`: the key was stored before; the first result again, nothing written;
- `waiting`: it depends on a record the server has not stored yet (a step before its session's start); the
  device keeps it and sends it again after the earlier one;
- `refused`: it cannot be stored as sent (another person's key, a session that is not this client's,
  no consent); the device keeps it and shows the message. Nothing is dropped on either side."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import DomainError
from kneadwell.offline.models import SyncRecord

# A device's clock a few minutes fast is not a reason to refuse what it recorded; beyond that the device
# time is kept as sent and the server's time is used for the record (both are in the audit row).
CLOCK_TOLERANCE = dt.timedelta(minutes=5)
MAX_RECORDS = 500


class Waiting(Exception):
    """The record depends on one the server has not stored yet."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DeviceRecord:
    """One record as the device sent it. `session_id` names a session the server already has (started
    online); `session_key` the key of the `session_start` record of a session started on the device."""

    key: str
    kind: str
    client_id: int
    device_time: dt.datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    session_id: int | None = None
    session_key: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "client_id": self.client_id,
            "device_time": self.device_time.isoformat(),
            "session_id": self.session_id,
            "session_key": self.session_key,
            "data": dict(self.data),
        }


@dataclass
class Applied:
    """What applying a record made: the ids for the result, the session it belongs to, and a conflict."""

    result: dict[str, Any]
    session_id: int | None = None
    conflict: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


@dataclass(frozen=True)
class Outcome:
    key: str
    kind: str
    status: Literal["stored", "replayed", "waiting", "refused"]
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    conflict: dict[str, Any] | None = None


Applier = Callable[[Actor, Client, DeviceRecord, dt.datetime], Applied]


def _hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _replay(record: SyncRecord, actor: Actor, payload_hash: str) -> Outcome:
    if record.recorded_by_id != actor.user.pk:
        return Outcome(
            record.key,
            record.kind,
            "refused",
            _("This record's key was already used by another person; it was not stored again."),
        )
    if record.payload_hash != payload_hash:
        return Outcome(
            record.key,
            record.kind,
            "refused",
            _("A different record was already stored under this key; this one was not stored."),
        )
    return Outcome(
        record.key,
        record.kind,
        "replayed",
        result=record.result,
        conflict=record.conflict or None,
    )


def sync_records(*, actor: Actor, records: Sequence[DeviceRecord]) -> tuple[dt.datetime, list[Outcome]]:
    """Apply `records` in order, each at most once (see the module's docstring). Returns the sync time
    and one outcome per record, in the same order."""
    actor.require(Perm.SESSION_RECORD)
    if len(records) > MAX_RECORDS:
        # the field ("records") is what a device matches on; only the sentence is translated
        raise DomainError(_("Send at most %(n)s records at once.") % {"n": MAX_RECORDS}, field="records")
    synced_at = timezone.now()
    return synced_at, [_sync_one(actor, record, synced_at) for record in records]


def _sync_one(actor: Actor, record: DeviceRecord, synced_at: dt.datetime) -> Outcome:
    from kneadwell.offline.services.appliers import APPLIERS

    payload = record.payload()
    payload_hash = _hash(payload)
    stored = SyncRecord.objects.for_organisation(actor.organisation_id).filter(key=record.key).first()
    if stored is not None:
        return _replay(stored, actor, payload_hash)
    applier = APPLIERS.get(record.kind)
    if applier is None:
        return Outcome(
            record.key,
            record.kind,
            "refused",
            _("Unknown kind of record '%(kind)s'.") % {"kind": record.kind[:30]},
        )
    if "\\u0000" in json.dumps(payload):
        # PostgreSQL keeps no NUL character in text or JSON; nothing a person writes holds one.
        return Outcome(record.key, record.kind, "refused", _("The record holds a NUL character."))
    if record.device_time.tzinfo is None:
        return Outcome(record.key, record.kind, "refused", _("The device time needs its UTC offset."))
    try:
        client = client_get(actor=actor, client_id=record.client_id, purpose="synced records from a device")
        with transaction.atomic():
            applied = applier(actor, client, record, synced_at)
            status = SyncRecord.Status.CONFLICT if applied.conflict else SyncRecord.Status.STORED
            row = SyncRecord(
                organisation_id=actor.organisation_id,
                key=record.key,
                kind=record.kind,
                client=client,
                session_id=applied.session_id,
                recorded_by=actor.user,
                payload=payload,
                payload_hash=payload_hash,
                device_time=record.device_time,
                synced_at=synced_at,
                status=status,
                result=applied.result,
                conflict=applied.conflict,
            )
            with transaction.atomic():
                row.save(force_insert=True)
            audit_action(
                actor=actor,
                action=Action.CREATE,
                entity="sync_record",
                entity_id=row.pk,
                client_id=client.pk,
                summary=(
                    f"synced from the device: {applied.summary or _english_kind(row.kind)} "
                    f"(recorded on the device at {_when(record.device_time)}, synced at {_when(synced_at)})"
                )[:500],
                changes={
                    "key": record.key,
                    "kind": record.kind,
                    "device_time": record.device_time.isoformat(),
                    "synced_at": synced_at.isoformat(),
                    "status": status,
                    "conflict": applied.conflict.get("title", "") if applied.conflict else "",
                },
            )
    except Waiting as exc:
        return Outcome(record.key, record.kind, "waiting", exc.message)
    except IntegrityError:
        # The same key arrived twice at once (a second tab, a retry racing the first): keep the first.
        again = SyncRecord.objects.for_organisation(actor.organisation_id).filter(key=record.key).first()
        if again is None:
            raise
        return _replay(again, actor, payload_hash)
    except DomainError as exc:  # not found, no permission, no consent, invalid data
        return Outcome(record.key, record.kind, "refused", _message(exc))
    return Outcome(
        record.key, record.kind, "stored", result=applied.result, conflict=applied.conflict or None
    )


def _message(exc: DomainError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return " ".join(f"{m}" for messages in errors.values() for m in messages)
    return exc.message


def _english_kind(kind: str) -> str:
    """The kind's label for the audit summary, which is stored English whatever the request's language
    (the labels are translated for display)."""
    with translation.override("en"):
        return str(SyncRecord.Kind(kind).label).lower()


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def device_moment(record: DeviceRecord, synced_at: dt.datetime) -> dt.datetime:
    """When the record happened, for the rows it writes: the device's time, unless the device's clock was
    ahead of the server's (then the sync time: nothing is recorded in the future)."""
    if record.device_time > synced_at + CLOCK_TOLERANCE:
        return synced_at
    return min(record.device_time, synced_at)
