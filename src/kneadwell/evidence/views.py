"""Evidence pages: claims with their certainty, studies, pooling the library's findings, and an
organisation's own meta-analyses with forest plots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import Conflict, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.evidence import selectors, services
from kneadwell.evidence.analysis_rows import LAYOUTS, layout_of, rows_to_csv
from kneadwell.evidence.forms import (
    COLUMN_LABELS,
    ENTRY_LABELS,
    ENTRY_MODES,
    CsvRowsForm,
    MetaAnalysisForm,
    row_formset,
)
from kneadwell.evidence.library import CATEGORIES, CONDITIONS, POPULATIONS, Claim
from kneadwell.evidence.models import MetaAnalysis
from kneadwell.library.display import display_claims

if TYPE_CHECKING:
    from kneadwell.evidence.meta.pooling import MetaResult

METHODS = ("REML", "DL", "PM")
# Caveat thresholds. Fewer than 10 studies: funnel-plot tests are not advised (Sterne et al. 2011, BMJ
# 343:d4002). Fewer than 5 studies and under 100 participants per study are our own flags for "few" and
# "small" (no published cut-off; the pages say so). I² of 50% is "moderate" in Higgins et al. 2003.
FEW_STUDIES_FOR_TAU2 = 5
FEW_STUDIES_FOR_FUNNEL = 10
SMALL_STUDY_PARTICIPANTS = 100
I2_FLAG = 50.0


# --- claims ------------------------------------------------------------------------------------------
def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@page(Perm.EVIDENCE_VIEW)
def index(request: ActorRequest) -> HttpResponse:
    lib = selectors.library()
    population = _choice(request.GET.get("population"), POPULATIONS)
    condition = _choice(request.GET.get("condition"), CONDITIONS)
    group = "population" if request.GET.get("group") == "population" else "category"
    # In plain words in the page's language (the clinical content's translations: library/display.py).
    claims = display_claims(
        lib.claims_for(population, condition, include_unsupported=False), request.actor.organisation
    )
    unsupported = display_claims(
        [c for c in lib.claims_for(population, condition) if c.evidence == "no_evidence_found"],
        request.actor.organisation,
    )
    if group == "category":
        groups: list[tuple[str, str, list[tuple[str, list[Claim]]]]] = [
            (
                cat or "other",
                _(selectors.CATEGORY_WORDS[cat]) if cat else _("Other claims"),
                [("", [c for c in claims if c.category == cat])],
            )
            for cat in (*CATEGORIES, None)
        ]
    else:
        groups = []
        for pop in POPULATIONS:
            in_pop = [c for c in claims if pop in c.populations]
            subgroups = [(_("In general"), [c for c in in_pop if not c.conditions])]
            subgroups += [
                (_(selectors.CONDITION_WORDS[cond]).capitalize(), [c for c in in_pop if cond in c.conditions])
                for cond in CONDITIONS
            ]
            label = _(selectors.POPULATION_WORDS[pop])
            groups.append((pop, label[:1].upper() + label[1:], [(n, cs) for n, cs in subgroups if cs]))
    groups = [(key, label, subs) for key, label, subs in groups if any(cs for _name, cs in subs)]
    return render(
        request,
        "evidence/index.html",
        {
            "lib": lib,
            "groups": groups,
            "group": group,
            "count": len(claims),
            "unsupported": unsupported,
            "excluded": lib.excluded,
            "population": population or "",
            "condition": condition or "",
            "populations": [(p, _(selectors.POPULATION_WORDS[p])) for p in POPULATIONS],
            "conditions": sorted(
                ((c, _(selectors.CONDITION_WORDS[c])) for c in CONDITIONS), key=lambda x: x[1].lower()
            ),
            "filtered": bool(population or condition),
            "certainties": [(k, _(v)) for k, v in selectors.CERTAINTY_MEANING.items()][::-1],
            "parent_view": request.actor.is_caregiver,
        },
    )


@page(Perm.EVIDENCE_VIEW)
def claim(request: ActorRequest, claim_id: str) -> HttpResponse:
    lib = selectors.library()
    item = lib.claims.get(claim_id)
    if item is None:
        raise Http404(_("No such claim in the evidence library."))
    ceilings = [
        c
        for pop in item.populations
        for code in item.outcome_codes
        if (c := lib.ceiling_for(pop, code)) is not None
    ]
    poolable = {s.code for s in selectors.outcome_statuses() if s.poolable}
    return render(
        request,
        "evidence/claim.html",
        {
            "lib": lib,
            "c": display_claims([item], request.actor.organisation)[0],
            "findings": lib.findings_for_claim(item.id),
            "studies": lib.studies_for_claim(item.id),
            "ceilings": ceilings,
            "outcomes": [(code, code in poolable) for code in item.outcome_codes],
            "parent_view": request.actor.is_caregiver,
        },
    )


@page(Perm.EVIDENCE_VIEW)
def study(request: ActorRequest, study_id: str) -> HttpResponse:
    lib = selectors.library()
    item = lib.studies.get(study_id)
    if item is None:
        raise Http404(_("No such study in the evidence library."))
    claims = [c for c in lib.claims.values() if item in lib.studies_for_claim(c.id)]
    return render(
        request,
        "evidence/study.html",
        {"lib": lib, "s": item, "findings": lib.findings_for_study(item.id), "claims": claims},
    )


# --- pooling -----------------------------------------------------------------------------------------
def _forest(result: MetaResult, title: str) -> SafeString:
    # matplotlib is imported here, not at the top, so that loading the URL conf does not (issue 11).
    from matplotlib import rc_context

    from kneadwell.evidence.meta.forest import render_forest_svg

    # Study labels are typed by people: mathtext parsing would treat "$" as maths (and fail on one $).
    with rc_context({"text.parse_math": False}):
        svg = render_forest_svg(result, title=title)
    return mark_safe(svg)  # noqa: S308 - our renderer; matplotlib escapes text, the title/desc are escaped


def _description(result: MetaResult) -> str:
    from kneadwell.evidence.meta.forest import describe  # forest.py imports matplotlib

    return describe(result)


@dataclass(frozen=True)
class Caveat:
    title: str
    text: str


def _pooled_caveats(result: MetaResult) -> list[Caveat]:
    out = []
    if result.k < FEW_STUDIES_FOR_TAU2:
        out.append(
            Caveat(
                _("Few studies"),
                ngettext(
                    "Only %(k)s study: the between-study variance (τ²) is estimated very imprecisely, and "
                    "the usual (Wald-type) confidence interval shown here may be too narrow. Cochrane's "
                    "Statistical Methods Group warns about this in small meta-analyses and recommends the "
                    "Hartung-Knapp-Sidik-Jonkman interval, which Kneadwell does not offer yet (Cochrane "
                    "Methods, “Random-effects meta-analysis methods in intervention reviews”, 2022).",
                    "Only %(k)s studies: the between-study variance (τ²) is estimated very imprecisely, and "
                    "the usual (Wald-type) confidence interval shown here may be too narrow. Cochrane's "
                    "Statistical Methods Group warns about this in small meta-analyses and recommends the "
                    "Hartung-Knapp-Sidik-Jonkman interval, which Kneadwell does not offer yet (Cochrane "
                    "Methods, “Random-effects meta-analysis methods in intervention reviews”, 2022).",
                    result.k,
                )
                % {"k": result.k},
            )
        )
    if result.k < FEW_STUDIES_FOR_FUNNEL:
        out.append(
            Caveat(
                _("Publication bias cannot be checked"),
                _(
                    "Small studies with good news are published more often. With fewer than 10 studies a "
                    "funnel plot cannot show whether that happened here (Sterne et al. 2011, BMJ "
                    "343:d4002)."
                ),
            )
        )
    if result.pooled.i2 is not None and result.pooled.i2 >= I2_FLAG:
        out.append(
            Caveat(
                _("The studies disagree"),
                _(
                    "I² is %(i2).0f%%: much of the spread between the studies is more than chance (50%% is "
                    "“moderate” and 75%% “high” in the rough guide of Higgins et al. 2003, BMJ 327:557). A "
                    "single pooled number hides that; look at the studies one by one."
                )
                % {"i2": result.pooled.i2},
            )
        )
    for note in result.effects.notes:
        out.append(Caveat(_("Zero cells"), note[:1].upper() + note[1:] + "."))
    return out


def _study_rows(result: MetaResult) -> list[dict[str, Any]]:
    return [
        {"label": label, "estimate": est, "ci_low": lo, "ci_high": hi, "weight": wt}
        for label, est, lo, hi, wt in result.study_intervals()
    ]


def _method(request: ActorRequest, default: str = "REML") -> str:
    value = str(request.GET.get("method", "")).upper()
    return value if value in METHODS else default


@page(Perm.EVIDENCE_VIEW)
def pool(request: ActorRequest) -> HttpResponse:
    lib = selectors.library()
    statuses = selectors.outcome_statuses()
    by_code = {s.code: s for s in statuses}
    chosen = by_code.get(str(request.GET.get("outcome", "")))
    method = _method(request)
    context: dict[str, Any] = {
        "lib": lib,
        "statuses": statuses,
        "any_poolable": any(s.poolable for s in statuses),
        "chosen": chosen,
        "method": method,
        "methods": METHODS,
        "analyses": selectors.meta_analysis_queryset(actor=request.actor)[:100],
        "can_edit": request.actor.can(Perm.EVIDENCE_EDIT),
    }
    if chosen is not None:
        context["related"] = selectors.related_claims(chosen.code)
        context["used_studies"] = [(f, lib.studies[f.study]) for f in chosen.used]
    if chosen is not None and chosen.poolable:
        try:
            _outcome, result = selectors.outcome_pool_result(outcome_code=chosen.code, method=method)
        except ValidationFailed as exc:
            context["error"] = exc.message
        else:
            title = f"{chosen.label}: {result.measure}, {method}"
            context.update(
                {
                    "result": result,
                    "forest": _forest(result, title),
                    "description": _description(result),
                    "rows": _study_rows(result),
                    "caveats": _pooled_caveats(result),
                }
            )
    return render(request, "evidence/pool.html", context)


def _analysis_caveats(analysis: MetaAnalysis, result: MetaResult) -> list[Caveat]:
    out = [
        Caveat(
            _("Entered by your organisation"),
            _(
                "These rows were typed or pasted by a member of your organisation; Kneadwell has not checked "
                "them against the studies, and no risk-of-bias judgement is recorded for them."
            ),
        )
    ]
    layout = layout_of(analysis.rows)
    if layout in ("binary", "continuous"):
        sizes = [int(r["n_treatment"]) + int(r["n_control"]) for r in analysis.rows]
        small = [n for n in sizes if n < SMALL_STUDY_PARTICIPANTS]
        if small:
            out.append(
                Caveat(
                    _("Small studies"),
                    _(
                        "%(count)s of %(count2)s studies have fewer than 100 participants (smallest: "
                        "%(sizes)s). Small trials tend to report larger effects than large ones (Sterne et "
                        "al. 2011, BMJ 343:d4002)."
                    )
                    % {"count": len(small), "count2": len(sizes), "sizes": min(sizes)},
                )
            )
    return out + _pooled_caveats(result)


# --- an organisation's own analyses ------------------------------------------------------------------
@page(Perm.EVIDENCE_VIEW)
def analysis(request: ActorRequest, analysis_id: int) -> HttpResponse:
    item = selectors.meta_analysis_get(actor=request.actor, analysis_id=analysis_id)
    method = _method(request, default=item.method)
    context: dict[str, Any] = {
        "a": item,
        "method": method,
        "methods": METHODS,
        "can_edit": request.actor.can(Perm.EVIDENCE_EDIT),
        "related": selectors.related_claims(item.outcome_code) if item.outcome_code else [],
        "csv": rows_to_csv(item.rows),
    }
    try:
        result = selectors.meta_analysis_result(analysis=item, method=method)
    except ValidationFailed as exc:
        context["error"] = exc.message
    else:
        context.update(
            {
                "result": result,
                "forest": _forest(result, f"{item.title}: {result.measure}, {method}"),
                "description": _description(result),
                "rows": _study_rows(result),
                "caveats": _analysis_caveats(item, result),
                "total_n": _total_n(item),
            }
        )
    return render(request, "evidence/analysis.html", context)


def _total_n(item: MetaAnalysis) -> int | None:
    if layout_of(item.rows) == "generic":
        return None
    return sum(int(r["n_treatment"]) + int(r["n_control"]) for r in item.rows)


def _entry(request: ActorRequest) -> str:
    value = str(request.POST.get("switch") or request.POST.get("entry") or request.GET.get("entry") or "csv")
    return value if value in ENTRY_MODES else "csv"


def _blank_rows(count: int) -> list[dict[str, Any]]:
    return [{} for _row in range(count)]


def _analysis_form(request: ActorRequest, item: MetaAnalysis | None) -> HttpResponse:
    entry = _entry(request)
    layout = entry if entry in LAYOUTS else None
    posted = request.method == "POST"
    # Switching between CSV and typed rows, or asking for more rows, re-shows the form with what was
    # typed, without checking it; only "Save" validates and saves.
    switching = posted and request.POST.get("switch") in ENTRY_MODES
    more = posted and not switching and "more" in request.POST and layout is not None
    saving = posted and not switching and not more
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            k: getattr(item, k) for k in ("title", "outcome", "outcome_code", "measure", "method", "notes")
        }
        initial["version"] = item.version
    stored_rows = item.rows if item is not None and layout and layout_of(item.rows) == layout else []
    csv_initial: dict[str, Any] = {"csv_text": rows_to_csv(item.rows)} if item is not None else {}
    if posted and not saving:
        typed = {k: v for k, v in request.POST.items() if k in MetaAnalysisForm.base_fields}
        form = MetaAnalysisForm(initial={**initial, **typed})
        if "csv_text" in request.POST:
            csv_initial = {"csv_text": request.POST["csv_text"]}
        csv_form = CsvRowsForm(initial=csv_initial)
    else:
        form = MetaAnalysisForm(request.POST if saving else None, initial=initial)
        csv_form = CsvRowsForm(
            request.POST if saving else None, request.FILES if saving else None, initial=csv_initial
        )
    rows_formset = None
    if layout:
        rows_formset = row_formset(layout, initial=[*stored_rows, *_blank_rows(max(5 - len(stored_rows), 2))])
        if (saving or more) and "row-TOTAL_FORMS" in request.POST:
            rows_formset = row_formset(layout, data=request.POST)
        if more and rows_formset.is_valid():
            typed_rows = [f.cleaned_data for f in rows_formset.forms]
            rows_formset = row_formset(layout, initial=[*typed_rows, *_blank_rows(5)])
    if saving and form.is_valid():
        rows_ok = rows_formset.is_valid() if rows_formset is not None else csv_form.is_valid()
        if rows_ok:
            saved = _save(request, form, csv_form, rows_formset, item, layout)
            if saved is not None:
                messages.success(request, _("Saved “%(saved_title)s”.") % {"saved_title": saved.title})
                return redirect("evidence:analysis", analysis_id=saved.pk)
    return render(
        request,
        "evidence/analysis_form.html",
        {
            "a": item,
            "form": form,
            "csv_form": csv_form,
            "rows": rows_formset,
            "entry": entry,
            "entries": [(mode, ENTRY_LABELS[mode]) for mode in ENTRY_MODES],
            "columns": [
                ("study", COLUMN_LABELS["study"]),
                *((c, COLUMN_LABELS[c]) for c in LAYOUTS.get(entry, ())),
            ],
        },
    )


def _save(
    request: ActorRequest,
    form: MetaAnalysisForm,
    csv_form: CsvRowsForm,
    rows_formset: Any,
    item: MetaAnalysis | None,
    layout: str | None,
) -> MetaAnalysis | None:
    data = form.cleaned_data
    details = {k: data[k] for k in ("title", "outcome", "outcome_code", "measure", "method", "notes")}
    rows_input: dict[str, Any] = {}
    uploaded = False
    if rows_formset is not None:
        rows_input = {"rows": [f.cleaned_data for f in rows_formset.forms], "layout": layout}
    else:
        uploaded = bool(csv_form.cleaned_data.get("csv_file"))
        text = csv_form.table_text()
        if csv_form.errors:
            return None
        rows_input = {"csv_text": text}
    try:
        if item is None:
            return services.meta_analysis_create(actor=request.actor, **details, **rows_input)
        return services.meta_analysis_update(
            actor=request.actor,
            analysis_id=item.pk,
            expected_version=data.get("version"),
            **details,
            **rows_input,
        )
    except ValidationFailed as exc:
        errors = dict(exc.errors)
        if "csv_text" in errors:
            csv_form.add_error("csv_file" if uploaded else "csv_text", errors.pop("csv_text"))
        if errors:
            apply_errors(form, ValidationFailed(errors))
    except Conflict as exc:
        form.add_error(None, exc.message)
    return None


@page(Perm.EVIDENCE_EDIT)
def analysis_create(request: ActorRequest) -> HttpResponse:
    return _analysis_form(request, None)


@page(Perm.EVIDENCE_EDIT)
def analysis_edit(request: ActorRequest, analysis_id: int) -> HttpResponse:
    return _analysis_form(request, selectors.meta_analysis_get(actor=request.actor, analysis_id=analysis_id))


@page(Perm.EVIDENCE_EDIT)
def analysis_delete(request: ActorRequest, analysis_id: int) -> HttpResponse:
    item = selectors.meta_analysis_get(actor=request.actor, analysis_id=analysis_id)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version") or 0) or None
        except ValueError:
            version = None
        if version is None:
            messages.error(request, _("The page was out of date; check the analysis and delete it again."))
            return redirect("evidence:analysis_delete", analysis_id=item.pk)
        try:
            services.meta_analysis_delete(actor=request.actor, analysis_id=item.pk, expected_version=version)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("evidence:analysis", analysis_id=item.pk)
        messages.success(
            request,
            _("Deleted “%(title)s”. The audit log keeps its rows if you need them back.")
            % {"title": item.title},
        )
        return redirect("evidence:pool")
    return render(request, "evidence/analysis_delete.html", {"a": item})
