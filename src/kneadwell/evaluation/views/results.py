"""Follow-up and missing data, the CONSORT diagram (page and SVG), the analysis, and the dataset files."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.core.web import ActorRequest, page
from kneadwell.evaluation import services
from kneadwell.evaluation.methods import consort
from kneadwell.evaluation.methods import dataset as dataset_files
from kneadwell.evaluation.methods.outcomes import MEASURES, STATUS_WORDS
from kneadwell.evaluation.selectors.results import (
    POPULATIONS,
    analyse,
    consort_flow,
    dataset,
    missing_report,
    study_data,
)
from kneadwell.evaluation.selectors.results import followup as followup_rows
from kneadwell.evaluation.views.common import load, rows
from kneadwell.outcomes import instruments


def _population(request: ActorRequest) -> str:
    value = request.GET.get("population", "itt")
    return value if value in POPULATIONS else "itt"


@page(Perm.STUDY_VIEW)
def followup(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id)
    data = study_data(s)
    due = followup_rows(data)
    names = {r.participant.pk: r.name for r in rows(request, data.participants)}
    table = [
        (
            d,
            names.get(d.participant.pk, ""),
            _(STATUS_WORDS[d.status]),
            instruments.get_instrument(d.point.instrument_id).name,
        )
        for d in due
    ]
    counts: dict[str, int] = {}
    for d in due:
        counts[d.status] = counts.get(d.status, 0) + 1
    return render(
        request,
        "evaluation/followup.html",
        {
            "study": s,
            "table": [t for t in table if t[0].status in ("due", "missed")],
            "all_rows": table,
            "counts": [(_(STATUS_WORDS[k]), counts.get(k, 0)) for k in STATUS_WORDS],
            "missing": missing_report(data),
            "withdrawn": [p for p in data.randomised if p.is_withdrawn],
            "nav": "studies",
        },
    )


@page(Perm.STUDY_VIEW)
def consort_page(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id)
    population = _population(request)
    flow = consort_flow(study_data(s), population=population)
    svg = consort.svg(flow, title=f"{s.code}: {s.title}")
    return render(
        request,
        "evaluation/consort.html",
        {
            "study": s,
            "flow": flow,
            "svg": mark_safe(svg),  # noqa: S308 - built by us, every text escaped
            "population": population,
            "populations": {key: _(label) for key, label in POPULATIONS.items()},
            "nav": "studies",
        },
    )


@page(Perm.STUDY_VIEW)
def consort_svg(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id)
    flow = consort_flow(study_data(s), population=_population(request))
    response = HttpResponse(consort.svg(flow, title=f"{s.code}: {s.title}"), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{s.code}-consort.svg"'
    return response


@page(Perm.STUDY_VIEW)
def analysis(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id)
    population = _population(request)
    data = study_data(s)
    results = analyse(data, population=population)
    return render(
        request,
        "evaluation/analysis.html",
        {
            "study": s,
            "results": [(r, _(MEASURES[r.outcome.measure])) for r in results],
            "labels": {a.code: a.name for a in data.arms},
            "population": population,
            "populations": {key: _(label) for key, label in POPULATIONS.items()},
            "stratified": bool(s.strata),
            "can_export": request.actor.can(Perm.STUDY_MANAGE),
            "nav": "studies",
        },
    )


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page(Perm.STUDY_MANAGE)
def dataset_csv(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_MANAGE)
    population = _population(request)
    files = services.dataset_export(actor=request.actor, study=s, population=population)
    return _csv(files.data, f"{s.code}-{population}-dataset.csv")


@page(Perm.STUDY_MANAGE)
def dictionary_csv(request: ActorRequest, study_id: int) -> HttpResponse:
    s = load(request, study_id, Perm.STUDY_MANAGE)
    columns, _rows = dataset(study_data(s))  # the variables only: no participant's data leaves here
    return _csv(dataset_files.dictionary_csv(columns), f"{s.code}-dictionary.csv")
