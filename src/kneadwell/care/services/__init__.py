"""Writes for plans and guided sessions. Each service checks the role and the client's consent,
validates, saves and audits in one transaction. A stop decision ends the session on the server; the page
only shows it.

plans.py: enrolment, changes, ending; sessions.py: the guided player's writes; session_import.py:
sessions recorded after the fact; notes.py: SOAP notes and adverse events; common.py: shared checks."""

from kneadwell.care.services.notes import (
    NOTE_TEXT_FIELDS,
    SLEEP_CHOICES,
    STOOL_CHOICES,
    adverse_event_follow_up,
    adverse_event_record,
    note_amend,
    note_save,
    note_sign,
)
from kneadwell.care.services.plans import ENROLMENT_CHECK_HOURS, plan_create, plan_end, plan_update
from kneadwell.care.services.session_import import (
    MAX_PAST_STEPS,
    MAX_STOP_REASON,
    PAST_FUTURE_TOLERANCE,
    PastStep,
    session_import,
)
from kneadwell.care.services.sessions import (
    CHECK_FRESH_MINUTES,
    VITAL_FIELDS,
    session_complete,
    session_observe,
    session_pause,
    session_permission,
    session_resume,
    session_start,
    session_step,
    session_stop,
)

__all__ = [
    "CHECK_FRESH_MINUTES",
    "ENROLMENT_CHECK_HOURS",
    "MAX_PAST_STEPS",
    "MAX_STOP_REASON",
    "NOTE_TEXT_FIELDS",
    "PAST_FUTURE_TOLERANCE",
    "SLEEP_CHOICES",
    "STOOL_CHOICES",
    "VITAL_FIELDS",
    "PastStep",
    "adverse_event_follow_up",
    "adverse_event_record",
    "note_amend",
    "note_save",
    "note_sign",
    "plan_create",
    "plan_end",
    "plan_update",
    "session_complete",
    "session_import",
    "session_observe",
    "session_pause",
    "session_permission",
    "session_resume",
    "session_start",
    "session_step",
    "session_stop",
]
