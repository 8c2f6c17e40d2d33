"""Form data for the library's question sets: every question answered so that no rule fires, which a
test then changes in the one place it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kneadwell.library.forms import NOWHERE
from kneadwell.library.loader import default_library

CLEAR_CHOICES: dict[str, Any] = {
    "umbilical_healed": "yes",
    "clinician_confirms_stable": "yes",
    "agrees_today": "yes",
    "baby_state": "quiet_alert",
    "oil_test_reaction": "no_reaction",
    "axillary_temperature_c": "36.8",
    "spo2_before": "96",
    "heart_rate_before": "150",
    "stroke_count": "single",
    "affected_side": "left",
    # Clients with diabetes (issue 15): a steady glucose in mmol/L.
    "glucose_unit": "mmol_l",
    "glucose_mmol_l": "6.5",
}


def clear_form(population: str, scope: str, **changes: Any) -> dict[str, Any]:
    """POST data answering every question of the set all-clear, then `changes` on top."""
    lib = default_library()
    now = timezone.localtime()
    data: dict[str, Any] = {}
    for q in lib.questions_for(population, scope):
        if q.id in CLEAR_CHOICES:
            data[q.id] = CLEAR_CHOICES[q.id]
        elif q.id in ("last_feed_at", "last_feed_or_handling_at"):
            data[q.id] = (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        elif q.id == "last_stroke_date":
            data[q.id] = "2023-06-01"
        elif q.type == "yes_no":
            data[q.id] = "no"
        elif q.type in ("region_multi_choice", "multi_choice"):
            data[q.id] = [NOWHERE]
        elif q.type == "text" and q.required:
            data[q.id] = "Described in the referral letter."
    data.update(changes)
    # A list asked after a "yes" (areas of broken skin, ...): naming something in it says yes to its gate,
    # as a person ticks the line before choosing the areas.
    for q in lib.questions_for(population, scope):
        gate = q.ask_if
        if gate is not None and gate.otherwise_none and gate.question not in changes:
            value = changes.get(q.id)
            if value and value != [NOWHERE]:
                data[gate.question] = "yes"
    # Follow-up questions are asked only when the answer they depend on says so (as on the page).
    for q in lib.questions_for(population, scope):
        if q.ask_if is not None and q.id not in changes:
            wanted = (
                ("yes" if q.ask_if.equals else "no") if isinstance(q.ask_if.equals, bool) else q.ask_if.equals
            )
            if data.get(q.ask_if.question) != wanted:
                data.pop(q.id, None)
    # The set's checklist is one field on the page: a tick for each "yes", or "none of these".
    checklist = lib.question_set(population, scope).checklist
    if checklist:
        ticked: list[str] = []
        for qid in checklist:
            value = data.pop(qid, None)
            if lib.questions[qid].type == "multi_choice":
                ticked += [f"{qid}.{c}" for c in value or () if c != NOWHERE]
            elif value == "yes":
                ticked.append(qid)
        data["checklist"] = ticked or ["none"]
    return data


def clear_answers(population: str, scope: str, **changes: Any) -> dict[str, Any]:
    """The same all-clear answers as `clear_form`, parsed by the real question form (so the values are
    exactly what a page would send to the services)."""
    from kneadwell.library.forms import QuestionForm

    lib = default_library()
    question_set = lib.question_set(population, scope)
    form = QuestionForm(clear_form(population, scope, **changes), library=lib,
                        questions=lib.questions_for(population, scope), checklist=question_set.checklist,
                        checklist_label=question_set.checklist_label or "")
    if not form.is_valid():
        raise AssertionError(f"clear answers do not validate: {form.errors.as_json()}")
    return form.answers()


def passing_check(actor: Any, client: Any, protocol_id: str, population: str, **today: Any) -> Any:
    """Record an all-clear intake (if none) and run today's check for `protocol_id`; returns the check."""
    from kneadwell.library import services
    from kneadwell.library.selectors import intake_for

    if intake_for(client=client) is None:
        services.intake_save(actor=actor, client=client, population=population,
                             answers=clear_answers(population, "intake"), expected_version=None)
    return services.readiness_check_run(actor=actor, client=client, protocol_id=protocol_id,
                                        answers=clear_answers(population, "today", **today))
