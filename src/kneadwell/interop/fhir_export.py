"""One client's record as a FHIR R4B Bundle (type `collection`).

The Bundle is built as plain dicts by one *section* function per part of the record, then validated by
constructing the `fhir.resources.R4B` Bundle model (so a malformed resource fails here, never at the
receiver). References use `urn:uuid:` full URLs derived from the organisation, the resource kind and the
row id (uuid5), so exporting the same record twice gives the same ids and every reference resolves to an
entry in the Bundle.

Adding a part of the record is one function `def xyz_section(ctx: ExportContext) -> None` that calls
`ctx.add(...)` per row (with a fixed number of queries, whatever the row count), and one line in
`SECTIONS`. Codes come from `fhir_codes`.

This module reads records that the caller has already loaded through `clients.selectors.client_get`
(tenancy, permission and the read audit row are the caller's); it writes nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from kneadwell.care.models import AdverseEvent, Note, Plan, Session, StepLog
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.clients.rules import CONSENT_KIND_LABELS, SCOPE_LABELS, ConsentKind, Scope
from kneadwell.interop import fhir_codes as codes
from kneadwell.interop import fhir_instruments
from kneadwell.library import selectors as library_selectors
from kneadwell.library.catalog import Library
from kneadwell.library.models import Intake
from kneadwell.library.schema import Dose
from kneadwell.outcomes import instruments
from kneadwell.outcomes.models import Measurement

# A fixed namespace for uuid5: ids are stable across exports of the same record.
_NAMESPACE = uuid.UUID("5c1f3b9e-2a57-4c55-9d0f-6b8a3f1e7d21")
Resource = dict[str, Any]


@dataclass
class ExportContext:
    client: Client
    entries: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def ref(self, kind: str, pk: object) -> str:
        """The full URL (and so the reference) of a row's resource, whether or not it is added yet."""
        name = f"{self.client.organisation_id}/{kind}/{pk}"
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"

    def reference(self, kind: str, pk: object, display: str = "") -> dict[str, str]:
        out = {"reference": self.ref(kind, pk)}
        if display:
            out["display"] = display
        return out

    @property
    def patient(self) -> dict[str, str]:
        return self.reference("Patient", self.client.pk, self.client.display_name)

    def add(self, kind: str, pk: object, resource: Resource) -> str:
        url = self.ref(kind, pk)
        resource = {"resourceType": kind, "id": url.removeprefix("urn:uuid:"), **resource}
        self.entries.append({"fullUrl": url, "resource": resource})
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return url


Section = Callable[[ExportContext], None]


# --- helpers ---------------------------------------------------------------------------------------


