from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.selectors import audit_event_list
from kneadwell.clients import rules, selectors, services
from kneadwell.clients.forms import ClientForm, ClientSearchForm, ConsentForm, GuardianForm, WithdrawForm
from kneadwell.clients.models import Client
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.hooks import client_sections
from kneadwell.core.tablerows import choice_labels, date_j_m_y, date_j_m_y_h_i, url_maker
from kneadwell.core.web import ActorRequest, apply_errors, page

PAGE_SIZE = 25
TRAIL_COLUMNS = ("id", "at", "actor_label", "action", "entity", "summary", "channel")


# The columns a row of the client list shows.
LIST_COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "birth_date",
    "gestation_weeks",
    "gestation_days",
    "identifier",
)


class ListedClient(Protocol):
    """A row of the client list: a `Client`, or a named row of its LIST_COLUMNS."""

    id: int
    given_name: str
    family_name: str
    birth_date: dt.date
    gestation_weeks: int | None
    gestation_days: int | None
    identifier: str


def client_rows(clients: Iterable[ListedClient]) -> SafeString:
    """The client list's rows as _results.html's loop wrote them (the same bytes), written in Python: about
    20 template nodes a row and a `reverse` per row were most of the list's CPU (issue 11)."""
    link = url_maker("clients:detail")  # one reverse for the page
    born, at = _("born %(birth_date)s"), _("at %(weeks)s+%(days)s")
    rows = []
    for c in clients:
        number = f' <span class="muted small">#{escape(c.identifier)}</span>' if c.identifier else ""
        gestation = ""
        if c.gestation_weeks:
            weeks, days = escape(localize(c.gestation_weeks)), escape(localize(c.gestation_days or 0))
            gestation = " " + at % {"weeks": weeks, "days": days}
        birth_date = escape(date_j_m_y(c.birth_date))
        rows.append(
            f'\n  <li><a class="row" href="{link(c.id)}">\n'
            f"    <span><strong>{escape(c.family_name)}</strong>, {escape(c.given_name)}{number}</span>\n"
            f'    <span class="muted small">{born % {"birth_date": birth_date}}{gestation}</span>\n'
            "  </a></li>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped


class _CountedPaginator(Paginator):
    """A paginator whose count is already known (read with the page's rows): no COUNT query."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # fills the cached property


def _plain_page_number(raw: str | None) -> int | None:
    """The page number asked for when it is plainly one (absent, or up to 9 digits and at least 1); None
    for anything else, which Paginator.get_page interprets (the first or the last page)."""
    if raw is None:
        return 1
    if raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) >= 1:
        return int(raw)
    return None


def client_page_of(clients: QuerySet[Client], raw_number: str | None, *, searched: bool) -> Page:
    """The page of `clients` asked for, as `Paginator(...).get_page(raw_number)` gives it. A search counts
    its matches in its rows' query (COUNT(*) OVER ()): every row must be tested against the words anyway,
    and the separate COUNT read them all a second time (the cost grew with the clinic). The whole list
    keeps its COUNT, which an index answers, and its rows' query, which stops after a page."""
    rows = clients.values_list(*LIST_COLUMNS, named=True)
    number = _plain_page_number(raw_number)
    if searched and number is not None:
        bottom = (number - 1) * PAGE_SIZE
        found = list(
            clients.annotate(match_count=Window(Count("pk"))).values_list(
                *LIST_COLUMNS, "match_count", named=True
            )[bottom : bottom + PAGE_SIZE]
        )
        if found or number == 1:
            paginator = _CountedPaginator(rows, PAGE_SIZE, found[0].match_count if found else 0)
            return Page(found, number, paginator)
        # Past the last page: get_page shows the last one.
    return Paginator(rows, PAGE_SIZE).get_page(raw_number)


@page(Perm.CLIENT_VIEW)
def client_list(request: ActorRequest) -> HttpResponse:
    search = ClientSearchForm(request.GET)
    query = search.data.get("q", "").strip()[:100]
    clients = selectors.client_search(actor=request.actor, query=query)
    page_obj = client_page_of(clients, request.GET.get("page"), searched=bool(query.split()))
    context = {
        "search": search,
        "page_obj": page_obj,
        "rows": client_rows(page_obj.object_list),
        "query": query,
        "today": timezone.localdate(),
    }
    # htmx asks for the results alone as the person types; a normal request gets the whole page.
    template = "clients/_results.html" if request.htmx else "clients/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _client_values(form: ClientForm) -> dict[str, object]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data["conditions"] = list(data.get("conditions") or [])
    return data


@page(Perm.CLIENT_ADD)
def client_create(request: ActorRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=request.actor, **_client_values(form))  # type: ignore[arg-type]
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(display_name)s was added. Next: record consent.")
                % {"display_name": client.display_name},
            )
            return redirect("clients:detail", client_id=client.pk)
    return render(request, "clients/form.html", {"form": form, "title": _("Add a client")})


