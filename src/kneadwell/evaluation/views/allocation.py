"""The allocation list's page, for its holder only (Perm.ALLOCATION_VIEW): the seed, the method, whether
the stored list still reproduces from the seed, every line with the study number that used it; and the
forms that generate or upload it while the study is designed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.evaluation import services
from kneadwell.evaluation.forms import GenerateForm, UploadForm
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.models import Study
from kneadwell.evaluation.selectors.allocation import allocation_view
from kneadwell.evaluation.views.common import load


@page(Perm.ALLOCATION_VIEW)
def allocation(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.ALLOCATION_VIEW)
    view = allocation_view(actor=request.actor, study=s)
    strata: dict[str, list[object]] = {}
    for slot in view.slots:
        strata.setdefault(slot.stratum, []).append(slot)
    return render(
        request,
        "evaluation/allocation.html",
        {
            "study": s,
            "view": view,
            "strata": strata,
            "used": sum(1 for slot in view.slots if slot.participant_id),
            "algorithm": alloc.ALGORITHM,
            "editable": s.status == Study.Status.DRAFT,
            "generate_form": GenerateForm(),
            "upload_form": UploadForm(),
            "columns": ", ".join(["arm", *s.strata, "block (optional)"]),
            "nav": "studies",
        },
    )


def _report(request: ActorRequest, action: str, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        for messages_ in error.errors.values():
            for message in messages_[:10]:
                messages.error(request, message)
    else:
        messages.error(request, _("%(action)s: %(message)s") % {"action": action, "message": error.message})


@require_POST
@page(Perm.ALLOCATION_VIEW)
def allocation_generate(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.ALLOCATION_VIEW)
    form = GenerateForm(request.POST)
    seed = form.cleaned_data["seed"] if form.is_valid() else ""
    try:
        services.allocation_generate(actor=request.actor, study=s, seed=seed)
    except DomainError as exc:
        _report(request, _("Not generated"), exc)
    else:
        messages.success(request, _("The allocation list is generated. Keep the seed to yourself."))
    return redirect("evaluation:allocation", s.pk)


@require_POST
@page(Perm.ALLOCATION_VIEW)
def allocation_upload(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.ALLOCATION_VIEW)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the CSV file of the allocation table."))
        return redirect("evaluation:allocation", s.pk)
    upload = form.cleaned_data["table"]
    try:
        services.allocation_upload(actor=request.actor, study=s, table=upload.read(), filename=upload.name)
    except DomainError as exc:
        _report(request, _("Not uploaded"), exc)
    else:
        messages.success(request, _("The allocation table is uploaded."))
    return redirect("evaluation:allocation", s.pk)
