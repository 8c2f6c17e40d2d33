"""Which function applies each kind of record (sync.py looks the kind up here)."""

from __future__ import annotations

from kneadwell.offline.models import SyncRecord
from kneadwell.offline.services.observed import apply_note, apply_observation
from kneadwell.offline.services.records import (
    apply_check,
    apply_pause,
    apply_session_end,
    apply_session_start,
    apply_step,
)
from kneadwell.offline.services.sync import Applier

APPLIERS: dict[str, Applier] = {
    SyncRecord.Kind.CHECK: apply_check,
    SyncRecord.Kind.SESSION_START: apply_session_start,
    SyncRecord.Kind.STEP: apply_step,
    SyncRecord.Kind.OBSERVATION: apply_observation,
    SyncRecord.Kind.PAUSE: apply_pause,
    SyncRecord.Kind.RESUME: apply_pause,
    SyncRecord.Kind.SESSION_END: apply_session_end,
    SyncRecord.Kind.NOTE: apply_note,
}
