"""The one way services write a change and its audit row (in the spirit of pretix's `log_action`).

Each helper saves the row and its audit row in one transaction, so both are saved or neither is:

* `create_audited(obj=...)`: insert a new row (built, not yet saved) and audit its creation;
* `edit_audited(queryset=..., pk=..., expected_version=...)`: a block that loads the row under
  `lock_for_edit` (409 on a stale or missing version), lets the service validate and change it, then saves
  it one version up and audits the difference;
* `save_audited(obj=...)` / `delete_audited(obj=...)`: save or delete a row the service has already
  locked or loaded (state changes that do not carry an editor's version: ending a plan, a session step,
  revoking a token);
* `audit_action(...)`: an act that is not one row's save: an export, a login, a restore, an import as a
  whole.

A `VersionedModel` row goes up one version each time it is saved again here, so an editor holding the old
version gets a Conflict instead of overwriting the change (a new row starts at version 1).

Outside this module only the audit package's own code calls `audit_record` (see
tests/audit/test_writes.py for the list and the reasons)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

from django.db import models, transaction

from kneadwell.accounts.actor import Actor
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.services import Action, audit_record, diff, snapshot
from kneadwell.core.concurrency import lock_for_edit
from kneadwell.core.models import VersionedModel

M = TypeVar("M", bound=models.Model)

# `client_id=OWN_ID` on a create: the new row is the client itself, so its own id is the client's id.
OWN_ID: Final = "own id"

ERR_NO_SUMMARY = "An audited edit needs a summary (set edit.summary inside the block)."


def audit_action(
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
    """Audit an act that is not one row's save (an export, a login, a restore, an import as a whole).
    Called inside the service's transaction when the act also wrote rows, so they share its fate.
    Without an actor (system jobs, logins), `organisation_id`, `channel` and `label` say who and where."""
    return audit_record(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        client_id=client_id,
        summary=summary,
        changes=changes,
        organisation_id=organisation_id,
        channel=channel,
        label=label,
    )


# The helpers below open `atomic(savepoint=False)`: inside a service's transaction a failure fails that
# whole transaction (what all-or-nothing asks for, and what PostgreSQL does to a failed statement anyway);
# on their own they are a transaction. A service that must survive a failed insert (two first saves of a
# note racing) wraps the call in its own `transaction.atomic()`, which is a savepoint.


def create_audited(
    *,
    actor: Actor,
    obj: M,
    entity: str,
    summary: str,
    client_id: int | Literal["own id"] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> M:
    """Insert `obj` (built, not yet saved) and audit its creation. `client_id` is the client whose record
    this is (OWN_ID for a new client); `changes` what the audit row keeps of the new row, usually
    `snapshot(obj, FIELDS)`."""
    with transaction.atomic(savepoint=False):
        obj.save(force_insert=True)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity=entity,
            entity_id=obj.pk,
            client_id=obj.pk if client_id == OWN_ID else client_id,
            summary=summary,
            changes=changes,
        )
    return obj


def save_audited(
    *,
    actor: Actor,
    obj: M,
    entity: str,
    summary: str,
    client_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    update_fields: Sequence[str] | None = None,
) -> M:
    """Save a change to a row the service has locked (or just loaded) and audit it as an update. A
    VersionedModel goes up one version (and `version` joins `update_fields`, so the bump is stored)."""
    if isinstance(obj, VersionedModel):
        obj.version += 1
        if update_fields is not None and "version" not in update_fields:
            update_fields = [*update_fields, "version"]
    with transaction.atomic(savepoint=False):
        obj.save(update_fields=update_fields)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity=entity,
            entity_id=obj.pk,
            client_id=client_id,
            summary=summary,
            changes=changes,
        )
    return obj


def delete_audited(
    *,
    actor: Actor,
    obj: models.Model,
    entity: str,
    summary: str,
    client_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Delete a row the service has locked and audit it; `changes` should keep what the row held, so it can
    be entered again."""
    pk = obj.pk
    with transaction.atomic(savepoint=False):
        obj.delete()
        audit_record(
            actor=actor,
            action=Action.DELETE,
            entity=entity,
            entity_id=pk,
            client_id=client_id,
            summary=summary,
            changes=changes,
        )


@dataclass
class Edit(Generic[M]):
    """The row being edited inside `edit_audited`. Set what changes on `row` (or with `apply`), and the
    `summary`; `changes` replaces the recorded difference when the audit row should keep something else."""

    row: M
    fields: tuple[str, ...]
    before: dict[str, Any]
    summary: str = ""
    changes: Mapping[str, Any] | None = None

    def apply(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            setattr(self.row, name, value)

    @property
    def changed(self) -> dict[str, list[Any]]:
        """Field -> [old, new] for each of `fields` changed so far."""
        return diff(self.before, snapshot(self.row, self.fields))


@contextmanager
def edit_audited(
    *,
    actor: Actor,
    queryset: models.QuerySet[M],
    pk: object,
    expected_version: int | None,
    entity: str,
    client_id: int | None = None,
    fields: Sequence[str] = (),
    summary: str = "",
    not_found: str | None = None,
    update_fields: Sequence[str] | None = None,
) -> Iterator[Edit[M]]:
    """Edit one row under optimistic locking and audit it, in one transaction:

        with edit_audited(actor=actor, queryset=..., pk=..., expected_version=..., entity="plan",
                          client_id=..., fields=FIELDS, summary="changed the plan") as edit:
            validate(edit.row)            # raise here and nothing is saved
            edit.apply(values)

    On entry the row is loaded FOR UPDATE from `queryset` (`not_found`: the NotFound message when it is
    not there); a stale or missing `expected_version` is a Conflict (409). When the block ends without an
    error the row is saved one version up and audited with the difference over `fields` (or
    `edit.changes`). An error inside the block leaves nothing saved."""
    with transaction.atomic():
        row = lock_for_edit(queryset, pk, expected_version, not_found=not_found)
        names = tuple(fields)
        edit = Edit(row=row, fields=names, before=snapshot(row, names), summary=summary)
        yield edit
        if not edit.summary:
            raise ValueError(ERR_NO_SUMMARY)
        # No model here changes a field's value on save, so the difference taken now is the one stored.
        save_audited(
            actor=actor,
            obj=row,
            entity=entity,
            client_id=client_id,
            summary=edit.summary,
            changes=edit.changed if edit.changes is None else edit.changes,
            update_fields=update_fields,
        )
