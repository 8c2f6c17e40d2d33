"""Pages of an organisation's own outcome measures (docs/custom-measures.md): the list, the builder (new
and edit), the measure's page with a preview of its entry form and its versions, publish and retire.

Any member may read the definitions (`Perm.LIBRARY_VIEW`); only the clinical lead (the administrator)
defines them (`Perm.MEASURE_DEFINE`). Another organisation's measure is a 404. A measure's address
names it by its slug (`measure_id` in the URL patterns)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.outcomes import selectors, services
from kneadwell.outcomes.forms.measure_builder import MeasureBuilderForm
from kneadwell.outcomes.forms.measurement import MeasurementForm
from kneadwell.outcomes.instruments.organisation import measure_instrument_id
from kneadwell.outcomes.models import OrganisationMeasure


@page(Perm.LIBRARY_VIEW)
def measure_list(request: ActorRequest) -> HttpResponse:
    return render(
        request,
        "outcomes/measures/list.html",
        {
            "measures": selectors.organisation_measure_list(actor=request.actor),
            "can_define": request.actor.can(Perm.MEASURE_DEFINE),
        },
    )


def _builder(
    request: ActorRequest, form: MeasureBuilderForm, measure: OrganisationMeasure | None
) -> HttpResponse:
    return render(
        request,
        "outcomes/measures/builder.html",
        {"form": form, "measure": measure, "rows": form.rows()},
    )


@page(Perm.MEASURE_DEFINE)
def measure_new(request: ActorRequest) -> HttpResponse:
    choices = services.protocol_measures()
    wanted = request.GET.get("records", "")
    start = {"protocol_measure": wanted} if wanted in choices else None
    form = MeasureBuilderForm(request.POST or None, definition=start, protocol_measures=choices)
    if request.method == "POST" and "add_item" not in request.POST and form.is_valid():
        definition = form.definition()
        if form.is_valid():  # the answer and band lines parsed
            try:
                measure = services.organisation_measure_create(actor=request.actor, definition=definition)
            except ValidationFailed as exc:
                form.apply(exc)
            else:
                messages.success(
                    request, _("Saved as a draft. Check the preview, then publish it to record with it.")
                )
                return redirect("outcomes:measure", measure_id=measure.slug)
    return _builder(request, form, None)


@page(Perm.MEASURE_DEFINE)
def measure_edit(request: ActorRequest, measure_id: str) -> HttpResponse:
    measure = selectors.organisation_measure_get(actor=request.actor, slug=measure_id)
    versions = selectors.measure_versions(measure=measure)
    if measure.retired_at is not None:
        messages.error(request, _("This measure is retired: it can be read but no longer changed."))
        return redirect("outcomes:measure", measure_id=measure.slug)
    form = MeasureBuilderForm(
        request.POST or None,
        definition=selectors.definition_for_form(versions[0] if versions else None),
        protocol_measures=services.protocol_measures(),
        version=measure.version,
    )
    if request.method == "POST" and "add_item" not in request.POST and form.is_valid():
        definition = form.definition()
        if form.is_valid():
            try:
                draft = services.organisation_measure_revise(
                    actor=request.actor,
                    measure=measure,
                    definition=definition,
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationFailed as exc:
                form.apply(exc)
            except (Conflict, DomainError) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Saved as draft version %(number)s. Check the preview, then publish it.")
                    % {"number": draft.number},
                )
                return redirect("outcomes:measure", measure_id=measure.slug)
    return _builder(request, form, measure)


@page(Perm.LIBRARY_VIEW)
def measure_detail(request: ActorRequest, measure_id: str) -> HttpResponse:
    measure = selectors.organisation_measure_get(actor=request.actor, slug=measure_id)
    versions = selectors.measure_versions(measure=measure)
    chosen = versions[0] if versions else None
    asked = request.GET.get("version", "")
    if asked.isdigit():
        chosen = selectors.measure_version_get(measure=measure, number=int(asked))
    instrument = selectors.version_instrument(chosen) if chosen is not None else None
    preview: Any = None
    if instrument is not None:
        # The entry form a therapist will see, built the way the recording page builds it (no client:
        # these items fill nothing in from one).
        preview = MeasurementForm(instrument=instrument, client=cast(Any, None), auto_id="preview_%s")
        for field in preview.fields.values():
            field.disabled = True
    draft = versions[0] if versions and versions[0].published_at is None else None
    definition: dict[str, Any] = chosen.definition if chosen is not None else {}
    return render(
        request,
        "outcomes/measures/detail.html",
        {
            "measure": measure,
            "versions": versions,
            "shown": chosen,
            "instrument": instrument,
            "definition": definition,
            "preview": preview,
            "draft": draft,
            "can_define": request.actor.can(Perm.MEASURE_DEFINE) and measure.retired_at is None,
            "reversed_labels": [it["label"] for it in definition.get("items", ()) if it.get("reversed")],
            "linked": services.protocol_measures().get(str(definition.get("protocol_measure") or ""), ""),
            "instrument_id": measure_instrument_id(measure.organisation_id, measure.slug),
        },
    )


def _version(request: ActorRequest) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


@page(Perm.MEASURE_DEFINE)
def measure_publish(request: ActorRequest, measure_id: str) -> HttpResponse:
    measure = selectors.organisation_measure_get(actor=request.actor, slug=measure_id)
    if request.method != "POST":
        return redirect("outcomes:measure", measure_id=measure.slug)
    try:
        version = services.organisation_measure_publish(
            actor=request.actor, measure=measure, expected_version=_version(request)
        )
    except (Conflict, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(number)s published: new entries are scored with it; earlier ones keep theirs.")
            % {"number": version.number},
        )
    return redirect("outcomes:measure", measure_id=measure.slug)


@page(Perm.MEASURE_DEFINE)
def measure_retire(request: ActorRequest, measure_id: str) -> HttpResponse:
    measure = selectors.organisation_measure_get(actor=request.actor, slug=measure_id)
    if request.method != "POST":
        return redirect("outcomes:measure", measure_id=measure.slug)
    try:
        services.organisation_measure_retire(
            actor=request.actor, measure=measure, expected_version=_version(request)
        )
    except (Conflict, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Retired: no longer offered for new entries. Everything recorded stays."))
    return redirect(reverse("outcomes:measure", kwargs={"measure_id": measure.slug}))
