"""FHIR export sections for what was measured and done: measurements (Observation), plans (CarePlan),
sessions with their signed notes (Procedure) and adverse events. Part of `fhir_export`, which lists the
sections in Bundle order."""

from __future__ import annotations

import contextlib
import html
from typing import Any

from django.db.models import Count
from django.utils import timezone

from kneadwell.care.models import AdverseEvent, Note, Plan, Session, StepLog
from kneadwell.core.marking import english
from kneadwell.interop import fhir_codes as codes
from kneadwell.interop import fhir_instruments
from kneadwell.interop.fhir_export_base import (
    ExportContext,
    Resource,
    _concept,
    _instant,
    _quantity,
    _record_id,
)
from kneadwell.library import selectors as library_selectors
from kneadwell.library.catalog import Library
from kneadwell.library.schema import Dose
from kneadwell.outcomes import instruments
from kneadwell.outcomes.instruments.context import DETAILS_KEY as CONTEXT_KEY
from kneadwell.outcomes.instruments.context import context_inputs
from kneadwell.outcomes.models import Measurement

# --- measurements ----------------------------------------------------------------------------------


def _observation_code(ctx: ExportContext, m: Measurement) -> tuple[dict[str, Any], codes.Code]:
    try:
        inst: instruments.Instrument | None = instruments.get_instrument(m.instrument_id)
    except instruments.InstrumentValidationError:
        inst = None
    name = inst.name if inst else m.instrument_id
    local = codes.Code(codes.LOCAL_INSTRUMENT, m.instrument_id, name)
    if inst is None:  # no longer in the catalogue: the local code alone
        return _concept(local, text=name), codes.SURVEY
    method = str((m.details or {}).get("method") or (m.answers or {}).get("method") or "")
    age_days = (timezone.localtime(m.taken_at).date() - ctx.client.birth_date).days
    coding = fhir_instruments.observation_coding(inst, method=method, age_days=age_days)
    return _concept(*coding.codes, local, text=coding.text), coding.category


_NOT_ITEMS = frozenset({"value", "unit", "method", "confirmed"})


def _component(code: str, label: str, value: Any, unit: str = "") -> dict[str, Any] | None:
    concept = _concept(codes.Code(codes.LOCAL_INSTRUMENT, code, label))
    if isinstance(value, bool):
        return {"code": concept, "valueBoolean": value}
    if isinstance(value, int | float) and unit:  # a context input with its unit (age in hours, speed)
        return {"code": concept, "valueQuantity": _quantity(value, unit)}
    if isinstance(value, int | float):
        return {
            "code": concept,
            "valueQuantity": {
                "value": value,
                "unit": "score",
                "system": codes.UCUM,
                "code": codes.SCORE_UNIT,
            },
        }
    if isinstance(value, str) and value:
        return {"code": concept, "valueString": value}
    return None  # nested answers (diary entries) stay in Kneadwell; the total and band travel


def _components(m: Measurement) -> list[dict[str, Any]]:
    """Item answers (what was scored) and subscores, each coded `<instrument>.<item>` locally."""
    out = []
    # Context inputs travel as checked (a number, not the text typed) and with their own unit, not "score".
    checked = (m.details or {}).get(CONTEXT_KEY) or {}
    units: dict[str, str] = {}
    with contextlib.suppress(instruments.InstrumentValidationError):  # not in the catalogue: as stored
        units = {
            c.id: c.numeric.unit
            for c in context_inputs(instruments.get_instrument(m.instrument_id))
            if c.numeric is not None and c.numeric.unit
        }
    for key, value in sorted((m.answers or {}).items()):
        if key not in _NOT_ITEMS:
            part = _component(f"{m.instrument_id}.{key}", key, checked.get(key, value), units.get(key, ""))
            if part:
                out.append(part)
    for key, sub in sorted((m.subscores or {}).items()):
        if isinstance(sub, dict):
            part = _component(
                f"{m.instrument_id}.subscore.{key}", str(sub.get("label") or key), sub.get("score")
            )
            if part:
                out.append(part)
    return out


