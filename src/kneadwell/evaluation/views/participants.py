"""Screening a client, a participant's page, randomising (one confirmed, irreversible act), recording
whether the allocated programme was received, and withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import ConsentRequired, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.evaluation import services
from kneadwell.evaluation.forms import ReceivedForm, ScreenForm, WithdrawForm
from kneadwell.evaluation.methods.outcomes import STATUS_WORDS
from kneadwell.evaluation.selectors.results import followup, study_data
from kneadwell.evaluation.selectors.studies import participant_get, screenable_clients, shows_names
from kneadwell.evaluation.views.common import load
from kneadwell.library.selectors import library
from kneadwell.outcomes import instruments


@page(Perm.STUDY_RANDOMISE)
def screen(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_RANDOMISE)
    choices = screenable_clients(actor=request.actor, study=s)
    initial = {"client": request.GET.get("client")} if request.GET.get("client") else {}
    form = ScreenForm(request.POST or None, study=s, clients=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = client_get(actor=request.actor, client_id=data["client"], purpose="screened for a study")
            p = services.participant_screen(
                actor=request.actor,
                study=s,
                client=client,
                checks_confirmed=form.checks(),
                site=data.get("site", ""),
                decision=data["decision"],
                reason=data["reason"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(code)s: %(status)s.") % {"code": p.code, "status": p.get_status_display()}
            )
            return redirect("evaluation:participant", s.pk, p.pk)
    return render(
        request,
        "evaluation/screen.html",
        {"study": s, "form": form, "criteria": s.eligibility, "nav": "studies"},
    )


@page(Perm.STUDY_VIEW)
def participant(request: ActorRequest, study_id: int, participant_id: int) -> HttpResponse:
    s = load(request, study_id)
    p = participant_get(actor=request.actor, study=s, participant_id=participant_id)
    data = study_data(s)
    points = [d for d in followup(data) if d.participant.pk == p.pk]
    actor = request.actor
    can_act = actor.can(Perm.STUDY_RANDOMISE)
    return render(
        request,
        "evaluation/participant.html",
        {
            "study": s,
            "p": p,
            "name": p.client.display_name if shows_names(actor) else "",
            "protocol_name": _protocol_name(p.arm.protocol_id if p.arm else ""),
            "points": [
                (d, _(STATUS_WORDS[d.status]), instruments.get_instrument(d.point.instrument_id).name)
                for d in points
            ],
            "can_randomise": can_act and p.status == "eligible",
            "can_update": can_act and p.status == "randomised",
            "can_assess": actor.can(Perm.OUTCOME_ASSESS),
            "received_form": ReceivedForm(),
            "nav": "studies",
        },
    )


def _protocol_name(protocol_id: str) -> str:
    protocol = library().protocols.get(protocol_id) if protocol_id else None
    return protocol.name if protocol else protocol_id


@require_POST
@page(Perm.STUDY_RANDOMISE)
def randomise(request: ActorRequest, study_id: int, participant_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_RANDOMISE)
    p = participant_get(
        actor=request.actor, study=s, participant_id=participant_id, perm=Perm.STUDY_RANDOMISE
    )
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm: a randomisation cannot be undone."))
        return redirect("evaluation:participant", s.pk, p.pk)
    try:
        p = services.participant_randomise(actor=request.actor, participant=p)
    except (ConsentRequired, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        assert p.arm is not None
        messages.success(
            request, _("%(code)s is randomised: allocated to %(arm)s.") % {"code": p.code, "arm": p.arm.name}
        )
    return redirect("evaluation:participant", s.pk, p.pk)


@require_POST
@page(Perm.STUDY_RANDOMISE)
def received(request: ActorRequest, study_id: int, participant_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_RANDOMISE)
    p = participant_get(
        actor=request.actor, study=s, participant_id=participant_id, perm=Perm.STUDY_RANDOMISE
    )
    form = ReceivedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the allocated programme was received."))
    else:
        try:
            services.participant_mark_received(
                actor=request.actor,
                participant=p,
                received=form.cleaned_data["received"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed:
            messages.error(request, _("Say why the allocated programme was not received."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recorded for %(code)s.") % {"code": p.code})
    return redirect("evaluation:participant", s.pk, p.pk)


@page(Perm.STUDY_RANDOMISE)
def withdraw(request: ActorRequest, study_id: int, participant_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_RANDOMISE)
    p = participant_get(
        actor=request.actor, study=s, participant_id=participant_id, perm=Perm.STUDY_RANDOMISE
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_withdraw(actor=request.actor, participant=p, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(code)s is withdrawn; their data stays as recorded.") % {"code": p.code}
            )
            return redirect("evaluation:participant", s.pk, p.pk)
    return render(request, "evaluation/withdraw.html", {"study": s, "p": p, "form": form, "nav": "studies"})