def _instant(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


def _concept(*codings: codes.Code, text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [c.coding() for c in codings]}
    if text:
        out["text"] = text
    return out


def _record_id(kind: str, pk: int) -> dict[str, str]:
    return {"system": codes.SID_RECORD, "value": f"{kind}/{pk}"}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    ucum = codes.UCUM_UNITS.get(unit)
    out: dict[str, Any] = {"value": value, "unit": unit}
    if ucum:
        out |= {"system": codes.UCUM, "code": ucum}
    return out


# --- sections --------------------------------------------------------------------------------------


def organisation_section(ctx: ExportContext) -> None:
    org = ctx.client.organisation
    ctx.add(
        "Organization",
        org.pk,
        {"active": True, "name": org.name, "identifier": [_record_id("organisation", org.pk)]},
    )


def patient_section(ctx: ExportContext) -> None:
    c = ctx.client
    identifiers = [{"system": codes.SID_CLIENT, "value": str(c.pk)}]
    if c.identifier:
        identifiers.append({"system": codes.SID_CLIENT_NUMBER, "value": c.identifier})
    ctx.add(
        "Patient",
        c.pk,
        {
            "identifier": identifiers,
            "active": c.archived_at is None,
            "name": [
                {"use": "official", "family": c.family_name, "given": [c.given_name], "text": c.display_name}
            ],
            "gender": c.sex,  # our sexes are exactly FHIR's administrative genders male/female
            "birthDate": c.birth_date.isoformat(),
            "managingOrganization": ctx.reference("Organization", c.organisation_id, c.organisation.name),
        },
    )


def birth_section(ctx: ExportContext) -> None:
    """Gestational age and weight at birth, each an Observation dated on the birth date."""
    c = ctx.client
    common = {
        "status": "final",
        "category": [_concept(codes.EXAM)],
        "subject": ctx.patient,
        "effectiveDateTime": c.birth_date.isoformat(),
    }
    if c.gestation_weeks is not None:
        days = c.gestation_weeks * 7 + (c.gestation_days or 0)
        # Weeks with 3 decimals: 7 × the value rounds back to the exact day count (error under 0.004 d).
        ctx.add(
            "Observation",
            f"gestation-{c.pk}",
            common
            | {
                "code": _concept(codes.GESTATIONAL_AGE_AT_BIRTH, text="Gestation at birth"),
                "valueQuantity": {
                    "value": round(days / 7, 3),
                    "unit": "wk",
                    "system": codes.UCUM,
                    "code": codes.WEEK,
                },
                "note": [{"text": f"{c.gestation_weeks}+{c.gestation_days or 0} weeks"}],
            },
        )
    if c.birth_weight_g is not None:
        ctx.add(
            "Observation",
            f"birth-weight-{c.pk}",
            common
            | {
                "category": [_concept(codes.VITAL_SIGNS)],
                "code": _concept(codes.BIRTH_WEIGHT, text="Birth weight"),
                "valueQuantity": _quantity(c.birth_weight_g, "g"),
            },
        )


def _guardian(ctx: ExportContext, g: Guardian) -> Resource:
    label = g.get_relationship_display()
    relationship = [
        _concept(
            *([codes.RELATIONSHIP_V3[g.relationship]] if g.relationship in codes.RELATIONSHIP_V3 else []),
            codes.Code(codes.LOCAL_RELATIONSHIP, g.relationship, label),
            text=label,
        )
    ]
    if g.has_parental_responsibility:
        relationship.append(
            _concept(
                codes.Code(
                    codes.LOCAL_RELATIONSHIP, "parental-responsibility", "Has parental responsibility"
                ),
                text="Has parental responsibility",
            )
        )
    telecom = [{"system": "email", "value": g.email}] if g.email else []
    if g.phone:
        telecom.append({"system": "phone", "value": g.phone})
    out: Resource = {
        "identifier": [_record_id("guardian", g.pk)],
        "active": True,
        "patient": ctx.patient,
        "relationship": relationship,
        "name": [{"text": g.name}],
    }
    if telecom:
        out["telecom"] = telecom
    return out


def guardian_section(ctx: ExportContext) -> None:
    for g in Guardian.objects.of_client(ctx.client).order_by("id"):
        ctx.add("RelatedPerson", g.pk, _guardian(ctx, g))


def _consent_scope(scopes: Iterable[str]) -> codes.Code:
    chosen = set(scopes)
    if chosen & {Scope.CARE, Scope.MEASUREMENTS}:
        return codes.SCOPE_TREATMENT
    if Scope.RESEARCH in chosen:
        return codes.SCOPE_RESEARCH
    return codes.SCOPE_PRIVACY


def _consent(ctx: ExportContext, consent: Consent) -> Resource:
    kind_label = CONSENT_KIND_LABELS.get(ConsentKind(consent.kind), consent.kind)
    if consent.guardian_id is not None:
        performer = ctx.reference("RelatedPerson", consent.guardian_id, consent.signed_by_name)
    else:  # the client's own consent, or a child's assent
        performer = ctx.patient | {"display": consent.signed_by_name}
    period: dict[str, str] = {"start": consent.signed_on.isoformat()}
    if consent.withdrawn_at is not None:
        period["end"] = _instant(consent.withdrawn_at)
    scope_codes = [
        codes.Code(codes.LOCAL_CONSENT_SCOPE, s, SCOPE_LABELS[Scope(s)])
        for s in consent.scopes
        if s in Scope.__members__.values()
    ]
    out: Resource = {
        "identifier": [_record_id("consent", consent.pk)],
        "status": "active" if consent.is_active else "inactive",
        "scope": _concept(_consent_scope(consent.scopes)),
        "category": [
            _concept(codes.CONSENT_DOCUMENT),
            _concept(codes.Code(codes.LOCAL_CONSENT_KIND, consent.kind, kind_label), text=kind_label),
        ],
        "patient": ctx.patient,
        "dateTime": consent.signed_on.isoformat(),
        "performer": [performer],
        "organization": [ctx.reference("Organization", consent.organisation_id)],
        "policyRule": _concept(
            codes.Code(codes.LOCAL_CONSENT_METHOD, consent.method, consent.get_method_display()),
            text=f"{consent.get_method_display()}; attested by the person who recorded it",
        ),
        "provision": {
            "type": "permit",
            "period": period,
            "code": [_concept(c, text=c.display) for c in scope_codes],
        },
    }
    if consent.withdrawal_reason:
        out["category"].append({"text": f"Withdrawn: {consent.withdrawal_reason}"})
    return out


def consent_section(ctx: ExportContext) -> None:
    for consent in Consent.objects.of_client(ctx.client).order_by("id"):
        ctx.add("Consent", consent.pk, _consent(ctx, consent))


def _answers(question_type: str, value: Any) -> list[dict[str, Any]]:
    """One intake answer as QuestionnaireResponse answers (several for a multiple choice)."""
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int | float):
        return [{"valueDecimal": value}]
    if isinstance(value, list):
        if not value:  # an empty list is the answer "none", not "not answered"
            return [{"valueCoding": {"system": codes.LOCAL_INTAKE_CHOICE, "code": "none", "display": "None"}}]
        return [{"valueCoding": {"system": codes.LOCAL_INTAKE_CHOICE, "code": str(v)}} for v in value]
    text = str(value)
    if question_type == "date":
        return [{"valueDate": text}]
    if question_type == "datetime":
        return [{"valueDateTime": text}]
    if question_type == "choice":
        return [{"valueCoding": {"system": codes.LOCAL_INTAKE_CHOICE, "code": text}}]
    return [{"valueString": text}]


