from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors, services
from kneadwell.care.adherence import Adherence
from kneadwell.care.forms import (
    AdverseEventForm,
    AmendForm,
    DiaryForm,
    FollowUpForm,
    PlanEndForm,
    PlanForm,
    SoapForm,
    StopForm,
)
from kneadwell.care.models import Note, Observation, Plan, ScheduledSession, Session
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.library import selectors as library_selectors
from kneadwell.library.bodymap import render_body_map
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.selectors import readiness_check_get


# --- plans ----------------------------------------------------------------------------------------------
@page(Perm.SESSION_RECORD)
def plan_create(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="opened enrolment")
    check_id = request.GET.get("check") or request.POST.get("check") or ""
    if not check_id.isdigit():
        return render(request, "care/plan_needs_check.html", {"client": client})
    check = readiness_check_get(client=client, check_id=int(check_id))
    lib = library_selectors.library()
    protocol = lib.protocols.get(check.protocol_id)
    if protocol is None:
        raise Http404("Unknown protocol.")
    start = timezone.localtime() + dt.timedelta(minutes=10)
    form = PlanForm(
        request.POST or None,
        library=lib,
        initial={"starts_at": start.replace(second=0, microsecond=0), "open_weeks": 4},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=actor,
                client=client,
                check=check,
                starts_at=data["starts_at"],
                open_weeks=data["open_weeks"],
                avoid_regions=data["avoid_regions"],
                focus_regions=data["focus_regions"],
                max_pressure=data["max_pressure"] or "",
                minutes_factor=data["minutes_factor"],
                goals=data["goals"],
                reminders=data["reminders"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{client.given_name} is enrolled on {protocol.name}.")
            return redirect("care:plan", client_id=client.pk, plan_id=plan.pk)
    return render(
        request, "care/plan_form.html", {"client": client, "check": check, "protocol": protocol, "form": form}
    )


@page(Perm.CLIENT_VIEW)
def plan_detail(request: ActorRequest, client_id: int, plan_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="viewed a plan")
    plan = selectors.plan_get(client=client, plan_id=plan_id)
    lib = library_selectors.library()
    figures = selectors.plan_adherence(plan=plan)
    return render(
        request,
        "care/plan_detail.html",
        {
            "client": client,
            "plan": plan,
            "protocol": lib.protocols.get(plan.protocol_id),
            "upcoming": selectors.upcoming_slots(plan=plan, limit=12),
            # When, status and stop reason only: the steps (JSON, up to tens of kB each) stay unread.
            "sessions": plan.sessions.order_by("-started_at").only(
                "id", "plan_id", "started_at", "status", "stop_reason"
            )[:30],
            "adherence": figures,
            "ring": _ring(figures.percent_of_plan),
            "measurements": selectors.plan_measurements(client=client, plan=plan),
            "can_measure": actor.can(Perm.MEASUREMENT_RECORD),
            "can_record": actor.can(Perm.SESSION_RECORD),
            "end_form": PlanEndForm(),
            "calendar_url": request.build_absolute_uri(reverse("care:calendar", args=[plan.calendar_token])),
            "body_map": render_body_map(
                lib,
                highlighted=plan.focus_regions,
                avoided=plan.avoid_regions,
                title="The plan's focus areas and areas always left out",
            )
            if plan.avoid_regions or plan.focus_regions
            else None,
        },
    )


def _ring(percent: float | None) -> dict[str, float]:
    """SVG progress ring numbers (circumference of r=40 is 251.3)."""
    done = max(0.0, min(100.0, percent or 0.0))
    return {"percent": done, "dash": 251.3 * done / 100, "gap": 251.3 * (1 - done / 100)}


@require_POST
@page(Perm.SESSION_RECORD)
def plan_end(request: ActorRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="ended a plan")
    plan = selectors.plan_get(client=client, plan_id=plan_id)
    form = PlanEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed({"reason": ["Say why the plan ends."]})
        services.plan_end(actor=request.actor, plan=plan, reason=form.cleaned_data["reason"])
    except (ValidationFailed, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The plan has ended; its remaining sessions are cancelled.")
    return redirect("care:plan", client_id=client.pk, plan_id=plan.pk)


def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The plan's sessions as an iCalendar feed. The unguessable token in the link is the credential (a
    calendar app cannot log in); the feed holds the client's first name only."""
    from icalendar import Calendar, Event

    plan = Plan.objects.select_related("client").filter(calendar_token=token).first()
    if plan is None or len(token) < 32:
        raise Http404("No such calendar.")
    lib = library_selectors.library()
    protocol = lib.protocols.get(plan.protocol_id)
    name = protocol.name if protocol else plan.protocol_id
    cal = Calendar()
    cal.add("prodid", "-//Kneadwell//Plan calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{plan.client.given_name}: {name}")
    minutes = (protocol.dose.session_minutes if protocol and protocol.dose.session_minutes else 15) * (
        plan.minutes_factor or 1
    )
    for slot in plan.slots.exclude(status=ScheduledSession.Status.CANCELLED).order_by("due_at"):
        event = Event()
        event.add("uid", f"kneadwell-plan{plan.pk}-s{slot.sequence}@kneadwell")
        event.add("summary", f"{name} — {plan.client.given_name}")
        event.add("dtstart", slot.due_at)
        event.add("dtend", slot.due_at + dt.timedelta(minutes=minutes))
        event.add("dtstamp", plan.created_at)
        event.add("description", "Do today's check in Kneadwell before you start.")
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kneadwell-plan-{plan.pk}.ics"'
    return response


# --- sessions -------------------------------------------------------------------------------------------
@require_POST
@page(Perm.SESSION_RECORD)
def session_start(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="started a session")
    check_id = request.POST.get("check") or ""
    if not check_id.isdigit():
        messages.error(request, "A session starts from today's check.")
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
    """"Check, then start": a check that found nothing at all opens the session's first step at once.
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
    lib = library_selectors.library()
    protocol = lib.protocols.get(session.protocol_id)
    now = timezone.now()
    step = session.steps[session.current_step] if session.current_step < len(session.steps) else None
    timing = _step_timing(session, now)
    observations = list(session.observations.order_by("-observed_at", "-id")[:8])
    last_decision = next((o for o in observations if o.decision in ("pause", "stop") and o.reasons), None)
    advice = next((o for o in observations[:1] if o.reasons and o.decision == "continue"), None)
    checks = set(protocol.session_checks) if protocol else set()
    vitals_wanted = bool(
        checks & {"bradycardia", "desaturation", "tachycardia", "temperature_low", "heart_rate_rise"}
    )
    infant = session.population in ("infant", "preterm_infant")
    cues = [c for c in lib.cues.values() if c.context == "any" or session.population == "preterm_infant"]
    # Staff read the cue literature's words (Barnard's potent and subtle disengagement cues); a parent reads
    # what the baby is saying.
    parent = request.actor.is_caregiver
    words = (
        ("Saying \u201cstop\u201d", "Saying \u201cnot so much\u201d", "Signs of stress", "Enjoying it")
        if parent
        else ("Disengagement \u2014 strong", "Disengagement \u2014 subtle", "Stress signs", "Engagement")
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
        "timing": timing,
        "clock": _session_clock(session, timing),
        "total": len(session.steps),
        "progress": round(100 * session.current_step / max(1, len(session.steps))),
        "parent_register": request.actor.is_caregiver,
        "last_decision": last_decision,
        "advice": advice,
        "observations": observations,
        "vitals_wanted": vitals_wanted,
        "infant": infant,
        "cue_groups": [(label, items) for label, items in groups if items] if infant else [],
        "states": sorted(lib.states.values(), key=lambda s: s.number) if infant else [],
        "before_done": session.observations.filter(moment=Observation.Moment.BEFORE).exists(),
        "body_map": render_body_map(
            lib,
            highlighted=step["regions"],
            title=f"Where: {step['name']}",
            id_prefix="step",
        )
        if step
        else None,
        "stop_form": StopForm(),
        "can_record": request.actor.can(Perm.SESSION_RECORD),
    }


@page(Perm.CLIENT_VIEW)
def player(request: ActorRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.actor, session_id=session_id, purpose="opened the session")
    context = _player_context(request, session)
    template = "care/_player.html" if request.GET.get("partial") else "care/player.html"
    return render(request, template, context)


PLAYER_ACTIONS = ("done", "skip", "cue", "state", "vitals", "pause", "resume", "stop", "complete")


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
            raise ValidationFailed({"action": ["Unknown action."]})
        if action in ("done", "skip"):
            index = int(post.get("index") or -1)
            services.session_step(
                actor=actor,
                session=session,
                index=index,
                outcome="done" if action == "done" else "skipped",
                skip_reason=post.get("reason", ""),
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
            raise ValidationFailed({name: [f"{raw!r} is not a number."]}) from None
    return out


# --- notes ----------------------------------------------------------------------------------------------
@page(Perm.CLIENT_VIEW)
def note(request: ActorRequest, session_id: int) -> HttpResponse:
    actor = request.actor
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="opened the session note")
    lib = library_selectors.library()
    existing = selectors.note_of(session=session)
    diary = existing.kind == Note.Kind.DIARY if existing else actor.is_caregiver
    if existing is not None:
        initial = {
            f: getattr(existing, f)
            for f in (
                "subjective",
                "objective",
                "assessment",
                "plan_text",
                "response",
                "sleep_after",
                "stools",
                "techniques",
                "regions",
                "pressure",
                "minutes",
                "version",
            )
        }
    else:
        done = session.step_logs.filter(outcome="done")
        initial = {
            "techniques": sorted({log.technique_id for log in done}),
            "regions": sorted({r for log in done for r in log.regions}),
            "minutes": round(sum(log.seconds for log in done) / 60, 1),
        }
    form: DiaryForm | SoapForm = (
        DiaryForm(request.POST or None, initial=initial)
        if diary
        else SoapForm(request.POST or None, initial=initial, library=lib)
    )
    if request.method == "POST" and actor.can(Perm.NOTE_SIGN) and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            saved = services.note_save(actor=actor, session=session, expected_version=version, **data)
            if request.POST.get("sign"):
                services.note_sign(actor=actor, note=saved, expected_version=saved.version)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Note signed and locked." if request.POST.get("sign") else "Note saved."
            )
            return redirect("care:note", session_id=session.pk)
    return render(
        request,
        "care/note.html",
        {
            "session": session,
            "client": session.client,
            "note": existing,
            "form": form,
            "diary": diary,
            "amend_form": AmendForm(),
            "can_write": actor.can(Perm.NOTE_SIGN),
            "body_map": render_body_map(lib, highlighted=existing.regions, title="Areas worked")
            if existing and existing.regions
            else None,
        },
    )


@require_POST
@page(Perm.NOTE_SIGN)
def note_amend(request: ActorRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.actor, session_id=session_id, purpose="amended the note")
    existing = selectors.note_of(session=session)
    form = AmendForm(request.POST)
    if existing is None:
        messages.error(request, "There is no note to amend yet.")
    elif not form.is_valid():
        messages.error(request, "Write the amendment and why it is needed.")
    else:
        try:
            services.note_amend(
                actor=request.actor,
                note=existing,
                text=form.cleaned_data["text"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Amendment added; the original note is unchanged.")
    return redirect("care:note", session_id=session.pk)


# --- adverse events -------------------------------------------------------------------------------------
@page(Perm.SESSION_RECORD)
def adverse_event_create(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="opened adverse event reporting")
    session_id = request.GET.get("session") or request.POST.get("session") or ""
    session = selectors.session_get(actor=actor, session_id=int(session_id)) if session_id.isdigit() else None
    form = AdverseEventForm(
        request.POST or None, initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.adverse_event_record(actor=actor, client=client, session=session, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Adverse event recorded.")
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request, "care/adverse_event_form.html", {"client": client, "session": session, "form": form}
    )


@page(Perm.CLIENT_VIEW)
def adverse_event_detail(request: ActorRequest, client_id: int, event_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="viewed an adverse event")
    event = selectors.adverse_event_get(client=client, event_id=event_id)
    form = FollowUpForm(
        request.POST or None, initial={"follow_up": event.follow_up, "version": event.version}
    )
    if request.method == "POST":
        actor.require(Perm.SESSION_RECORD)
        if form.is_valid():
            try:
                services.adverse_event_follow_up(
                    actor=actor,
                    event=event,
                    expected_version=form.cleaned_data["version"],
                    follow_up=form.cleaned_data["follow_up"],
                )
            except (ValidationFailed, Conflict) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Follow-up saved.")
                return redirect("care:adverse_event", client_id=client.pk, event_id=event.pk)
    return render(request, "care/adverse_event_detail.html", {"client": client, "event": event, "form": form})


# --- adherence over a unit -------------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    """A whole percentage as the template filter floatformat:0 writes it (halves away from zero)."""
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _day(at: dt.datetime) -> str:
    """As the date filter's "j M Y" writes it in English (the site's only language), without its
    per-call format lookups."""
    return f"{at.day} {at:%b %Y}"


def _unit_row(plan: Plan, adh: Adherence, protocol: Any) -> dict[str, Any]:
    """One line of the unit table, written out here: the template then only places the text (a page of
    50 lines spent more in the template's lookups and filters than in its queries)."""
    stored = getattr(plan, "figures", None)
    last = stored.last_session_at if stored is not None else None
    percent = _percent(adh.percent_of_due)
    return {
        "url": reverse("care:plan", args=[plan.client_id, plan.pk]),
        "name": plan.client.display_name,
        "protocol": protocol.name if protocol else plan.protocol_id,
        "done_due": f"{adh.done} / {adh.due_so_far}" + (f" ({percent}%)" if percent else ""),
        "of_plan": f"{adh.done} / {adh.planned_total}",
        "stopped": adh.stopped_sessions,
        "reasons": [f"{reason} ({count})" for reason, count in adh.stop_reasons],
        "last": _day(timezone.localtime(last)) if last else "—",
    }


@page(Perm.UNIT_VIEW)
def unit_adherence(request: ActorRequest) -> HttpResponse:
    # A page of clients at a time, each plan's stored figures joined and the sessions due so far in one
    # count: the page's work grows neither with the sessions behind the figures nor with the number of
    # clients. It shows doses and stops, not minutes per phase.
    raw = request.GET.get("page") or "1"
    # ASCII digits only, and few: "²" passes isdigit() but not int(), and int() refuses 4,300 digits.
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0 else 1
    size = selectors.UNIT_PAGE_CLIENTS
    plans, more = selectors.unit_plans_page(actor=request.actor, page=page, size=size)
    figures = selectors.plans_figures(plans=plans, with_phases=False)
    lib = library_selectors.library()
    rows = [_unit_row(p, figures[p.pk], lib.protocols.get(p.protocol_id)) for p in plans]
    return render(
        request,
        "care/unit_adherence.html",
        {
            "rows": rows,
            "page": page,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if more else None,
            "size": size,
        },
    )