def _observation(ctx: ExportContext, m: Measurement) -> Resource:
    code, category = _observation_code(ctx, m)
    known = m.context in Measurement.Context.values
    context_label = english(Measurement.Context(m.context).label) if known else m.context
    out: Resource = {
        "identifier": [_record_id("measurement", m.pk)],
        "status": "entered-in-error" if m.in_error else "final",
        "category": [
            _concept(category),
            _concept(
                codes.Code(codes.LOCAL_MEASUREMENT_CONTEXT, m.context, context_label), text=context_label
            ),
        ],
        "code": code,
        "subject": ctx.patient,
        "effectiveDateTime": _instant(m.taken_at),
        "issued": _instant(m.created_at),
    }
    details = m.details or {}
    if m.value is not None and m.unit:
        entered, entered_unit = details.get("entered_value"), details.get("entered_unit")
        # The value as it was entered (1450 g stays 1450 g), which is also what import reads back.
        if isinstance(entered, int | float) and not isinstance(entered, bool) and entered_unit:
            out["valueQuantity"] = _quantity(entered, str(entered_unit))
        else:
            out["valueQuantity"] = _quantity(m.value, m.unit)
    elif m.total is not None:
        out["valueQuantity"] = {
            "value": m.total,
            "unit": "score",
            "system": codes.UCUM,
            "code": codes.SCORE_UNIT,
        }
    else:
        out["valueString"] = m.band_label or "Recorded in Kneadwell; see the components."
    if m.band_label and "valueString" not in out:
        out["interpretation"] = [{"text": m.band_label}]
    components = _components(m)
    if components:
        out["component"] = components
    notes = []
    if m.notes:
        notes.append({"text": m.notes})
    if m.confirmed_unusual:
        notes.append(
            {"text": "Unusual value, checked and confirmed: " + "; ".join(m.confirmed_warnings or [])}
        )
    if m.in_error:
        notes.append({"text": f"Entered in error: {m.entered_in_error_reason}"})
    if notes:
        out["note"] = notes
    return out


def measurement_section(ctx: ExportContext) -> None:
    """Every measurement, those entered in error included (as status entered-in-error): a receiving
    system must be able to withdraw a value it already took from an earlier export."""
    rows = Measurement.objects.of_client(ctx.client)
    for m in rows.order_by("taken_at", "id").iterator(chunk_size=1000):
        ctx.add("Observation", m.pk, _observation(ctx, m))


# --- plans, sessions and adverse events ------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def schedule_summary(dose: Dose, *, open_weeks: int) -> str:
    """The protocol's dose in words, as `care.schedule.generate` turns it into sessions ("3 sessions a
    day for 10 days, 15 minutes each")."""
    if dose.phases:
        what = "; then ".join(
            f"{p.label}: {_plural(p.sessions, 'session')} over {_plural(p.weeks, 'week')}"
            for p in dose.phases
        )
    elif dose.sessions_per_week:
        weeks = dose.weeks or open_weeks
        what = f"{_plural(dose.sessions_per_week, 'session')} a week for {_plural(weeks, 'week')}"
    else:
        per_day = dose.sessions_per_day or 1
        length = _plural(dose.days, "day") if dose.days else _plural(open_weeks, "week")
        what = f"{_plural(per_day, 'session')} a day for {length}"
    if dose.session_minutes:
        what += f", {dose.session_minutes:g} minutes each"
    return what


def _protocol(lib: Library, protocol_id: str) -> tuple[str, dict[str, Any]]:
    """The protocol's name (its id if the content no longer has it) and its local code as a concept."""
    protocol = lib.protocols.get(protocol_id)
    name = protocol.name if protocol else protocol_id
    return name, _concept(codes.Code(codes.LOCAL_PROTOCOL, protocol_id, name), text=name)


