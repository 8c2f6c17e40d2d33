"""How the observations and the diary kept on a device are applied on the server (see records.py): an
observation goes through the server's stop rules again; a diary goes through the note services with their
version check, so one written on two devices is the existing 409, with both texts kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.care import services as care_services
from kneadwell.care.models import Note, Observation, Session
from kneadwell.care.services.figures import plan_figures_refresh
from kneadwell.clients.models import Client
from kneadwell.core.errors import Conflict
from kneadwell.library import selectors as library_selectors
from kneadwell.library.stop_rules import (
    ImplausibleVitalSign,
    SessionObservations,
    UnknownObservation,
    VitalReading,
    evaluate_in_session,
)
from kneadwell.offline.services.records import _after_stop, _end, _invalid, _session_of, _text
from kneadwell.offline.services.sync import Applied, DeviceRecord, Waiting, device_moment
from kneadwell.offline.words import NOTE_CONFLICT_UNKNOWN, english_message, note_conflict_messages

SESSION_RANK = {"continue": 0, "pause": 1, "stop": 2}


def _reading(vitals: Mapping[str, Any], at: dt.datetime) -> VitalReading:
    fields = care_services.VITAL_FIELDS
    return VitalReading(at=at, **{k: vitals[k] for k in fields if vitals.get(k) is not None})


def apply_observation(actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime) -> Applied:
    """A cue, a state or readings, judged again by the server's stop rules (as `session_observe` does,
    at the time it was made on the device)."""
    data = record.data
    current = _session_of(actor, client, record)
    lib = library_selectors.library()
    kind = data.get("kind")
    code = _text(data, "code", 60)
    moment = data.get("moment") or Observation.Moment.DURING
    vitals = data.get("vitals") or {}
    device_decision = data.get("device_decision") or "continue"
    if kind not in Observation.Kind.values:
        raise _invalid("kind", _("Choose cue, state or vitals."))
    if moment not in Observation.Moment.values:
        raise _invalid("moment", _("Choose before, during or after."))
    if kind == Observation.Kind.CUE and code not in lib.cues:
        raise _invalid("code", _("Unknown cue."))
    if kind == Observation.Kind.STATE and code not in lib.states:
        raise _invalid("code", _("Unknown behavioural state."))
    if not isinstance(vitals, dict) or set(vitals) - set(care_services.VITAL_FIELDS):
        raise _invalid("vitals", _("Unknown vital sign."))
    if not isinstance(device_decision, str) or device_decision not in SESSION_RANK:
        raise _invalid("device_decision", _("Send what the device decided: continue, pause or stop."))
    result = {"session_id": current.pk}
    existing = Observation.objects.within(current).filter(session=current, key=record.key).first()
    if existing is not None:
        return Applied(
            result={**result, "observation_id": existing.pk, "decision": existing.decision},
            session_id=current.pk,
            summary="an observation already kept",
        )
    when = device_moment(record, synced_at)
    settings = library_selectors.screening_settings(current.organisation)
    clean_vitals = {k: v for k, v in vitals.items() if v is not None}
    try:
        reading = _reading(clean_vitals, when) if kind == Observation.Kind.VITALS else None
        earlier = current.observations.filter(kind=Observation.Kind.VITALS).order_by("observed_at", "id")
        history = [_reading(o.vitals, o.observed_at) for o in earlier]
        baseline = next(
            (_reading(o.vitals, o.observed_at) for o in earlier if o.moment == Observation.Moment.BEFORE),
            None,
        )
        decision = evaluate_in_session(
            library=lib,
            settings=settings,
            observations=SessionObservations(
                population=current.population,
                cues=[code] if kind == Observation.Kind.CUE else [],
                state=code if kind == Observation.Kind.STATE else None,
                vitals=[*history, reading] if reading else [],
                baseline=baseline if reading and moment != Observation.Moment.BEFORE else None,
                pauses_so_far=current.pauses,
            ),
        )
    except (ImplausibleVitalSign, UnknownObservation) as exc:
        raise _invalid(exc.field, exc.message) from None
    reasons = [
        {
            "check_id": r.check_id,
            "action": r.action,
            "label": r.label,
            "parent_text": r.parent_text,
            "clinician_text": r.clinician_text,
            "instead": r.instead,
            "detail": r.detail,
            "sources": list(r.sources),
            "settings": [s.describe() for s in r.settings],
        }
        for r in decision.reasons
    ]
    was_open = current.is_open
    observation = Observation.objects.create(
        session=current,
        key=record.key,
        kind=kind,
        code=code,
        vitals=clean_vitals,
        moment=moment,
        step_index=current.current_step if was_open else None,
        observed_at=when,
        recorded_by=actor.user,
        decision=decision.action,
        reasons=reasons,
    )
    applied = ""
    if was_open and decision.action == "stop":
        top = decision.reasons[0]
        _end(
            current,
            status=Session.Status.STOPPED,
            when=when,
            check_id=top.check_id,
            reason=f"{top.label}: {top.detail}",
        )
        applied = "; stopped the session"
    elif current.status == Session.Status.IN_PROGRESS and decision.action == "pause":
        current.status = Session.Status.PAUSED
        current.paused_at = when
        current.pauses += 1
        applied = "; paused the session"
    if applied:
        current.version += 1
        current.save()
    audit_action(
        actor=actor,
        action=Action.CREATE,
        entity="observation",
        entity_id=observation.pk,
        client_id=client.pk,
        summary=f"recorded {kind} {code or 'readings'} on the device, offline: {decision.action}{applied}",
        changes={
            "decision": decision.action,
            "device_decision": device_decision,
            "reasons": [r["check_id"] for r in reasons],
        },
    )
    if applied == "; stopped the session":
        plan_figures_refresh(plan_id=current.plan_id)
    conflict: dict[str, Any] = {}
    if SESSION_RANK[decision.action] > SESSION_RANK[device_decision]:
        top_reason = reasons[0]
        conflict = {
            "code": "rule_" + decision.action,
            "title": f"The server's safety rules say: {'stop' if decision.action == 'stop' else 'pause'}",
            "detail": f"{top_reason['parent_text']} ({top_reason['label']}: {top_reason['detail']})",
            "todo": top_reason["instead"],
            "sources": top_reason["sources"],
            "server_action": decision.action,
            "device_action": device_decision,
        }
    elif not was_open:
        conflict = _after_stop(current) if current.status == Session.Status.STOPPED else {}
    return Applied(
        result={**result, "observation_id": observation.pk, "decision": decision.action},
        session_id=current.pk,
        conflict=conflict,
        summary=f"{kind} {code}: {decision.action}",
    )


# --- the diary ------------------------------------------------------------------------------------------
NOTE_FIELDS = ("response", "sleep_after", "stools", "subjective", "objective", "assessment", "plan_text")


def apply_note(actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime) -> Applied:
    """The diary (or note) written on the device: saved as a draft (and signed when the person signed it)
    through the note services, with their version check. Written on two devices, the second is the
    existing 409: nothing is overwritten, and both texts are kept (the server's note as it is, the device's
    text in this record) and shown to the person."""
    data = record.data
    current = _session_of(actor, client, record)
    if current.is_open:
        raise Waiting(_("The session's end has not been stored yet."))
    fields = {name: _text(data, name, 20_000) for name in NOTE_FIELDS if name in data}
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise _invalid("version", _("Send the version of the note the device read, or nothing."))
    try:
        saved = care_services.note_save(actor=actor, session=current, expected_version=version, **fields)
        if data.get("sign"):
            saved = care_services.note_sign(actor=actor, note=saved, expected_version=saved.version)
    except Conflict as exc:
        theirs = Note.objects.within(current).filter(session=current).first()
        return Applied(
            result={"session_id": current.pk, "note_id": theirs.pk if theirs else None, "saved": False},
            session_id=current.pk,
            conflict={
                "code": "note_two_devices",
                "title": "This diary was also written on another device",
                # stored English (the 409 was said in the request's language), shown translated
                "detail": english_message(exc.message, note_conflict_messages()) or NOTE_CONFLICT_UNKNOWN,
                "todo": "Both texts are kept: the diary shows the other one; yours is below. Open the diary "
                "online and add yours to it if it should be there.",
                "theirs": {name: getattr(theirs, name) for name in NOTE_FIELDS} if theirs else {},
                "yours": fields,
                "current_version": exc.current_version,
            },
            summary="the diary: not saved over another device's (a conflict, both texts kept)",
        )
    return Applied(
        result={
            "session_id": current.pk,
            "note_id": saved.pk,
            "version": saved.version,
            "saved": True,
            "signed": saved.locked,
        },
        session_id=current.pk,
        summary="the diary" + (", signed" if saved.locked else ""),
    )
