"""Adverse event pages: report one, and see or follow one up."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors, services
from kneadwell.care.forms import (
    AdverseEventForm,
    FollowUpForm,
)
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import Conflict, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page


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
            messages.success(request, _("Adverse event recorded."))
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
                messages.success(request, _("Follow-up saved."))
                return redirect("care:adverse_event", client_id=client.pk, event_id=event.pk)
    return render(request, "care/adverse_event_detail.html", {"client": client, "event": event, "form": form})