def _careplan(ctx: ExportContext, lib: Library, plan: Plan, slots: int) -> Resource:
    name, category = _protocol(lib, plan.protocol_id)
    protocol = lib.protocols.get(plan.protocol_id)
    schedule = schedule_summary(protocol.dose, open_weeks=plan.open_weeks) if protocol else ""
    schedule = "; ".join(x for x in (schedule, f"{_plural(slots, 'session')} scheduled") if x)
    period: dict[str, str] = {"start": _instant(plan.starts_at)}
    if plan.ended_at is not None:
        period["end"] = _instant(plan.ended_at)
    notes = []
    if plan.goals:
        notes.append({"text": f"Goals: {plan.goals}"})
    limits = []
    if plan.avoid_regions:
        limits.append("always leave out " + ", ".join(_region_label(lib, r) for r in plan.avoid_regions))
    if plan.focus_regions:
        limits.append("focus on " + ", ".join(_region_label(lib, r) for r in plan.focus_regions))
    if plan.max_pressure:
        limits.append(f"pressure {plan.get_max_pressure_display().lower()}")
    if plan.minutes_factor is not None:
        limits.append(f"sessions at {plan.minutes_factor:g} of the protocol's time")
    if limits:
        notes.append({"text": "Personalised: " + "; ".join(limits) + "."})
    if plan.end_reason:
        notes.append({"text": f"Ended: {plan.end_reason}"})
    out: Resource = {
        "identifier": [_record_id("plan", plan.pk)],
        "status": codes.CAREPLAN_STATUS[plan.status],
        "intent": "plan",
        "category": [category],
        "description": name,
        "subject": ctx.patient,
        "period": period,
        "created": _instant(plan.created_at),
        "activity": [
            {
                "detail": {
                    "code": _concept(codes.MASSAGE_SNOMED, codes.MASSAGE_LOCAL, text=name),
                    "status": codes.CAREPLAN_ACTIVITY_STATUS[plan.status],
                    "description": schedule,
                }
            }
        ],
    }
    if notes:
        out["note"] = notes
    return out


def careplan_section(ctx: ExportContext) -> None:
    """Each plan as a CarePlan; one query, the scheduled-session count included."""
    lib = library_selectors.library()
    plans = (
        Plan.objects.of_client(ctx.client)
        .annotate(slot_count=Count("slots"))
        .order_by("starts_at", "id")
    )
    for plan in plans:
        ctx.add("CarePlan", plan.pk, _careplan(ctx, lib, plan, plan.slot_count))


def _region_label(lib: Library, region_id: str) -> str:
    region = lib.regions.get(region_id)
    return region.label if region else region_id


# The parts of a signed note that travel, with their labels (a SOAP note's four parts; a parent's diary).
_NOTE_PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    Note.Kind.SOAP: (
        ("subjective", "Subjective"),
        ("objective", "Objective"),
        ("assessment", "Assessment"),
        ("plan_text", "Plan"),
    ),
    Note.Kind.DIARY: (
        ("response", "How the baby or client responded"),
        ("sleep_after", "Sleep afterwards"),
        ("stools", "Stools"),
    ),
}


def _note_annotations(note: Note | None) -> list[dict[str, str]]:
    """A signed note's text and its amendments; a draft note stays in Kneadwell (it is not final)."""
    if note is None or note.signed_at is None:
        return []
    parts = [
        f"{label}: {value}"
        for name, label in _NOTE_PARTS.get(note.kind, ())
        if (value := str(getattr(note, name)).strip())
    ]
    out = [
        {"time": _instant(note.signed_at), "text": "\n".join([f"Signed {note.get_kind_display()}", *parts])}
    ]
    out += [
        {
            "time": _instant(a.created_at),
            "text": f"Amendment to the signed note: {a.text} (reason: {a.reason})",
        }
        for a in note.amendments.all()
    ]
    return out


