"""Plan pages: enrol a client on a protocol, a plan's page, end a plan, and the plan's calendar feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors, services
from kneadwell.care.forms import (
    PlanEndForm,
    PlanForm,
)
from kneadwell.care.models import ScheduledSession
from kneadwell.care.views import rows as rows_html
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.library import selectors as library_selectors
from kneadwell.library.bodymap import render_body_map
from kneadwell.library.selectors import readiness_check_get


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
        raise Http404(_("Unknown protocol."))
    start = timezone.localtime() + dt.timedelta(minutes=10)
    # The intake's focus answers fill in the plan's focus areas; the therapist may change them here.
    from_intake = selectors.intake_focus(client=client)
    form = PlanForm(
        request.POST or None,
        library=lib,
        initial={
            "starts_at": start.replace(second=0, microsecond=0),
            "open_weeks": 4,
            "focus_regions": list(from_intake.regions) if from_intake else [],
        },
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
            messages.success(
                request,
                _("%(given_name)s is enrolled on %(protocol)s.")
                % {"given_name": client.given_name, "protocol": protocol.name},
            )
            return redirect("care:plan", client_id=client.pk, plan_id=plan.pk)
    uses_focus = any(
        "focus_area" in step.regions for rid in protocol.routines for step in lib.routines[rid].steps
    )
    return render(
        request,
        "care/plan_form.html",
        {
            "client": client,
            "check": check,
            "protocol": protocol,
            "form": form,
            "from_intake": from_intake,
            "uses_focus": uses_focus,
        },
    )


@page(Perm.CLIENT_VIEW)
def plan_detail(request: ActorRequest, client_id: int, plan_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="viewed a plan")
    plan = selectors.plan_get(client=client, plan_id=plan_id)
    lib = library_selectors.library()
    # From the plan's stored tally (PlanFigures): the same figures as counting every session again.
    figures = selectors.plans_figures(plans=[plan])[plan.pk]
    return render(
        request,
        "care/plan_detail.html",
        {
            "client": client,
            "plan": plan,
            "protocol": lib.protocols.get(plan.protocol_id),
            # The two lists' rows are written in Python (the same bytes as the template's loops, which
            # cost about 5 µs a node: up to 42 rows of several nodes each).
            "upcoming_rows": rows_html.plan_upcoming_rows(
                selectors.upcoming_slots(plan=plan, limit=12).only("id", "due_at", "phase"),
                client_id=client.pk,
                protocol_id=plan.protocol_id,
                offer_start=actor.can(Perm.SESSION_RECORD) and plan.status == "active",
            ),
            # When, status and stop reason only: the steps (JSON, up to tens of kB each) stay unread.
            "session_rows": rows_html.plan_session_rows(
                plan.sessions.order_by("-started_at").only(
                    "id", "plan_id", "started_at", "status", "stop_reason"
                )[:30]
            ),
            "adherence": figures,
            "ring": _ring(figures.percent_of_plan),
            "measurements": selectors.plan_measurements(client=client, plan=plan),
            "can_measure": actor.can(Perm.MEASUREMENT_RECORD),
            "can_record": actor.can(Perm.SESSION_RECORD),
            "end_form": _blank_end_form(),
            "calendar_url": request.build_absolute_uri(reverse("care:calendar", args=[plan.calendar_token])),
            "body_map": render_body_map(
                lib,
                highlighted=plan.focus_regions,
                avoided=plan.avoid_regions,
                title=_("The plan's focus areas and areas always left out"),
            )
            if plan.avoid_regions or plan.focus_regions
            else None,
        },
    )


# The end-of-plan form as it is first shown (empty) is the same on every plan page in a language: rendered
# once per language in this process (its label is fixed when the code loads).
_BLANK_END_FORM: dict[str | None, SafeString] = {}


def _blank_end_form() -> SafeString:
    language = get_language()
    found = _BLANK_END_FORM.get(language)
    if found is None:
        found = _BLANK_END_FORM[language] = PlanEndForm().as_div()
    return found


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
            raise ValidationFailed({"reason": [_("Say why the plan ends.")]})
        services.plan_end(actor=request.actor, plan=plan, reason=form.cleaned_data["reason"])
    except (ValidationFailed, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan has ended; its remaining sessions are cancelled."))
    return redirect("care:plan", client_id=client.pk, plan_id=plan.pk)


def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The plan's sessions as an iCalendar feed. The unguessable token in the link is the credential (a
    calendar app cannot log in); the feed holds the client's first name only."""
    from icalendar import Calendar, Event

    plan = selectors.plan_by_calendar_token(token=token)
    if plan is None:
        raise Http404(_("No such calendar."))
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
        event.add("description", _("Do today's check in Kneadwell before you start."))
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kneadwell-plan-{plan.pk}.ics"'
    return response
