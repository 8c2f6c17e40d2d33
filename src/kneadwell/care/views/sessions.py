"""Session pages: start a session (also straight after a readiness check) and the session player."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors, services
from kneadwell.care.models import Observation, Session
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.library.bodymap import render_body_map
from kneadwell.library.display import display_decision, display_library, display_phase, display_step
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.selectors import readiness_check_get


@require_POST
@page(Perm.SESSION_RECORD)
def session_start(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="started a session")
    check_id = request.POST.get("check") or ""
    if not check_id.isdigit():
        messages.error(request, _("A session starts from today's check."))
        return redirect("library:check", client_id=client.pk)
    check = readiness_check_get(client=client, check_id=int(check_id))
    slot_id = request.POST.get("slot") or ""
    slot = selectors.slot_get(client=client, slot_id=int(slot_id)) if slot_id.isdigit() else None
    try:
        session = services.session_start(actor=actor, client=client, check=check, slot=slot)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect("library:check_result", client_id=client.pk, check_id=check.pk)
    return redirect("care:player", session_id=session.pk)


def start_after_check(request: ActorRequest, check: ReadinessCheck) -> HttpResponse | None:
    """ "Check, then start": a check that found nothing at all opens the session's first step at once.
    Anything found (a wait, areas to leave out, a change, a release) shows the check's result page
    instead, so the person reads it before starting; so does any reason the session cannot start."""
    actor = request.actor
    if check.action != ReadinessCheck.Action.GO or check.verdict.get("reasons"):
        return None
    try:
        session = services.session_start(actor=actor, client=check.client, check=check)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return None
    return redirect("care:player", session_id=session.pk)


def _step_timing(session: Session, now: dt.datetime) -> dict[str, Any]:
    """Seconds left in the current step and its phase, from the server's clock (a reload keeps them)."""
    if session.current_step >= len(session.steps):
        return {}
    step = session.steps[session.current_step]
    paused_now = (now - session.paused_at).total_seconds() if session.paused_at else 0.0
    elapsed = max(
        0.0, (now - session.step_started_at).total_seconds() - session.step_paused_seconds - paused_now
    )
    out: dict[str, Any] = {"elapsed": elapsed}
    if step.get("minutes"):
        out["step_seconds"] = step["minutes"] * 60
        out["step_left"] = max(0.0, step["minutes"] * 60 - elapsed)
    phase = step.get("phase")
    if phase:
        later = [s for s in session.steps[session.current_step :] if s.get("phase") == phase]
        total = sum((s.get("minutes") or 0) * 60 for s in later)
        # A phase of one step would only repeat the step's countdown.
        if total and (len(later) > 1 or len([s for s in session.steps if s.get("phase") == phase]) > 1):
            out["phase"] = phase
            out["phase_left"] = max(0.0, total - elapsed)
    return out


def _session_clock(session: Session, timing: dict[str, Any]) -> dict[str, float]:
    """The whole session's time: seconds spent on the steps so far (pauses excluded: each step's logged
    seconds, plus the current step's), and the seconds the steps' minutes add up to."""
    logged = session.step_logs.aggregate(total=Sum("seconds"))["total"] or 0.0
    return {
        "elapsed": float(logged) + float(timing.get("elapsed", 0.0)),
        "planned": float(sum((s.get("minutes") or 0) * 60 for s in session.steps)),
    }


