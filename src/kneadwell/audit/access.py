"""Reads of a client's record, audited at the boundary of a request instead of inside the selectors.

A selector that opens a record (`client_get`, `session_get`) only notes the read:

    access_note(actor=actor, entity="client", entity_id=client.pk, client_id=client.pk, purpose="viewed")

`AccessAuditMiddleware` opens an `access_scope()` around every request and, once the view has answered,
writes one audit row per client whose record the request read (its summary lists what was opened). So a
page view takes no write lock while it runs, and a request that opens the same record five times leaves
one row, not five. A read noted outside any scope (the command line, a script) is written at once: no read
goes unrecorded. A request that fails after reading still writes its rows (the `finally` below)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from kneadwell.accounts.actor import Actor
from kneadwell.audit.services import Action, audit_record


@dataclass(frozen=True)
class Access:
    actor: Actor
    entity: str
    entity_id: str
    client_id: int | None
    purpose: str
    action: str = Action.READ


_pending: ContextVar[list[Access] | None] = ContextVar("kneadwell_access", default=None)


def access_note(
    *,
    actor: Actor,
    entity: str,
    entity_id: object,
    client_id: int | None,
    purpose: str,
    action: str = Action.READ,
) -> None:
    """Record that `actor` opened a client's record, or searched the list (`action=Action.LIST`, no
    client); written when the request ends."""
    access = Access(
        actor=actor,
        entity=entity,
        entity_id=str(entity_id),
        client_id=client_id,
        purpose=purpose,
        action=action,
    )
    pending = _pending.get()
    if pending is None:
        _write([access])
    else:
        pending.append(access)


@contextmanager
def access_scope() -> Iterator[None]:
    """Collect the reads made inside; write them, one row per person and client, on the way out."""
    token = _pending.set([])
    try:
        yield
    finally:
        pending = _pending.get() or []
        _pending.reset(token)
        if pending:
            _write(pending)


def _write(accesses: list[Access]) -> None:
    by_client: dict[tuple[int, int | None, str], list[Access]] = {}
    for access in accesses:
        key = (access.actor.membership.pk, access.client_id, access.action)
        by_client.setdefault(key, []).append(access)
    for group in by_client.values():
        first = group[0]
        purposes = list(dict.fromkeys(a.purpose for a in group))
        opened = list(dict.fromkeys((a.entity, a.entity_id) for a in group))
        # audit_record directly, not through audit/writes.py: these rows record reads, written at the
        # request's boundary after the view answered, outside any service's transaction; there is no saved
        # row for the helpers' create/edit/save to pair them with.
        audit_record(
            actor=first.actor,
            action=first.action,
            entity=first.entity,
            entity_id=first.entity_id,
            client_id=first.client_id,
            summary="; ".join(purposes),
            changes={"opened": [list(item) for item in opened]} if len(opened) > 1 else None,
        )


class AccessAuditMiddleware:
    """Wraps each request in an access scope (see the module docstring)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with access_scope():
            return self.get_response(request)
