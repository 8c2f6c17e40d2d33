"""Write to the audit log. `audit_record` writes one hash-chained row; services do not call it
themselves but write through `kneadwell.audit.writes` (create, edit under lock, save, delete, or a plain
action), which saves the change and its audit row together or not at all."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connections, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.audit import chain
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
    event = AuditEvent(
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
        at=timezone.now(),
    )
    # The JSON the database will hand back (keys as strings, tuples as lists), so the hash computed now is
    # the hash `audit verify` recomputes later.
    event.changes = json.loads(json.dumps(event.changes, sort_keys=True))
    with transaction.atomic():
        _lock_chain(event.organisation_id)
        event.prev_hash = _chain_head(event.organisation_id)
        event.row_hash = chain.row_hash(event.prev_hash, _content(event))
        event.save()
    return event


CHAIN_LOCK_NAMESPACE = 0x4B57  # "KW": keeps our advisory locks apart from anyone else's


def _lock_chain(organisation_id: int | None) -> None:
    """Writers to one organisation's chain take turns, so two rows never claim the same predecessor. On
    PostgreSQL a transaction-scoped advisory lock per organisation (held to commit); SQLite transactions
    here begin IMMEDIATE (settings), which already lets one writer at a time in."""
    connection = connections[AuditEvent.objects.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [CHAIN_LOCK_NAMESPACE, (organisation_id or 0) % 2**31]
            )


# The chain's last row (index audit_org_id), as the ORM writes the query
# `AuditEvent.objects.filter(organisation_id=org).order_by("-id").values_list("row_hash", flat=True).first()`
# (`organisation_id IS NULL` for the rows without one). Written out once: building and compiling that
# queryset cost more than the read itself, on every audited request.
_HEAD_SQL = (
    'SELECT "audit_auditevent"."row_hash" AS "row_hash" FROM "audit_auditevent" '
    'WHERE "audit_auditevent"."organisation_id" {} ORDER BY "audit_auditevent"."id" DESC LIMIT 1'
)
_HEAD_OF_ORGANISATION = _HEAD_SQL.format("= %s")
_HEAD_WITHOUT_ORGANISATION = _HEAD_SQL.format("IS NULL")


def _chain_head(organisation_id: int | None) -> str:
    """The row_hash of the chain's last row ("" for an empty chain), read under the chain's lock."""
    with connections[AuditEvent.objects.db].cursor() as cursor:
        if organisation_id is None:
            cursor.execute(_HEAD_WITHOUT_ORGANISATION)
        else:
            cursor.execute(_HEAD_OF_ORGANISATION, [organisation_id])
        found = cursor.fetchone()
    return (found[0] if found else None) or ""


def _content(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in chain.CONTENT_FIELDS}


def audit_chain_verify(*, organisation_id: int | None = None, last: int | None = None) -> chain.ChainState:
    """Recompute the chain (one organisation's, or every chain) and report the first broken link. `last`
    checks only the newest rows (the audit page's quick look; it trusts the first row's prev_hash)."""
    rows = AuditEvent.objects.all()
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    # Tuples, not dictionaries, and `changes` as the text the database holds (cast: no JSONField decoding
    # per row); chain.verify_rows decodes each distinct text once, as the JSONField would have. `changes`
    # is the last content field, so the cast text stands in its place.
    rows = rows.annotate(changes_text=Cast("changes", output_field=models.TextField()))
    fields = ("id", "prev_hash", "row_hash", *chain.CONTENT_FIELDS[:-1], "changes_text")
    if last is not None:
        # One query, newest first, turned round here: selecting the ids first and then the rows `IN` them
        # read the window twice (the audit page runs this on every view).
        newest = list(rows.order_by("-id").values_list(*fields)[:last])
        return chain.verify_rows(reversed(newest), trust_first_link=True)
    values = rows.order_by("id").values_list(*fields)
    return chain.verify_rows(values.iterator(chunk_size=2000), trust_first_link=False)
