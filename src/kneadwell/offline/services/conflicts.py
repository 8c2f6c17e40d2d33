"""A person says they have read a conflict found on sync (kept, with who and when; audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import save_audited
from kneadwell.core.errors import Conflict
from kneadwell.offline.models import SyncRecord


def sync_conflict_resolve(*, actor: Actor, record: SyncRecord) -> SyncRecord:
    """Mark a conflict as read. The record and the conflict stay as they were; only who read it and
    when are added. A conflict already marked is a 409."""
    actor.require(Perm.SESSION_RECORD)
    with transaction.atomic():
        current = SyncRecord.objects.within(record).select_for_update().get(pk=record.pk)
        if current.status != SyncRecord.Status.CONFLICT or current.resolved_at is not None:
            raise Conflict(_("This conflict was already marked as read."))
        current.resolved_at = timezone.now()
        current.resolved_by = actor.user
        save_audited(
            actor=actor,
            obj=current,
            entity="sync_record",
            client_id=current.client_id,
            summary=f"read the conflict found on sync: {current.conflict.get('title', '')}"[:500],
            update_fields=["resolved_at", "resolved_by"],
        )
    return current
