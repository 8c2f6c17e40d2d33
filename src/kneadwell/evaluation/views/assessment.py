"""The outcome assessor's pages: what is due, and the entry form for one time point. They show who the
child is and what to measure, nothing else: no arm, no plan, no session, no earlier value (the rows come
field by field from selectors/assessment.py). Designed for a phone at the cot side."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import ConsentRequired, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.evaluation import services
from kneadwell.evaluation.selectors.assessment import assessment_task, assessment_tasks
from kneadwell.outcomes import instruments
from kneadwell.outcomes.forms.measurement import MeasurementForm
from kneadwell.outcomes.services import UnusualValue


@page(Perm.OUTCOME_ASSESS)
def assess(request: ActorRequest) -> HttpResponse:
    tasks = assessment_tasks(actor=request.actor)
    return render(
        request,
        "evaluation/assess.html",
        {
            "due": [t for t in tasks if t.status == "due"],
            "upcoming": [t for t in tasks if t.status == "upcoming"][:30],
            "nav": "assess",
        },
    )


@page(Perm.OUTCOME_ASSESS)
def assess_entry(request: ActorRequest, participant_id: int, instrument_id: str) -> HttpResponse:
    """One time point: `?day=N`, or without it the earliest one due now for this instrument."""
    day_text = request.GET.get("day", "")
    participant, task = assessment_task(
        actor=request.actor,
        participant_id=participant_id,
        instrument_id=instrument_id,
        day=int(day_text) if day_text.isdigit() and len(day_text) < 5 else None,
    )
    day = task.day
    instrument = instruments.get_instrument(instrument_id)
    form = MeasurementForm(request.POST or None, instrument=instrument, client=participant.client)
    del form.fields["context"]  # a study time point says when: baseline (day 0) or follow-up
    needs_confirm = False
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_enter(
                actor=request.actor,
                participant=participant,
                instrument_id=instrument_id,
                day=day,
                answers=form.answers(),
                taken_at=form.taken(),
                confirm_unusual=form.cleaned_data["confirm_unusual"],
                notes=form.cleaned_data["notes"],
            )
        except UnusualValue as exc:
            needs_confirm = True
            form.apply(exc)
        except ValidationFailed as exc:
            form.apply(exc)
        except (ConsentRequired, DomainError) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Day %(day)s %(instrument)s saved for %(participant_code)s.")
                % {
                    "day": day,
                    "instrument": instrument.name.lower(),
                    "participant_code": task.participant_code,
                },
            )
            return redirect("evaluation:assess")
    return render(
        request,
        "evaluation/assess_entry.html",
        {
            "task": task,
            "instrument": instrument,
            "form": form,
            "needs_confirm": needs_confirm or bool(form.data.get("confirm_unusual")),
            "nav": "assess",
        },
    )
