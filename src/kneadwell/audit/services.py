"""Write to the audit log. Every service calls `audit_record` inside its own transaction, so a change
and its audit row are saved together or not at all."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from kneadwell.accounts.actor import Actor
from kneadwell.audit.models import AuditEvent

Action = AuditEvent.Action


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a field value for the `changes` column."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for each field whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object = "",
    client_id: int | None = None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
    organisation_id: int | None = None,
    channel: str | None = None,
    label: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        organisation_id=actor.organisation_id if actor else organisation_id,
        user=actor.user if actor else None,
        actor_label=actor.user.email if actor else label,
        actor_role=actor.membership.role if actor else "",
        channel=str(actor.channel) if actor else (channel or "system"),
        ip=actor.ip if actor else "",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        client_id=client_id,
        summary=summary[:500],
        changes=_plain(dict(changes or {})),
    )