def _player_context(request: ActorRequest, session: Session) -> dict[str, Any]:
    organisation = request.actor.organisation
    # Shown in the page's language; the services record in English and by id (library/display.py).
    lib = display_library(organisation)
    protocol = lib.protocols.get(session.protocol_id)
    now = timezone.now()
    stored = session.steps[session.current_step] if session.current_step < len(session.steps) else None
    step = display_step(stored, organisation)
    timing = _step_timing(session, now)
    if timing.get("phase"):
        timing["phase"] = display_phase(timing["phase"], protocol.routines if protocol else ())
    observations = list(session.observations.order_by("-observed_at", "-id")[:8])
    last_decision = next((o for o in observations if o.decision in ("pause", "stop") and o.reasons), None)
    advice = next((o for o in observations[:1] if o.reasons and o.decision == "continue"), None)
    checks = set(protocol.session_checks) if protocol else set()
    vitals_wanted = bool(
        checks & {"bradycardia", "desaturation", "tachycardia", "temperature_low", "heart_rate_rise"}
    )
    infant = session.population in ("infant", "preterm_infant")
    preterm = session.population == "preterm_infant"
    cues = [c for c in lib.cues.values() if c.context == "any" or (c.context == "nicu" and preterm)]
    # Signs of a low blood sugar, for a client with diabetes whatever the programme (they stop any session).
    hypo_cues = (
        [c for c in lib.cues.values() if c.context == "diabetes"]
        if "diabetes" in (session.client.conditions or ())
        else []
    )
    # Trauma-informed sessions: the step asks "may I?" first; its answer is recorded on the step.
    asks = bool(step and step.get("ask_permission"))
    answered = (
        asks
        and session.observations.filter(
            code__in=("permission_given", "permission_declined"), step_index=session.current_step
        ).exists()
    )
    # Staff read the cue literature's words (Barnard's potent and subtle disengagement cues); a parent reads
    # what the baby is saying.
    parent = request.actor.is_caregiver
    words = (
        (
            _("Saying “stop”"),
            _("Saying “not so much”"),
            _("Signs of stress"),
            _("Enjoying it"),
        )
        if parent
        else (
            _("Disengagement — strong"),
            _("Disengagement — subtle"),
            _("Stress signs"),
            _("Engagement"),
        )
    )
    groups = [
        (words[0], [c for c in cues if c.kind == "disengagement" and c.strength == "potent"]),
        (words[1], [c for c in cues if c.kind == "disengagement" and c.strength == "subtle"]),
        (words[2], [c for c in cues if c.kind == "stress"]),
        (words[3], [c for c in cues if c.kind in ("engagement", "comfort", "readiness")]),
    ]
    return {
        "session": session,
        "client": session.client,
        "protocol": protocol,
        "step": step,
        "permission_pending": asks and not answered,
        # The whole routine, shown before the first step (predictable sessions) and kept at hand after.
        "preview": any(st.get("ask_permission") for st in session.steps),
        "hypo_cues": hypo_cues,
        "timing": timing,
        "clock": _session_clock(session, timing),
        "total": len(session.steps),
        "progress": round(100 * session.current_step / max(1, len(session.steps))),
        "parent_register": request.actor.is_caregiver,
        "last_decision": display_decision(last_decision, organisation),
        "advice": display_decision(advice, organisation),
        "observations": observations,
        "vitals_wanted": vitals_wanted,
        "infant": infant,
        "cue_groups": [(label, items) for label, items in groups if items] if infant else [],
        "states": sorted(lib.states.values(), key=lambda s: s.number) if infant else [],
        "before_done": session.observations.filter(moment=Observation.Moment.BEFORE).exists(),
        "body_map": render_body_map(
            lib,
            highlighted=step["regions"],
            title=_("Where: %(step)s") % {"step": step["name"]},
            id_prefix="step",
        )
        if step
        else None,
        # Every button's form posts here (a dozen forms, more with the cue chips): reversed once.
        "act_url": reverse("care:player_act", args=[session.pk]),
        "can_record": request.actor.can(Perm.SESSION_RECORD),
    }


@page(Perm.CLIENT_VIEW)
def player(request: ActorRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.actor, session_id=session_id, purpose="opened the session")
    context = _player_context(request, session)
    template = "care/_player.html" if request.GET.get("partial") else "care/player.html"
    return render(request, template, context)


PLAYER_ACTIONS = (
    "done",
    "skip",
    "permission",
    "cue",
    "state",
    "vitals",
    "pause",
    "resume",
    "stop",
    "complete",
)


@require_POST
@page(Perm.SESSION_RECORD)
def player_act(request: ActorRequest, session_id: int) -> HttpResponse:
    """Every button of the player posts here. A script-driven request gets the refreshed player back; a
    plain form post is redirected to the player (so a reload never re-sends it)."""
    actor = request.actor
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="recorded in the session")
    post = request.POST
    action = post.get("action", "")
    key = (post.get("key") or "")[:64]
    error = ""
    try:
        if action not in PLAYER_ACTIONS:
            raise ValidationFailed({"action": [_("Unknown action.")]})
        if action in ("done", "skip"):
            index = int(post.get("index") or -1)
            services.session_step(
                actor=actor,
                session=session,
                index=index,
                outcome="done" if action == "done" else "skipped",
                skip_reason=post.get("reason", ""),
            )
        elif action == "permission":
            answer = post.get("answer", "")
            if answer not in ("yes", "no"):
                raise ValidationFailed({"answer": [_("Choose yes or no.")]})
            services.session_permission(
                actor=actor,
                session=session,
                index=int(post.get("index") or -1),
                given=answer == "yes",
                key=key,
            )
        elif action in ("cue", "state"):
            services.session_observe(
                actor=actor, session=session, key=key, kind=action, code=post.get("code", "")
            )
        elif action == "vitals":
            services.session_observe(
                actor=actor,
                session=session,
                key=key,
                kind="vitals",
                vitals=_vitals(post),
                moment=post.get("moment", "during"),
            )
        elif action == "pause":
            services.session_pause(actor=actor, session=session)
        elif action == "resume":
            services.session_resume(actor=actor, session=session)
        elif action == "stop":
            # The stop panel offers a few common reasons to tap, and a box for anything else.
            reason = (post.get("reason_other") or "").strip() or post.get("reason", "")
            services.session_stop(actor=actor, session=session, reason=reason)
        elif action == "complete":
            services.session_complete(actor=actor, session=session)
    except ValidationFailed as exc:
        error = " ".join(m for ms in exc.errors.values() for m in ms)
    except (Conflict, DomainError) as exc:
        error = exc.message
    if request.headers.get("X-Player") == "1":
        session.refresh_from_db()
        context = _player_context(request, session)
        context["error"] = error
        return render(
            request, "care/_player.html", context, status=422 if error and action == "vitals" else 200
        )
    if error:
        messages.error(request, error)
    return redirect("care:player", session_id=session.pk)


def _vitals(post: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in services.VITAL_FIELDS:
        raw = (post.get(name) or "").strip().replace(",", ".")
        if not raw:
            continue
        try:
            out[name] = float(raw)
        except ValueError:
            raise ValidationFailed({name: [_("“%(value)s” is not a number.") % {"value": raw}]}) from None
    return out