class TrailEvent(Protocol):
    """An event of the trail: an `AuditEvent`, or a named row of its TRAIL_COLUMNS."""

    at: dt.datetime
    actor_label: str
    action: str
    entity: str
    summary: str
    channel: str


def trail_items(events: Iterable[TrailEvent]) -> SafeString:
    """The trail's list items as detail.html's loop wrote them (the same bytes), written in Python: the
    action names looked up once for the list, not once per row (issue 11, docs/performance.md)."""
    actions = choice_labels(AuditEvent.Action.choices)
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<li style="padding:.3rem 0">{escape(date_j_m_y_h_i(e.at))} · {escape(e.actor_label)} · '
            f"{escape(actions.get(e.action, e.action).lower())} {escape(e.entity)} · {escape(e.summary)} "
            f'<span class="muted">({escape(e.channel)})</span></li>'
            for e in events
        )
    )


@page(Perm.CLIENT_VIEW)
def client_detail(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    # The sections of other areas read some things of the client twice (the intake): once per page.
    client = selectors.client_reads_shared(selectors.client_get(actor=actor, client_id=client_id))
    today = timezone.localdate()
    consents = list(selectors.consent_list_shown(client=client))
    facts = [c.facts() for c in consents]
    consent_ok = {
        scope: rules.has_active_consent(facts, scope=scope, birth_date=client.birth_date, today=today)
        for scope in rules.Scope
    }
    from kneadwell.clients.conditions import condition_labels

    labels = condition_labels()
    # The columns the trail shows (not the changes, JSON, or the hashes), as named rows (no model instances).
    trail = (
        audit_event_list(actor=actor, client_id=client.pk).values_list(*TRAIL_COLUMNS, named=True)
        if actor.can(Perm.AUDIT_VIEW)
        else None
    )
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "guardians": selectors.guardian_list_shown(client=client),
            "consents": consents,
            "consent_rows": [(_(rules.SCOPE_LABELS[scope]), ok) for scope, ok in consent_ok.items()],
            "care_consent": consent_ok[rules.Scope.CARE],
            "assent_expected": rules.assent_expected(client.birth_date, today)
            and not any(c.kind == rules.ConsentKind.ASSENT and c.is_active for c in consents),
            "age_group": client.age_group(today),
            "age_years": rules.age_in_years(client.birth_date, today),
            "age_days": (today - client.birth_date).days,
            "condition_names": [labels.get(code, code) for code in client.conditions],
            "sections": client_sections(request, client),
            "trail": trail_items(trail[:20]) if trail is not None else None,
        },
    )


@page(Perm.CLIENT_EDIT)
def client_edit(request: ActorRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(
        actor=request.actor, client_id=client_id, purpose="opened the record to edit"
    )
    form = ClientForm(request.POST) if request.method == "POST" else ClientForm.for_client(client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(
                actor=request.actor,
                client=client,
                expected_version=form.cleaned_data.get("version"),
                **_client_values(form),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/form.html",
        {"form": form, "title": _("Edit %(client)s") % {"client": client.display_name}, "client": client},
    )


@page(Perm.GUARDIAN_MANAGE)
def guardian_create(request: ActorRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(
        actor=request.actor, client_id=client_id, purpose="opened to add a guardian"
    )
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_create(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s was added as a guardian.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("clients:detail", client_id=client.pk)
    return render(request, "clients/guardian_form.html", {"form": form, "client": client})


@page(Perm.CONSENT_MANAGE)
def consent_create(request: ActorRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(
        actor=request.actor, client_id=client_id, purpose="opened to record consent"
    )
    guardians = list(selectors.guardian_list(client=client))
    initial = {"signed_on": timezone.localdate(), "kind": "guardian" if guardians else None}
    form = ConsentForm(request.POST or None, guardians=guardians, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        guardian = next((g for g in guardians if g.pk == data["guardian"]), None)
        try:
            services.consent_record(
                actor=request.actor,
                client=client,
                kind=data["kind"],
                scopes=data["scopes"],
                signed_by_name=data["signed_by_name"],
                signed_on=data["signed_on"],
                method=data["method"],
                attestation=data["attestation"],
                guardian=guardian,
                notes=data["notes"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request, "clients/consent_form.html", {"form": form, "client": client, "guardians": guardians}
    )


@page(Perm.CONSENT_MANAGE)
def consent_withdraw(request: ActorRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = selectors.client_get(
        actor=request.actor, client_id=client_id, purpose="opened to withdraw consent"
    )
    consent = selectors.consent_get(client=client, consent_id=consent_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.actor, consent=consent, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("clients:detail", client_id=client.pk)
        else:
            messages.success(
                request,
                _(
                    "Consent withdrawn. Past records are kept; no new sessions or "
                    "measurements can be recorded under it."
                ),
            )
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request, "clients/consent_withdraw.html", {"form": form, "client": client, "consent": consent}
    )
