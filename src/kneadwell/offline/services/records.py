"""How each kind of record kept on a device is applied on the server (called by `sync.sync_records`,
inside its transaction).

What the device records is what happened: a parent did the steps, saw the cue, wrote the diary. The server
does not refuse a fact because its own reading is more cautious; it keeps the fact, applies its reading
where it still can (a stop rule stops a session that is still open), and flags a conflict that the person
is shown. Today's check is screened again on the current record (with the time of the check on the
device, since its answers describe that moment); a stop or a needs-release the device did not see flags the
check and the session started from it. Observations go through the server's stop rules again."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.audit.writes import create_audited, save_audited
from kneadwell.care.models import Plan, ScheduledSession, Session, StepLog
from kneadwell.care.selectors.sessions import todays_session_steps
from kneadwell.care.services.figures import plan_figures_refresh
from kneadwell.care.services.sessions import TRAINED_ROLES
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import ConsentRequired, DomainError, NotFound, ValidationFailed
from kneadwell.library import selectors as library_selectors
from kneadwell.library import services as library_services
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.screening import Action as Verdict
from kneadwell.offline.models import SyncRecord
from kneadwell.offline.services.sync import Applied, DeviceRecord, Waiting, device_moment
from kneadwell.offline.words import AFTER_STOP_DETAIL

# The step fields a session keeps (care.routine.todays_steps); anything else the device sent is display.
STEP_FIELDS = (
    "index",
    "routine",
    "technique",
    "name",
    "kind",
    "regions",
    "left_out_regions",
    "pressure",
    "minutes",
    "repetitions",
    "phase",
    "section",
    "position",
    "optional",
    "note",
    "how_parent",
    "how_clinician",
    "sources",
    "ask_permission",
)
MAX_STEPS = 300


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str):
        raise _invalid(name, _("Expected text."))
    if len(value) > limit:
        raise _invalid(name, _("Keep it to %(limit)s characters.") % {"limit": limit})
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise _invalid(name, _("Remove the control characters."))
    return value.strip()


def _verdict_label(action: str) -> str:
    labels = dict(ReadinessCheck.Action.choices)
    return str(labels.get(action, action))


# --- today's check ------------------------------------------------------------------------------------
def apply_check(actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime) -> Applied:
    data = record.data
    protocol_id = _text(data, "protocol_id", 60)
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise _invalid("answers", _("Send today's answers keyed by question id."))
    device_action = str(data.get("device_action") or "")
    if device_action not in Verdict.__members__.values():
        raise _invalid(
            "device_action", _("Send the verdict the device showed (go, modify, avoid-areas, ...).")
        )
    when = device_moment(record, synced_at)
    try:
        # In English: a refusal here is kept in the conflict (stored English, shown in the reader's
        # language by offline/words.py), whatever language the sync was sent in.
        with translation.override("en"):
            check = library_services.readiness_check_run(
                actor=actor, client=client, protocol_id=protocol_id, answers=answers, now=when
            )
    except (ValidationFailed, ConsentRequired) as exc:
        # Kept, not dropped: the check is flagged and a session started from it is recorded and flagged too.
        details = [str(m) for ms in getattr(exc, "errors", {"": [exc.message]}).values() for m in ms]
        return Applied(
            result={"check_id": None, "action": None, "device_action": device_action},
            conflict={
                "code": "check_not_screened",
                "title": "Today's check could not be screened again on the server",
                "detail": " ".join(details),
                "details": details,
                "todo": "Do not start another session from it. Run today's check again now, online.",
                "server_action": None,
                "device_action": device_action,
            },
            summary=f"today's check for {protocol_id} could not be screened again",
        )
    server_action = check.action
    conflict: dict[str, Any] = {}
    if Verdict(server_action).rank > Verdict(device_action).rank:
        reasons = [
            r
            for r in check.verdict.get("reasons", [])
            if Verdict(r.get("action", "go")).rank > Verdict(device_action).rank
        ]
        conflict = {
            "code": "check_cautious",
            "title": f"Screened again on the server: {_verdict_label(server_action)}",
            "detail": " ".join(r.get("parent_text") or r.get("title", "") for r in reasons)
            or f"The device showed “{_verdict_label(device_action)}”.",
            "todo": " ".join(r.get("instead", "") for r in reasons if r.get("instead"))
            or "Do not massage again until today's check, run online, allows it.",
            "reasons": [
                {
                    "rule_id": r.get("rule_id"),
                    "action": r.get("action"),
                    "title": r.get("title"),
                    "parent_text": r.get("parent_text"),
                    "clinician_text": r.get("clinician_text"),
                    "instead": r.get("instead"),
                    "sources": r.get("sources", []),
                }
                for r in reasons
            ],
            "server_action": server_action,
            "device_action": device_action,
            "check_id": check.pk,
        }
    return Applied(
        result={"check_id": check.pk, "action": server_action, "device_action": device_action},
        conflict=conflict,
        summary=f"today's check for {protocol_id}: {server_action} on the server, "
        f"{device_action} on the device",
    )


# --- sessions -----------------------------------------------------------------------------------------
def _stored(actor: Actor, key: str) -> SyncRecord | None:
    return SyncRecord.objects.for_organisation(actor.organisation_id).filter(key=key).first()


def _session_of(actor: Actor, client: Client, record: DeviceRecord) -> Session:
    """The session a record belongs to, locked for this transaction: one the server had (started online)
    or one started on the device (found through its start record's key)."""
    if record.session_id is not None:
        session_id: int | None = record.session_id
    elif record.session_key:
        start = _stored(actor, record.session_key)
        if start is None:
            raise Waiting(
                _("Its session has not been stored yet; it is sent again after the session's start.")
            )
        session_id = start.session_id
    else:
        raise _invalid("session", _("Name the session (session_id or session_key)."))
    found = (
        Session.objects.of_client(client).select_for_update().filter(pk=session_id).first()
        if session_id is not None
        else None
    )
    if found is None:
        raise NotFound(_("No such session for this client."))
    return found


def _step_dicts(raw: Any) -> list[dict[str, Any]]:
    lib = library_selectors.library()
    if not isinstance(raw, list) or not raw or len(raw) > MAX_STEPS:
        raise _invalid("steps", _("Send the session's steps (1 to %(n)s).") % {"n": MAX_STEPS})
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(raw):
        if not isinstance(step, dict) or not isinstance(step.get("technique"), str):
            raise _invalid(f"steps.{i}.technique", _("Unknown technique."))
        if step["technique"] not in lib.techniques:
            raise _invalid(f"steps.{i}.technique", _("Unknown technique."))
        regions = step.get("regions") or []
        if not isinstance(regions, list) or any(
            not isinstance(r, str) or r not in lib.regions for r in regions
        ):
            raise _invalid(f"steps.{i}.regions", _("Unknown body region."))
        kept = {k: step[k] for k in STEP_FIELDS if k in step}
        kept["index"] = i
        steps.append(kept)
    return steps


def apply_session_start(
    actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime
) -> Applied:
    data = record.data
    check_key = _text(data, "check_key", 64)
    protocol_id = _text(data, "protocol_id", 60)
    lib = library_selectors.library()
    if protocol_id not in lib.protocols:
        raise _invalid("protocol_id", _("Unknown programme."))
    check_record = _stored(actor, check_key) if check_key else None
    if check_record is None:
        raise Waiting(_("Today's check it was started from has not been stored yet."))
    if check_record.client_id != client.pk:
        raise _invalid("check_key", _("That check belongs to another client."))
    steps = _step_dicts(data.get("steps"))
    when = device_moment(record, synced_at)
    consent_require(client=client, scope=Scope.CARE, what="massage sessions")
    check_id = check_record.result.get("check_id")
    check = ReadinessCheck.objects.of_client(client).filter(pk=check_id).first() if check_id else None
    if check is not None and Session.objects.filter(readiness_check=check).exists():
        raise _invalid("check_key", _("This check was already used for a session."))
    plan = Plan.objects.of_client(client).filter(protocol_id=protocol_id, status=Plan.Status.ACTIVE).first()
    session = Session(
        organisation_id=client.organisation_id,
        client=client,
        plan=plan,
        readiness_check=check,
        protocol_id=protocol_id,
        population=check.population if check else lib.protocols[protocol_id].population,
        content_version=str(lib.version),
        steps=steps,
        step_started_at=when,
        started_at=when,
        performed_by=actor.user,
    )
    create_audited(
        actor=actor,
        obj=session,
        entity="session",
        client_id=client.pk,
        summary=f"started a {lib.protocols[protocol_id].name} session on the device, offline "
        f"({len(steps)} steps)",
        changes={"check": check_id, "offline": True, "device_time": record.device_time.isoformat()},
    )
    conflict: dict[str, Any] = {}
    if check_record.open_conflict:
        conflict = {
            **check_record.conflict,
            "code": "session_after_cautious_check",
            "title": "This session was started after a check the server reads more cautiously",
            "todo": (check_record.conflict.get("todo") or "")
            + " The session is kept as it was done and flagged for your therapist or nurse to see.",
        }
    elif check is not None:
        conflict = _steps_conflict(actor, client, check, plan, steps)
    return Applied(result={"session_id": session.pk}, session_id=session.pk, conflict=conflict)


# --- the device's steps against the server's ----------------------------------------------------------
_PRESSURE_RANK = {"light": 1, "moderate": 2, "firm": 3}


def _pressure_rank(value: Any) -> int:
    """A step's pressure as a rank; no pressure named = no cap (firm); anything unknown ranks above all."""
    if value is None:
        return 3
    return _PRESSURE_RANK.get(value, 4) if isinstance(value, str) else 4


def _amount(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return math.inf  # not a number: counts as more than any
    return float(value)


def _more_than(device: Mapping[str, Any], server: Mapping[str, Any]) -> list[str]:
    """How a step the device did goes beyond the server's step of the same technique (English)."""
    out: list[str] = []
    extra = [r for r in device.get("regions") or () if r not in (server.get("regions") or ())]
    if extra:
        out.append("the server leaves out " + ", ".join(str(r).replace("_", " ") for r in extra))
    if _pressure_rank(device.get("pressure")) > _pressure_rank(server.get("pressure")):
        out.append(
            f"pressure {device.get('pressure') or 'not limited'}, the server's {server.get('pressure')}"
        )
    for measure in ("minutes", "repetitions"):
        mine, theirs = _amount(device.get(measure)), _amount(server.get(measure))
        if theirs is not None and (mine is None or mine > theirs + 1e-9):
            out.append(f"{measure} {device.get(measure)}, the server's {server.get(measure)}")
    if server.get("ask_permission") and not device.get("ask_permission"):
        out.append("the server asks permission before this step")
    return out


def _same_technique(device: Mapping[str, Any], server: Mapping[str, Any]) -> bool:
    return all(device.get(k) == server.get(k) for k in ("routine", "technique", "section"))


def steps_beyond(device: list[dict[str, Any]], server: list[dict[str, Any]]) -> list[str]:
    """Where the device's session is less cautious than the server's steps for the same check, one English
    line per step: a step the server leaves out, a region it leaves out, more pressure, more minutes or
    repetitions, permission not asked. Each device step is matched, in order, to the first server step of
    the same technique and section that it does not go beyond (fewer steps, regions, minutes or a lighter
    pressure than the server's is more cautious, and fine)."""
    out: list[str] = []
    at = 0
    for number, step in enumerate(device, start=1):
        fits = next(
            (
                j
                for j in range(at, len(server))
                if _same_technique(step, server[j]) and not _more_than(step, server[j])
            ),
            None,
        )
        if fits is not None:
            at = fits + 1
            continue
        twin = next((s for s in server[at:] if _same_technique(step, s)), None)
        what = "; ".join(_more_than(step, twin)) if twin else "the server leaves this step out"
        out.append(f"Step {number} ({step.get('name') or step.get('technique')}): {what}.")
    return out


def _steps_conflict(
    actor: Actor, client: Client, check: ReadinessCheck, plan: Plan | None, steps: list[dict[str, Any]]
) -> dict[str, Any]:
    """A conflict when the steps the device played are less cautious than those the server gives NOW for
    the check it screened again (care.selectors.sessions.todays_session_steps, as a session started online
    from that check would have them); {} when they are not. The session is kept as it was done."""
    refusal = ""
    with translation.override("en"):  # stored in English, shown translated (offline/words.py)
        try:
            todays = todays_session_steps(
                client=client,
                check=check,
                plan=plan,
                verdict=check.verdict,
                trained=actor.role in TRAINED_ROLES,
            )
        except DomainError as exc:  # e.g. a class's home routine before the first class
            server: list[dict[str, Any]] = []
            refusal = str(exc.message)
        else:
            server, refusal = todays.steps, str(todays.refusal)
    beyond = steps_beyond(steps, server)
    if refusal:
        beyond.insert(0, f"The server would not start this session: {refusal}")
    if not beyond:
        return {}
    return {
        "code": "session_steps_differ",
        "title": "This session's steps differ from the server's for this check",
        "detail": " ".join(beyond),
        "differences": beyond,
        "todo": "Tell your therapist or nurse; the session is kept as it was done and flagged for them "
        "to see.",
        "check_id": check.pk,
        "server_action": check.action,
    }


def _after_stop(current: Session) -> dict[str, Any]:
    """A conflict for a record made on the device after the server's rules had stopped the session."""
    return {
        "code": "after_stop",
        "title": "Recorded after the session was stopped",
        "detail": AFTER_STOP_DETAIL % {"reason": current.stop_reason},  # English, shown translated
        "todo": "Do not go on with this session. If your baby seems unwell, call your doctor or nurse.",
    }


def apply_step(actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime) -> Applied:
    data = record.data
    current = _session_of(actor, client, record)
    index = data.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_STEPS:
        raise _invalid("index", _("Send the step's number (from 0)."))
    outcome = data.get("outcome")
    if outcome not in StepLog.Outcome.values:
        raise _invalid("outcome", _("Choose done or skipped."))
    skip_reason = _text(data, "skip_reason", 300)
    if outcome == StepLog.Outcome.SKIPPED and not skip_reason:
        raise _invalid("skip_reason", _("Say why this step was skipped."))
    seconds = data.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        raise _invalid("seconds", _("Send the step's time in seconds."))
    if not 0 <= seconds <= 24 * 3600:
        raise _invalid("seconds", _("A step takes 0 seconds to 24 hours."))
    result = {"session_id": current.pk, "index": index}
    if StepLog.objects.within(current).filter(session=current, index=index).exists():
        # Sent online before the connection dropped (its answer was lost): already recorded.
        return Applied(
            result={**result, "already": True}, session_id=current.pk, summary="a step already kept"
        )
    if index >= len(current.steps):
        raise _invalid("index", _("This session has no such step."))
    if index > current.current_step:
        raise Waiting(_("An earlier step has not been stored yet."))
    when = device_moment(record, synced_at)
    step = current.steps[index]
    StepLog.objects.create(
        session=current,
        index=index,
        technique_id=step["technique"],
        regions=step.get("regions", []),
        phase=step.get("phase", ""),
        outcome=outcome,
        skip_reason=skip_reason,
        seconds=float(seconds),
        ended_at=when,
    )
    conflict = {} if current.is_open else _after_stop(current)
    current.current_step = index + 1
    current.step_started_at = when
    current.step_paused_seconds = 0
    save_audited(
        actor=actor,
        obj=current,
        entity="session",
        client_id=client.pk,
        summary=f"step {index + 1} {outcome} on the device, offline: {step.get('name', '')}",
        changes={"skip_reason": skip_reason} if skip_reason else {},
    )
    return Applied(
        result=result, session_id=current.pk, conflict=conflict, summary=f"step {index + 1} {outcome}"
    )


def _end(current: Session, *, status: str, when: dt.datetime, check_id: str, reason: str) -> None:
    current.status = status
    current.ended_at = when
    current.paused_at = None
    current.stop_check = check_id if status == Session.Status.STOPPED else ""
    current.stop_reason = reason if status == Session.Status.STOPPED else ""
    if current.slot_id:
        done = (
            ScheduledSession.Status.DONE
            if status == Session.Status.COMPLETED
            else ScheduledSession.Status.STOPPED
        )
        ScheduledSession.objects.filter(pk=current.slot_id).update(status=done)


def apply_pause(actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime) -> Applied:
    current = _session_of(actor, client, record)
    when = device_moment(record, synced_at)
    result = {"session_id": current.pk, "status": current.status}
    if record.kind == "pause" and current.status == Session.Status.IN_PROGRESS:
        current.status = Session.Status.PAUSED
        current.paused_at = when
        current.pauses += 1
        summary = "paused the session on the device, offline"
    elif record.kind == "resume" and current.status == Session.Status.PAUSED:
        if current.paused_at is not None:
            current.step_paused_seconds += max(0.0, (when - current.paused_at).total_seconds())
        current.status = Session.Status.IN_PROGRESS
        current.paused_at = None
        summary = "resumed the session on the device, offline"
    else:  # already so (sent online before the answer was lost), or the session has ended
        return Applied(result=result, session_id=current.pk, summary=f"{record.kind}: nothing to change")
    save_audited(actor=actor, obj=current, entity="session", client_id=client.pk, summary=summary)
    return Applied(result={**result, "status": current.status}, session_id=current.pk, summary=summary)


def apply_session_end(actor: Actor, client: Client, record: DeviceRecord, synced_at: dt.datetime) -> Applied:
    data = record.data
    current = _session_of(actor, client, record)
    status = data.get("status")
    if status not in (Session.Status.COMPLETED, Session.Status.STOPPED):
        raise _invalid("status", _("Choose completed or stopped."))
    reason = _text(data, "reason", 5000)
    if status == Session.Status.STOPPED and not reason:
        raise _invalid("reason", _("Say why the session stopped."))
    result = {"session_id": current.pk}
    if not current.is_open:
        conflict: dict[str, Any] = {}
        if current.status == Session.Status.STOPPED and status == Session.Status.COMPLETED:
            conflict = _after_stop(current)
        return Applied(
            result={**result, "status": current.status},
            session_id=current.pk,
            conflict=conflict,
            summary=f"the session's end ({status}): already {current.status} on the server",
        )
    if status == Session.Status.COMPLETED and current.current_step < len(current.steps):
        raise Waiting(_("Some of the session's steps have not been stored yet."))
    when = device_moment(record, synced_at)
    _end(current, status=status, when=when, check_id="manual", reason=reason)
    summary = (
        "completed the session" if status == Session.Status.COMPLETED else f"stopped the session: {reason}"
    )
    save_audited(
        actor=actor,
        obj=current,
        entity="session",
        client_id=client.pk,
        summary=f"{summary} on the device, offline",
    )
    plan_figures_refresh(plan_id=current.plan_id)
    return Applied(result={**result, "status": status}, session_id=current.pk, summary=summary)
