"""Writes of the offline app: the sync of records kept on a device (sync.py: order, idempotency, outcome;
records.py: how each kind is applied) and a person's acknowledgement of a conflict (conflicts.py)."""

from kneadwell.offline.services.conflicts import sync_conflict_resolve
from kneadwell.offline.services.sync import DeviceRecord, Outcome, sync_records

__all__ = ["DeviceRecord", "Outcome", "sync_conflict_resolve", "sync_records"]
