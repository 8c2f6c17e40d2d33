"""A study's pages: the list, a new study, the study itself (design, recruitment, participants), adding
arms and outcomes while it is designed, opening and closing it."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.evaluation import services
from kneadwell.evaluation.forms import ArmForm, OutcomeForm, StudyForm
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.methods.eligibility import describe
from kneadwell.evaluation.methods.outcomes import MEASURES
from kneadwell.evaluation.models import Participant, Study
from kneadwell.evaluation.selectors.results import study_data
from kneadwell.evaluation.selectors.studies import study_list
from kneadwell.evaluation.views.common import load, rows
from kneadwell.library.selectors import library
from kneadwell.outcomes import instruments


@page(Perm.STUDY_VIEW)
def index(request: ActorRequest) -> HttpResponse:
    studies = list(study_list(actor=request.actor))
    return render(request, "evaluation/index.html", {"studies": studies, "nav": "studies"})


@page(Perm.STUDY_MANAGE)
def study_create(request: ActorRequest) -> HttpResponse:
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.study_create(
                actor=request.actor,
                code=data["code"],
                title=data["title"],
                question=data["question"],
                population=data["population"],
                eligibility=data["eligibility"],
                screener_checks=data["screener_checks"].splitlines(),
                target_size=data["target_size"],
                registration=data["registration"],
                strata=data["strata"],
                sites=data["sites"].splitlines(),
                gestation_cuts=data["gestation_cuts"],
                block_sizes=data["block_sizes"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Study %(study_code)s created. Add its arms and outcomes next.")
                % {"study_code": study.code},
            )
            return redirect("evaluation:study", study.pk)
    return render(request, "evaluation/study_form.html", {"form": form, "nav": "studies"})


@page(Perm.STUDY_VIEW)
def study(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id)
    data = study_data(s)
    by_status = Counter(p.status for p in data.participants)
    by_arm = Counter(p.arm_id for p in data.randomised)
    actor = request.actor
    context = {
        "study": s,
        "data": data,
        "rows": rows(request, data.participants),
        "randomised": len(data.randomised),
        "by_status": {label: by_status.get(value, 0) for value, label in Participant.Status.choices},
        "arms": [(a, by_arm.get(a.pk, 0)) for a in data.arms],
        "outcomes": [(o, _(MEASURES[o.measure]), _instrument_name(o.instrument_id)) for o in data.outcomes],
        "criteria": [describe(c) for c in s.eligibility],
        "protocols": {p.id: p.name for p in library().protocols.values()},
        "strata": [_(alloc.FACTOR_LABELS[f]) for f in s.strata],
        "can_manage": actor.can(Perm.STUDY_MANAGE) and s.status == Study.Status.DRAFT,
        "can_close": actor.can(Perm.STUDY_MANAGE) and s.status == Study.Status.RECRUITING,
        "can_screen": actor.can(Perm.STUDY_RANDOMISE) and s.status == Study.Status.RECRUITING,
        "can_allocation": actor.can(Perm.ALLOCATION_VIEW),
        "can_export": actor.can(Perm.STUDY_MANAGE),
        "nav": "studies",
    }
    return render(request, "evaluation/study.html", context)


def _instrument_name(instrument_id: str) -> str:
    try:
        return instruments.get_instrument(instrument_id).name
    except instruments.InstrumentValidationError:
        return instrument_id


@page(Perm.STUDY_MANAGE)
def arm_add(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_MANAGE)
    protocols = sorted(((p.id, p.name) for p in library().protocols.values()), key=lambda p: p[1])
    form = ArmForm(request.POST or None, protocols=protocols)
    if request.method == "POST" and form.is_valid():
        try:
            services.arm_add(actor=request.actor, study=s, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Arm %(name)s added.") % {"name": form.cleaned_data["name"]})
            return redirect("evaluation:study", s.pk)
    return render(
        request,
        "evaluation/part_form.html",
        {"study": s, "form": form, "heading": _("Add an arm"), "nav": "studies"},
    )


@page(Perm.STUDY_MANAGE)
def outcome_add(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_MANAGE)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_add(actor=request.actor, study=s, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Outcome %(name)s added.") % {"name": form.cleaned_data["name"]})
            return redirect("evaluation:study", s.pk)
    return render(
        request,
        "evaluation/part_form.html",
        {"study": s, "form": form, "heading": _("Add an outcome"), "nav": "studies"},
    )


@require_POST
@page(Perm.STUDY_MANAGE)
def study_open(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_MANAGE)
    try:
        services.study_open(actor=request.actor, study=s, expected_version=_version(request))
    except ValidationFailed as exc:
        for problem in exc.errors.get("status", [exc.message]):
            messages.error(request, problem)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Study %(code)s is open to recruitment.") % {"code": s.code})
    return redirect("evaluation:study", s.pk)


@require_POST
@page(Perm.STUDY_MANAGE)
def study_close(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_MANAGE)
    try:
        services.study_close(actor=request.actor, study=s, expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Study %(code)s is closed to recruitment; follow-up goes on.") % {"code": s.code}
        )
    return redirect("evaluation:study", s.pk)


def _version(request: ActorRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None
