"""Reads for plans and sessions, always inside the actor's reach (organisation; a caregiver's own
children). Another organisation's plan or session is not found. Reads that take an already loaded client,
plan or session go through the scoped entry point (`of_client`, `within`): inside a request, one of
another organisation than the actor's finds nothing (kneadwell.core.tenancy).

Each kind of read lives in its own module; the names are re-exported here because the pages, API, report
and tests call them as `selectors.<name>`:

- plans: one plan or slot, a client's plans, the sessions due, what a plan measures
- sessions: one session (audited), a client's sessions, notes and adverse events
- figures: adherence figures, counted from scratch or read from the stored tallies; the unit page
- report_rows: the progress report's reads, one query each
"""

from kneadwell.care.selectors.figures import (
    COUNTED_SLOTS,
    UNIT_FIGURES,
    UNIT_PAGE_CLIENTS,
    due_by_subquery,
    due_so_far,
    plan_adherence,
    plan_tally,
    plans_adherence,
    plans_figures,
    unit_plans,
    unit_plans_page,
)
from kneadwell.care.selectors.plans import (
    IntakeFocus,
    intake_focus,
    plan_by_calendar_token,
    plan_get,
    plan_measurements,
    plans_of,
    slot_get,
    slots_due,
    upcoming_slots,
)
from kneadwell.care.selectors.report_rows import (
    JsonArrayLength,
    SessionRow,
    logged_minutes_by_plan,
    note_responses,
    session_decisions,
    session_note_states,
    session_rows,
    step_totals,
    upcoming_by_plan,
)
from kneadwell.care.selectors.sessions import (
    TodaysSteps,
    adverse_event_get,
    adverse_events_of,
    note_of,
    session_get,
    sessions_for_export,
    sessions_of,
    todays_session_steps,
)

__all__ = [
    "COUNTED_SLOTS",
    "UNIT_FIGURES",
    "UNIT_PAGE_CLIENTS",
    "IntakeFocus",
    "JsonArrayLength",
    "SessionRow",
    "TodaysSteps",
    "adverse_event_get",
    "adverse_events_of",
    "due_by_subquery",
    "due_so_far",
    "intake_focus",
    "logged_minutes_by_plan",
    "note_of",
    "note_responses",
    "plan_adherence",
    "plan_by_calendar_token",
    "plan_get",
    "plan_measurements",
    "plan_tally",
    "plans_adherence",
    "plans_figures",
    "plans_of",
    "session_decisions",
    "session_get",
    "session_note_states",
    "session_rows",
    "sessions_for_export",
    "sessions_of",
    "slot_get",
    "slots_due",
    "step_totals",
    "todays_session_steps",
    "unit_plans",
    "unit_plans_page",
    "upcoming_by_plan",
    "upcoming_slots",
]
