"""Measurement pages (phone first): the client-page section, the list, instrument entry forms with the
confirm-unusual step, quick daily weights, the growth page, instrument trends, entered-in-error, CSV import.

Charts are drawn in the browser (static/js/charts.js with uPlot) from JSON that the chart-data views
answer; no page request draws anything, and without JavaScript the page shows the table and the chart's
text alternative (docs/performance.md, "Charts")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import Conflict, ConsentRequired, DomainError, ValidationFailed
from kneadwell.core.marking import local_decimals
from kneadwell.core.tablerows import date_j_m_h_i, date_j_m_y, date_j_m_y_h_i, url_maker
from kneadwell.core.web import ActorRequest, page
from kneadwell.outcomes import growth_words, instruments, selectors, services
from kneadwell.outcomes.forms.growth import GrowthOptionsForm
from kneadwell.outcomes.forms.imports import ImportForm
from kneadwell.outcomes.forms.in_error import MarkInErrorForm
from kneadwell.outcomes.forms.measurement import MeasurementForm
from kneadwell.outcomes.forms.weights import WeightsWeekForm
from kneadwell.outcomes.growth.ages import ages  # the module's function (see selectors/growth.py)
from kneadwell.outcomes.instrument_display import shown_band, shown_instrument, shown_name, shown_value
from kneadwell.outcomes.instruments import Instrument, InstrumentValidationError, Kind, gas
from kneadwell.outcomes.instruments.context import context_inputs
from kneadwell.outcomes.measures import VELOCITY_METHOD_INFO
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.selectors.growth import GrowthPoint
from kneadwell.outcomes.selectors.trends import TrendRow, TrendWords
from kneadwell.outcomes.services import UnusualValue
from kneadwell.outcomes.templatetags.outcomes_tags import centile, figures, sds

PAGE_SIZE = 25
# Tables under a chart show the latest rows first; "show all" lists every value (a long table is slow to
# draw on a phone, and the chart already shows the whole course).
TABLE_ROWS = 60


def _age_fit(inst: Instrument, client: Client) -> str:
    """Words when the client's age is outside the instrument's intended ages ("" when inside)."""
    if not inst.age_range.includes((timezone.localdate() - client.birth_date).days):
        return f"Meant for: {inst.population}"
    return ""


def _sources(inst: Instrument) -> list[instruments.Source]:
    return selectors.instrument_sources(inst)


def _can_mark(request: ActorRequest, m: Measurement) -> bool:
    actor = request.actor
    return actor.can(Perm.MEASUREMENT_RECORD) and (
        not actor.is_caregiver or m.recorded_by_id == actor.user.pk
    )


def _with(request: ActorRequest, **params: str) -> str:
    query = request.GET.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


def _after_save_url(client: Client, instrument_id: str) -> str:
    if instruments.get_instrument(instrument_id).growth is not None:
        return reverse("outcomes:growth", args=[client.pk]) + f"?measure={instrument_id}"
    return reverse("outcomes:trend", args=[client.pk, instrument_id])


# --- client page section --------------------------------------------------------------------------


def client_section(request: Any, client: Client) -> str:
    """The 'Measurements and growth' card on the client page (registered in core/hooks.py). A fixed number
    of queries whatever the amount of data."""
    recent = list(
        selectors.measurement_queryset(client=client).only(
            "id",
            "instrument_id",
            "taken_at",
            "value",
            "unit",
            "total",
            "details",
            "subscores",
            "confirmed_unusual",
        )[:5]
    )
    # the recent entries' instruments' names in the page's language (translated as content:
    # outcomes/instrument_display.py); an id no longer listed is shown as it is
    listed = {i.id: i for i in instruments.list_instruments()}
    names = {i: shown_instrument(listed[i]).name for i in {m.instrument_id for m in recent} if i in listed}
    # the latest growth values and the instruments recorded, in two queries (issue 11)
    latest, used = selectors.growth_and_recorded(client=client)
    shown = [(m, names.get(m.instrument_id, m.instrument_id), shown_value(m)) for m in recent]
    return render_to_string(
        "outcomes/_client_section.html",
        {
            "client": client,
            "latest": latest,
            "latest_items": _latest_items(latest),
            "recent": shown,
            "recent_items": _recent_items(client, shown),
            "trends": [shown_instrument(i) for i in used if i.growth is None],
        },
        request=request,
    )


# The section's two lists are written in Python, as the template's loops wrote them (the same bytes,
# tests/outcomes/test_fast_paths.py; issue 11): each value through the filter the loop gave it, escaped.


def _latest_items(latest: Sequence[selectors.LatestValue]) -> SafeString:
    esc = conditional_escape
    out = []
    for g in latest:
        centile_text = ""
        if g.corrected_centile is not None:
            centile_text = " · " + gettext("%(centile)s centile, corrected (UK-WHO)") % {
                "centile": esc(centile(g.corrected_centile))
            }
        out.append(
            f"<dt>{esc(g.label)}</dt>\n"
            f'    <dd><strong class="num"><bdi dir="ltr">{esc(g.display)}</bdi></strong> '
            f'<span class="small muted"><span class="num">{esc(date_filter(g.date, "j M"))}</span>'
            f"{centile_text}</span></dd>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _recent_items(client: Client, recent: Sequence[tuple[Measurement, str, str]]) -> SafeString:
    esc = conditional_escape
    unusual = f' <span class="badge caution">{esc(gettext("unusual, confirmed"))}</span>'
    out = []
    detail = url_maker("outcomes:detail", client.pk)
    for m, name, shown in recent:
        when = date_j_m_h_i(m.taken_at)  # `date` filter's "j M H:i", in the current time zone
        out.append(
            f'<li style="padding:.35rem 0"><a href="{detail(m.pk)}">{esc(name)}</a>: '
            f'<span class="num">{esc(figures(shown))}</span> <span class="muted">· {esc(when)}</span>'
            f"{unusual if m.confirmed_unusual else ''}</li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


# --- list, detail ---------------------------------------------------------------------------------


@page(Perm.CLIENT_VIEW)
def measurement_list(request: ActorRequest, client_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="viewed measurements")
    catalogue = {i.id: i for i in instruments.list_instruments()}
    wanted = request.GET.get("instrument", "")
    wanted = wanted if wanted in catalogue else ""
    qs = selectors.measurement_queryset(client=client, instrument_id=wanted or None, include_in_error=True)
    # What was entered and the warnings shown then (JSON) are on the measurement's own page, not the list.
    listed = qs.select_related("recorded_by").defer("answers", "warnings", "confirmed_warnings")
    page_obj = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            m,
            shown_name(m.instrument_id),
            shown_value(m),
            shown_band(m),
        )
        for m in page_obj.object_list
    ]
    return render(
        request,
        "outcomes/list.html",
        {
            "client": client,
            "page_obj": page_obj,
            "rows": rows,
            "wanted": wanted,
            "recorded": [shown_instrument(i) for i in selectors.instruments_recorded(client=client)],
        },
    )


def _answer_rows(inst: Instrument, m: Measurement) -> list[tuple[str, str]]:
    """What was entered, in words: item label and the meaning of the chosen answer."""
    out: list[tuple[str, str]] = []
    # Context inputs (the age at a sample, who rated, an activity's name) read with their own labels.
    contexts = {c.id: c for c in context_inputs(inst)}

    def context_row(key: str, value: object) -> tuple[str, str]:
        spec = contexts[key]
        unit = f" {spec.numeric.unit}" if spec.numeric is not None and spec.numeric.unit else ""
        return spec.label, f"{spec.label_for(value)}{unit}"

    if inst.kind is Kind.MEASUREMENT:
        unit = m.answers.get("unit") or inst.extra.get("canonical_unit", "")
        if m.answers.get("value") is not None:
            out.append((gettext("Entered"), f"{m.answers.get('value')} {unit}"))
        methods = {str(x["id"]): str(x["label"]) for x in inst.extra.get("methods", ())}
        if m.answers.get("method"):
            out.append((gettext("How"), methods.get(str(m.answers["method"]), str(m.answers["method"]))))
        out.extend(context_row(k, v) for k, v in m.answers.items() if k in contexts)
        return out
    known = {it.id: it for it in (*inst.items, *inst.raw_inputs)}
    for key, value in m.answers.items():
        if key in ("confirmed", "birth_date"):
            continue
        if key in contexts:
            out.append(context_row(key, value))
            continue
        item = known.get(key)
        if item is not None and item.options:
            try:
                shown = (
                    f"{value} — {item.label_for(int(value) if str(value).lstrip('-').isdigit() else value)}"
                )
            except KeyError:
                shown = str(value)
            out.append((item.label, shown))
        elif item is not None:
            unit = item.numeric.unit if item.numeric else ""
            out.append((item.label, f"{value} {unit}".strip()))
        elif key in m.subscores:
            out.append(
                (
                    str(m.subscores[key].get("label", key)),
                    str(value) + ("°" if inst.kind is Kind.RANGE_OF_MOTION else ""),
                )
            )
        elif key == "days":
            entries = sum(len(d.get("entries", [])) for d in value if isinstance(d, dict))
            days = ngettext("%(n)s day", "%(n)s days", len(value)) % {"n": len(value)}
            rows = ngettext("%(n)s entry", "%(n)s entries", entries) % {"n": entries}
            out.append((gettext("Diary"), f"{days}, {rows}"))
        else:
            out.append((key, str(value)))
    return out


@page(Perm.CLIENT_VIEW)
def measurement_detail(request: ActorRequest, client_id: int, measurement_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="viewed a measurement")
    m = selectors.measurement_get(client=client, measurement_id=measurement_id)
    try:
        # As it was when this entry was scored (an organisation's measure may have a newer version).
        inst: Instrument | None = selectors.instrument_as_scored(
            instruments.get_instrument(m.instrument_id), m.instrument_version
        )
    except InstrumentValidationError:
        inst = None
    # The instrument's words in the page's language (a text is translated only while it is the catalogue's
    # current English, so an older version's words show as they were).
    words = shown_instrument(inst) if inst else None
    return render(
        request,
        "outcomes/detail.html",
        {
            "client": client,
            "m": m,
            "instrument": words,
            "shown": shown_value(m),
            "band_label": shown_band(m),
            # what was entered, its decimals in the page's mark (the record keeps what was typed)
            "answers": [(label, local_decimals(v)) for label, v in _answer_rows(words, m)] if words else [],
            "subscores": [s for s in m.subscores.values() if s.get("answered")],
            "sources": _sources(inst) if inst else [],
            "can_mark": _can_mark(request, m) and not m.in_error,
            "band_sources": next((b.source_ids for b in inst.bands if b.id == m.band), ()) if inst else (),
            "current_version": instruments.get_instrument(m.instrument_id).version if inst else "",
        },
    )


# --- entry ----------------------------------------------------------------------------------------


@page(Perm.MEASUREMENT_RECORD)
def measurement_choose(request: ActorRequest, client_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="opened to record a measurement")
    # Grouped and ordered by each instrument's `listing` data (unlisted ones last, under "Other").
    groups = [
        (title, [(shown_instrument(inst), _age_fit(inst, client)) for inst in members])
        for title, members in instruments.listed_groups()
    ]
    return render(request, "outcomes/choose.html", {"client": client, "groups": groups})


@page(Perm.MEASUREMENT_RECORD)
def measurement_create(request: ActorRequest, client_id: int, instrument_id: str) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="opened to record a measurement")
    inst = selectors.instrument_or_404(instrument_id)
    # A plan's "record" link says which occasion the entry is for (baseline, end, ...).
    context = request.GET.get("context")
    initial = {"context": context} if context in Measurement.Context.values else {}
    # The form shows the instrument's words in the page's language; what it returns are ids and values,
    # and the service scores and stores them with the English catalogue (instrument_id).
    words = shown_instrument(inst)
    form = MeasurementForm(request.POST or None, instrument=words, client=client, initial=initial)
    needs_confirm = False
    if request.method == "POST" and form.is_valid():
        try:
            m = services.measurement_record(
                actor=request.actor,
                client=client,
                instrument_id=inst.id,
                answers=form.answers(),
                taken_at=form.taken(),
                context=form.cleaned_data["context"],
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
            # in the page's language: the instrument's name and value as the page shows them (the record
            # itself is the English catalogue's)
            text = gettext("%(name)s saved: %(value)s.") % {"name": words.name, "value": shown_value(m)}
            if m.confirmed_unusual:
                text += " " + gettext("It is flagged as unusual (you confirmed it).")
            messages.success(request, text)
            return redirect(_after_save_url(client, inst.id))
    return render(
        request,
        "outcomes/form.html",
        {
            "client": client,
            "instrument": words,
            "form": form,
            "needs_confirm": needs_confirm or bool(form.data.get("confirm_unusual")),
            "sources": _sources(inst),
            "age_fit": _age_fit(inst, client),
            "notes": inst.notes,
        },
    )


@page(Perm.MEASUREMENT_RECORD)
def weights_week(request: ActorRequest, client_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="opened to record daily weights")
    form = WeightsWeekForm(request.POST or None, client=client)
    needs_confirm = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.weights_record_series(
                actor=request.actor,
                client=client,
                weights=form.weights(),
                unit=form.cleaned_data["unit"],
                context=form.cleaned_data["context"],
                confirm_unusual=form.cleaned_data["confirm_unusual"],
            )
        except UnusualValue as exc:
            needs_confirm = True
            form.apply(exc)
        except ValidationFailed as exc:
            form.apply(exc)
        except (ConsentRequired, DomainError) as exc:
            form.add_error(None, exc.message)
        else:
            flagged = sum(1 for m in saved if m.confirmed_unusual)
            if flagged:
                text = ngettext(
                    "%(n)s weight saved (%(flagged)s flagged as unusual, as you confirmed).",
                    "%(n)s weights saved (%(flagged)s flagged as unusual, as you confirmed).",
                    len(saved),
                ) % {"n": len(saved), "flagged": flagged}
            else:
                text = ngettext("%(n)s weight saved.", "%(n)s weights saved.", len(saved)) % {"n": len(saved)}
            messages.success(request, text)
            return redirect(reverse("outcomes:growth", args=[client.pk]) + "?measure=weight")
    return render(
        request,
        "outcomes/weights_week.html",
        {
            "client": client,
            "form": form,
            "needs_confirm": needs_confirm or bool(form.data.get("confirm_unusual")),
        },
    )


@page(Perm.MEASUREMENT_RECORD)
def measurement_in_error(request: ActorRequest, client_id: int, measurement_id: int) -> HttpResponse:
    client = client_get(
        actor=request.actor, client_id=client_id, purpose="opened to mark a measurement in error"
    )
    m = selectors.measurement_get(client=client, measurement_id=measurement_id)
    form = MarkInErrorForm(request.POST or None, initial={"version": m.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_mark_in_error(
                actor=request.actor,
                measurement=m,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationFailed as exc:
            for name, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(name if name in form.fields else None, msg)
        except DomainError as exc:  # Conflict, PermissionDenied-like refusals, already marked
            if isinstance(exc, Conflict):
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("outcomes:detail", client_id=client.pk, measurement_id=m.pk)
        else:
            messages.success(
                request, gettext("Marked as entered in error. It stays in the record and leaves the charts.")
            )
            return redirect("outcomes:detail", client_id=client.pk, measurement_id=m.pk)
    return render(
        request,
        "outcomes/in_error.html",
        {
            "client": client,
            "m": m,
            "form": form,
            "shown": local_decimals(selectors.display_value(m)),
            "allowed": _can_mark(request, m),
        },
    )


# --- growth ---------------------------------------------------------------------------------------


# The choices as the page first shows them (nothing asked for: the defaults) are the same on every
# client's page in a language: each field's HTML rendered once per language and choices in this process
# (its labels and choices are fixed when the code loads), as growth.html reads them
# (`options.<field>.as_field_group`). Issue 11, docs/performance.md.
_BLANK_OPTIONS: dict[tuple[str | None, tuple[tuple[str, Any], ...]], dict[str, dict[str, str]]] = {}


def blank_growth_options(chosen: dict[str, Any]) -> dict[str, dict[str, str]]:
    key = (get_language(), tuple(sorted(chosen.items())))
    found = _BLANK_OPTIONS.get(key)
    if found is None:
        form = GrowthOptionsForm(initial=chosen)
        found = _BLANK_OPTIONS[key] = {
            field.name: {"as_field_group": field.as_field_group()} for field in form
        }
    return found


def growth_rows(points: list[GrowthPoint], *, detail_base: str, measure_label: str) -> SafeString:
    """The growth table's rows, as growth.html's loop wrote them (the same bytes; issue 11,
    docs/performance.md): one string written in Python, the column labels looked up once per page rather
    than once per row. The cells' figures go through the template's own filters (`sds`, `centile`) and
    the points' words (growth_words), so the decimal mark and the words are the page's, unchanged."""
    esc = conditional_escape
    # Each word written out, so that `make messages` still finds it (the loop no longer holds them).
    l_date, l_age = esc(gettext("Date")), esc(gettext("Age"))
    l_corrected = esc(pgettext("corrected age", "Corrected"))
    l_chrono = esc(pgettext("chronological age", "Chronological"))
    l_sds, unusual = esc(gettext("SDS")), esc(gettext("unusual, confirmed"))
    label, base = esc(measure_label), esc(detail_base)
    no_sds = f'<td data-label="{l_sds}" colspan="2" class="small muted">'
    out = []
    for p in points:
        badge = f' <span class="badge caution">{unusual}</span>' if p.confirmed_unusual else ""
        if p.corrected_sds is not None:
            figures = (
                f'\n        <td data-label="{l_corrected}" class="num">{esc(sds(p.corrected_sds))} '
                f"({esc(centile(p.corrected_centile))})</td>\n"
                f'        <td data-label="{l_chrono}" class="num">{esc(sds(p.chronological_sds))} '
                f"({esc(centile(p.chronological_centile))})</td>\n        "
            )
        else:
            figures = f"\n        {no_sds}{esc(p.note)}</td>\n        "
        out.append(
            "\n      <tr>\n"
            f'        <td data-label="{l_date}" class="num"><a href="{base}{int(p.measurement_id)}/">'
            f"{esc(date_j_m_y(p.date))}</a></td>\n"
            f'        <td data-label="{l_age}" class="small">{esc(p.age_text)}</td>\n'
            f'        <td data-label="{label}" class="num"><strong><bdi dir="ltr">'
            f"{esc(p.display)}</bdi></strong>{badge}</td>\n        {figures}\n      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@page(Perm.CLIENT_VIEW)
def growth(request: ActorRequest, client_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="viewed growth")
    options = GrowthOptionsForm(request.GET or None)
    chosen = options.choices()
    summary = selectors.growth_summary(
        client=client,
        reference=chosen["reference"],
        method=chosen["method"],
        window_days=chosen["window"],
        start_after_regain=chosen["after_regain"],
    )
    points = selectors.growth_series(
        client=client, instrument_id=chosen["measure"], reference=chosen["reference"]
    )
    newest_first = list(reversed(points))
    show_all = request.GET.get("all") == "1"
    query = request.GET.urlencode()
    shown = newest_first if show_all else newest_first[:TABLE_ROWS]
    detail_base = reverse("outcomes:list", args=[client.pk])
    measure_label = growth_words.measure_name(instruments.get_instrument(chosen["measure"]))
    return render(
        request,
        "outcomes/growth.html",
        {
            "client": client,
            "options": options if request.GET else blank_growth_options(chosen),
            "chosen": chosen,
            "summary": summary,
            "points": shown,
            "rows": growth_rows(shown, detail_base=detail_base, measure_label=measure_label),
            "points_total": len(newest_first),
            "all_url": f"?{_with(request, all='1')}#table-h",
            "measure_label": measure_label,
            "chart_url": reverse("outcomes:growth_chart", args=[client.pk]) + (f"?{query}" if query else ""),
            "chart_caption": growth_words.chart_caption(
                instruments.get_instrument(chosen["measure"]), chosen["reference"]
            ),
            "chart_description": selectors.growth_chart_description(
                client=client, instrument_id=chosen["measure"], reference=chosen["reference"], points=points
            ),
            "methods": VELOCITY_METHOD_INFO,
            "today": ages(
                client.birth_date, timezone.localdate(), client.gestation_weeks, client.gestation_days
            ),
        },
    )


@page(Perm.CLIENT_VIEW)
def growth_chart(request: ActorRequest, client_id: int) -> HttpResponse:
    """The growth chart's data (JSON) for the page's script to draw: nothing is drawn on the server."""
    client = client_get(actor=request.actor, client_id=client_id, purpose="viewed the growth chart")
    chosen = GrowthOptionsForm(request.GET or None).choices()
    data = selectors.growth_chart_data(
        client=client, instrument_id=chosen["measure"], reference=chosen["reference"]
    )
    return JsonResponse(data)


# --- trends ---------------------------------------------------------------------------------------


def _trend_words(inst: Instrument) -> TrendWords | None:
    """The trend's words in the page's language (None: the English catalogue's)."""
    words = shown_instrument(inst)
    if words is inst:
        return None
    return TrendWords(instrument=words, value=shown_value, band=shown_band)


def trend_rows(rows: Sequence[TrendRow], *, columns: Sequence[str], detail_base: str) -> SafeString:
    """The trend table's rows, as trend.html's loop wrote them (the same bytes; issue 11): one string written
    in Python, the labels looked up once per page rather than once per row. A cell goes through the template
    filters' own steps (`get`, `default:"—"`, `figures`, then escaped), so the decimal mark is the page's."""
    esc = conditional_escape
    l_date, unusual = esc(gettext("Date")), esc(gettext("unusual, confirmed"))
    base = esc(detail_base)
    heads = [(col, f'<td data-label="{esc(col)}" class="num">') for col in columns]
    out = []
    for row in rows:
        m = row.measurement
        badge = f' <span class="badge caution">{unusual}</span>' if m.confirmed_unusual else ""
        cells = "".join(f"{head}{esc(figures(row.cells.get(col, '') or '—'))}</td>" for col, head in heads)
        out.append(
            "<tr>\n"
            f'      <td data-label="{l_date}" class="num"><a href="{base}{int(m.pk)}/">'
            f"{esc(date_j_m_y_h_i(m.taken_at))}</a>{badge}</td>\n      {cells}\n    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@page(Perm.CLIENT_VIEW)
def trend(request: ActorRequest, client_id: int, instrument_id: str) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="viewed a trend")
    inst = selectors.instrument_or_404(instrument_id)
    if inst.growth is not None:
        return redirect(reverse("outcomes:growth", args=[client.pk]) + f"?measure={inst.id}")
    data = selectors.instrument_trend(client=client, instrument_id=inst.id, words=_trend_words(inst))
    show_all = request.GET.get("all") == "1"
    rows = data.rows if show_all else data.rows[:TABLE_ROWS]
    detail_base = reverse("outcomes:list", args=[client.pk])
    return render(
        request,
        "outcomes/trend.html",
        {
            "client": client,
            "instrument": data.instrument,
            "trend": data,
            "rows": rows,
            "table_rows": trend_rows(rows, columns=data.columns, detail_base=detail_base),
            "all_url": f"?{_with(request, all='1')}#values-h",
            "detail_base": detail_base,
            "sources": _sources(inst),
            "chart_url": reverse("outcomes:trend_chart", args=[client.pk, inst.id]),
            "chart_caption": gettext(
                "%(direction)s Each line has its own marker shape; the table below has every value."
            )
            % {"direction": data.direction_text},
            "chart_description": selectors.trend_chart_description(data),
            "gas_formula": gas.FORMULA,
            "gas_sources": [instruments.get_source(sid) for sid in gas.FORMULA_SOURCES] if data.gas else [],
        },
    )


@page(Perm.CLIENT_VIEW)
def trend_chart(request: ActorRequest, client_id: int, instrument_id: str) -> HttpResponse:
    """The trend chart's data (JSON) for the page's script to draw."""
    client = client_get(actor=request.actor, client_id=client_id, purpose="viewed a trend chart")
    inst = selectors.instrument_or_404(instrument_id)
    data = selectors.instrument_trend(client=client, instrument_id=inst.id, words=_trend_words(inst))
    return JsonResponse(selectors.trend_chart_data(data))


# --- import ---------------------------------------------------------------------------------------


@page(Perm.MEASUREMENT_RECORD)
def measurement_import(request: ActorRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.measurements_import_csv(
                actor=request.actor, text=form.cleaned_data["csv"], mode=form.cleaned_data["mode"]
            )
        except ValidationFailed as exc:
            for msgs in exc.errors.values():
                for msg in msgs:
                    form.add_error(None, msg)
    return render(request, "outcomes/import.html", {"form": form, "report": report})