def _intake(ctx: ExportContext, intake: Intake) -> Resource:
    lib = library_selectors.library()
    population = lib.populations.get(intake.population)
    set_id = population.intake_set if population is not None else intake.population
    items = []
    for question_id, value in intake.answers.items():
        if value is None:
            continue  # not answered
        question = lib.questions.get(question_id)
        item: dict[str, Any] = {
            "linkId": question_id,
            "answer": _answers(question.type if question else "", value),
        }
        if question is not None:
            item["text"] = question.label
        items.append(item)
    out: Resource = {
        "identifier": _record_id("intake", intake.pk),
        "questionnaire": f"{codes.QUESTIONNAIRE_BASE}/{set_id}|{intake.content_version}",
        "status": "completed",
        "subject": ctx.patient,
        "authored": _instant(intake.updated_at),
    }
    if items:
        out["item"] = items
    return out


def intake_section(ctx: ExportContext) -> None:
    intake = library_selectors.intake_for(client=ctx.client)
    if intake is not None:
        ctx.add("QuestionnaireResponse", intake.pk, _intake(ctx, intake))


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


def _component(code: str, label: str, value: Any) -> dict[str, Any] | None:
    concept = _concept(codes.Code(codes.LOCAL_INSTRUMENT, code, label))
    if isinstance(value, bool):
        return {"code": concept, "valueBoolean": value}
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
    for key, value in sorted((m.answers or {}).items()):
        if key not in _NOT_ITEMS:
            part = _component(f"{m.instrument_id}.{key}", key, value)
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
    context_label = (
        Measurement.Context(m.context).label if m.context in Measurement.Context.values else m.context
    )
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


# The parts of the record, in Bundle order.
SECTIONS: tuple[Section, ...] = (
    organisation_section,
    patient_section,
    birth_section,
    guardian_section,
    consent_section,
    intake_section,
    measurement_section,
    careplan_section,
    procedure_section,
    adverse_event_section,
)


@dataclass(frozen=True)
class ExportResult:
    bundle: dict[str, Any]
    counts: dict[str, int]


def export_client(client: Client, *, sections: Iterable[Section] = SECTIONS) -> ExportResult:
    """The client's record as a validated R4B Bundle (a JSON-ready dict)."""
    ctx = ExportContext(client=client)
    for section in sections:
        section(ctx)
    now = timezone.now()
    bundle = {
        "resourceType": "Bundle",
        "identifier": {
            "system": codes.SID_RECORD,
            "value": f"export/client/{client.pk}/{now:%Y%m%dT%H%M%S%f}",
        },
        "type": "collection",
        "timestamp": _instant(now),
        "entry": ctx.entries,
    }
    # Constructing the R4B model checks every resource's structure, types and required elements; it
    # raises rather than let a malformed Bundle leave. The dict is returned as built (re-serialising the
    # model would only cost time: the same JSON comes out).
    Bundle.model_validate(bundle)
    return ExportResult(bundle=bundle, counts=dict(ctx.counts))
