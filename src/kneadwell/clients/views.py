from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.selectors import audit_event_list
from kneadwell.clients import rules, selectors, services
from kneadwell.clients.forms import ClientForm, ClientSearchForm, ConsentForm, GuardianForm, WithdrawForm
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.hooks import client_sections
from kneadwell.core.tablerows import choice_labels, date_j_m_y_h_i
from kneadwell.core.web import ActorRequest, apply_errors, page

PAGE_SIZE = 25
TRAIL_COLUMNS = ("id", "at", "actor_label", "action", "entity", "summary", "channel")


@page(Perm.CLIENT_VIEW)
def client_list(request: ActorRequest) -> HttpResponse:
    search = ClientSearchForm(request.GET)
    query = search.data.get("q", "").strip()[:100]
    clients = selectors.client_search(actor=request.actor, query=query)
    page_obj = Paginator(
        clients.only(
            "id", "given_name", "family_name", "birth_date", "gestation_weeks", "gestation_days", "identifier"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {"search": search, "page_obj": page_obj, "query": query, "today": timezone.localdate()}
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


def trail_items(events: Iterable[AuditEvent]) -> SafeString:
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
    consents = list(selectors.consent_list(client=client))
    facts = [c.facts() for c in consents]
    consent_ok = {
        scope: rules.has_active_consent(facts, scope=scope, birth_date=client.birth_date, today=today)
        for scope in rules.Scope
    }
    from kneadwell.clients.conditions import condition_labels

    labels = condition_labels()
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "guardians": selectors.guardian_list(client=client),
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
            # The columns the trail shows (not the changes, JSON, or the hashes).
            "trail": trail_items(audit_event_list(actor=actor, client_id=client.pk).only(*TRAIL_COLUMNS)[:20])
            if actor.can(Perm.AUDIT_VIEW)
            else None,
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