def _procedure(ctx: ExportContext, lib: Library, session: Session, note: Note | None) -> Resource:
    name, category = _protocol(lib, session.protocol_id)
    logs: list[StepLog] = list(session.step_logs.all())
    done = [s for s in logs if s.outcome == StepLog.Outcome.DONE]
    skipped = [s for s in logs if s.outcome == StepLog.Outcome.SKIPPED]
    period: dict[str, str] = {"start": _instant(session.started_at)}
    if session.ended_at is not None:
        period["end"] = _instant(session.ended_at)
    out: Resource = {
        "identifier": [_record_id("session", session.pk)],
        "status": codes.PROCEDURE_STATUS[session.status],
        "category": category,
        "code": _concept(codes.MASSAGE_SNOMED, codes.MASSAGE_LOCAL, text=f"Therapeutic massage: {name}"),
        "subject": ctx.patient,
        "performedPeriod": period,
    }
    if session.status == Session.Status.STOPPED and session.stop_reason:
        out["statusReason"] = {"text": session.stop_reason}
    if session.plan_id is not None:
        out["basedOn"] = [ctx.reference("CarePlan", session.plan_id)]
    # Where massage was given: the regions of the steps done (skipped steps were not given), in order.
    regions = list(dict.fromkeys(r for s in done for r in s.regions))
    if regions:
        out["bodySite"] = [
            _concept(
                codes.Code(codes.LOCAL_BODY_REGION, r, _region_label(lib, r)), text=_region_label(lib, r)
            )
            for r in regions
        ]
    summary = f"{_plural(len(done), 'step')} done, {len(skipped)} skipped"
    if skipped:
        summary += " (" + "; ".join(s.skip_reason for s in skipped if s.skip_reason) + ")"
    summary += f"; {sum(s.seconds for s in logs) / 60:.1f} minutes in the steps."
    if session.recorded_after_the_fact:
        summary = f"Recorded after the fact (not guided in Kneadwell). {summary}"
    out["note"] = [{"text": summary}, *_note_annotations(note)]
    return out


def procedure_section(ctx: ExportContext) -> None:
    """Each session as a Procedure (status, period, body sites, based on its plan's CarePlan, the signed
    note); three queries whatever the number of sessions."""
    lib = library_selectors.library()
    sessions = (
        Session.objects.of_client(ctx.client)
        .prefetch_related("step_logs")
        .order_by("started_at", "id")
    )
    notes = {
        n.session_id: n
        for n in Note.objects.of_client(ctx.client).prefetch_related("amendments")
    }
    for session in sessions:
        ctx.add("Procedure", session.pk, _procedure(ctx, lib, session, notes.get(session.pk)))


def _narrative(*paragraphs: str) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return {"status": "additional", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _adverse_event(ctx: ExportContext, event: AdverseEvent) -> Resource:
    label = event.get_severity_display()
    local = codes.Code(codes.LOCAL_AE_SEVERITY, event.severity, label)
    serious = codes.AE_SERIOUSNESS_CODES.get(event.severity)
    seriousness = (
        _concept(serious, local, text=label)
        if serious is not None
        else {"text": f"{label}; whether it met a seriousness criterion was not recorded"}
    )
    out: Resource = {
        "identifier": _record_id("adverse-event", event.pk),  # 0..1 in R4B AdverseEvent
        "actuality": "actual",
        "event": {"text": event.what},
        "subject": ctx.patient,
        "date": _instant(event.occurred_at),
        "recordedDate": _instant(event.created_at),
        "seriousness": seriousness,
        "severity": _concept(codes.AE_SEVERITY_CODES[event.severity], local, text=label),
        # R4B AdverseEvent has no note: what was done and the follow-up travel in the narrative.
        "text": _narrative(
            f"What happened: {event.what}",
            f"Severity: {label}",
            f"Action taken: {event.action_taken}",
            f"Follow-up: {event.follow_up}" if event.follow_up else "",
        ),
    }
    if event.session_id is not None:
        out["suspectEntity"] = [{"instance": ctx.reference("Procedure", event.session_id)}]
    return out


def adverse_event_section(ctx: ExportContext) -> None:
    rows = AdverseEvent.objects.of_client(ctx.client)
    for event in rows.order_by("occurred_at", "id"):
        ctx.add("AdverseEvent", event.pk, _adverse_event(ctx, event))
