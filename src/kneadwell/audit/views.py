from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kneadwell.accounts.roles import Perm
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.selectors import audit_event_list
from kneadwell.audit.services import Action, audit_chain_verify, audit_record
from kneadwell.core.csvcells import defuse
from kneadwell.core.forms import DateInput
from kneadwell.core.tablerows import choice_labels, date_j_m_y_h_i_s
from kneadwell.core.web import ActorRequest, page

CSV_COLUMNS = (
    "at",
    "actor_label",
    "actor_role",
    "channel",
    "ip",
    "action",
    "entity",
    "entity_id",
    "client_id",
    "summary",
    "changes",
)


class AuditFilterForm(forms.Form):
    client = forms.IntegerField(label=gettext_lazy("Client number"), required=False, min_value=1)
    action = forms.ChoiceField(
        choices=[("", gettext_lazy("Any action")), *AuditEvent.Action.choices], required=False
    )
    who = forms.CharField(label=gettext_lazy("Who (email contains)"), required=False, max_length=100)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)


def _filtered(request: ActorRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(
        actor=request.actor,
        client_id=data.get("client"),
        action=data.get("action") or "",
        user_query=data.get("who") or "",
        since=data.get("since"),
        until=data.get("until"),
    )
    return form, events


LISTED = (
    "id",
    "at",
    "actor_label",
    "actor_role",
    "action",
    "summary",
    "entity",
    "entity_id",
    "client_id",
    "channel",
)
PAGE_SIZE = 50
CHAIN_WINDOW = 1000
# The list counts events only up to this many pages past the one shown. Counting every event of a busy
# organisation (1.5 million rows in the benchmark clinic, benchmarks/bench_pages.py) took 150-200 ms of
# every view of this page; beyond the count the navigation says "more than".
COUNT_AHEAD_PAGES = 20


class BoundedPaginator(Paginator):
    """A paginator that counts at most `limit` rows (a COUNT over a LIMIT subquery)."""

    def __init__(self, object_list: QuerySet[AuditEvent, Any], per_page: int, *, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.events = object_list
        self.limit = limit

    @cached_property
    def count(self) -> int:
        return self.events[: self.limit].count()

    @property
    def exact(self) -> bool:
        return self.count < self.limit


def table_rows(events: Iterable[Any], *, client_base: str) -> SafeString:
    """The table's rows, as list.html's loop wrote them (the same bytes): one string written in Python,
    the labels and the action names looked up once per page rather than once per row (a 50-row table
    cost about 5 ms in the template engine). `events` are AuditEvents or rows with their LISTED names."""
    # Each word written out, so that `make messages` still finds it (the template no longer holds them).
    when, who, what = escape(_("When")), escape(_("Who")), escape(_("What"))
    record, channel = escape(_("Record")), escape(_("Channel"))
    client_word = escape(_("client"))
    actions = choice_labels(AuditEvent.Action.choices)
    base = escape(client_base)
    out = []
    for e in events:
        role = f' <span class="muted small">({escape(e.actor_role)})</span>' if e.actor_role else ""
        entity_id = f" #{escape(e.entity_id)}" if e.entity_id else ""
        action = escape(actions.get(e.action, e.action))
        client = (
            f' · {client_word} <a href="{base}{escape(e.client_id)}/">#{escape(e.client_id)}</a>'
            if e.client_id
            else ""
        )
        out.append(
            f'\n    <tr><td data-label="{when}">{escape(date_j_m_y_h_i_s(e.at))}</td>'
            f'<td data-label="{who}">{escape(e.actor_label)}{role}</td>\n'
            f'    <td data-label="{what}">{action} — {escape(e.summary)}</td>\n'
            f'    <td data-label="{record}">{escape(e.entity)}{entity_id}{client}</td>\n'
            f'    <td data-label="{channel}">{escape(e.channel)}</td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


# The filter form as it is first shown (nothing chosen) is the same for everyone in a language: rendered
# once per language in this process (its labels and choices are fixed when the code loads).
_BLANK_FORM: dict[str | None, SafeString] = {}


def blank_filter_form() -> SafeString:
    language = get_language()
    found = _BLANK_FORM.get(language)
    if found is None:
        found = _BLANK_FORM[language] = mark_safe(  # noqa: S308 - Django's own rendering of the form
            "".join(str(field.as_field_group()) for field in AuditFilterForm())
        )
    return found


def _page_number(raw: str | None) -> int:
    return min(int(raw), 1_000_000) if raw and raw.isdigit() and int(raw) > 0 else 1


@require_safe  # a read-only page: POST, PUT, DELETE are a 405, not the list again
@page(Perm.AUDIT_VIEW)
def audit_list(request: ActorRequest) -> HttpResponse:
    form, events = _filtered(request)
    # The columns the table shows, as named tuples (table_rows reads them by name; no model instances): the
    # changes (JSON) and the hashes stay unread.
    rows = events.values_list(*LISTED, named=True)
    wanted = _page_number(request.GET.get("page"))
    paginator = BoundedPaginator(rows, PAGE_SIZE, limit=(wanted + COUNT_AHEAD_PAGES) * PAGE_SIZE + 1)
    page_obj = paginator.get_page(wanted)
    if paginator.exact:
        pages = str(paginator.num_pages)
    else:
        pages = _("more than %(count)s") % {"count": paginator.num_pages - 1}
    query = request.GET.copy()
    query.pop("page", None)
    # The newest rows only: the whole chain of a busy clinic is millions of rows (`kneadwell audit verify`
    # checks all of it).
    chain_state = audit_chain_verify(organisation_id=request.actor.organisation_id, last=CHAIN_WINDOW)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "form_fields": blank_filter_form() if not form.is_bound else None,
            "page_obj": page_obj,
            "rows": table_rows(page_obj, client_base=reverse("clients:list")),
            "pages": pages,
            "query": query.urlencode(),
            "chain": chain_state,
            "chain_window": CHAIN_WINDOW,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_safe
@page(Perm.AUDIT_VIEW)
def audit_export(request: ActorRequest) -> StreamingHttpResponse:
    _, events = _filtered(request)
    # audit_record directly: the audit log's own export, in the audit package that audit/writes.py is
    # built on; it saves no row of its own, only records that the log was read out.
    audit_record(
        actor=request.actor, action=Action.EXPORT, entity="audit", summary="exported the audit log as CSV"
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            # Every text cell is defused: summaries, labels and changes hold what people typed.
            yield writer.writerow(
                [
                    defuse(cell)
                    for cell in (
                        event.at.isoformat(),
                        event.actor_label,
                        event.actor_role,
                        event.channel,
                        event.ip,
                        event.action,
                        event.entity,
                        event.entity_id,
                        event.client_id or "",
                        event.summary,
                        json.dumps(event.changes, sort_keys=True) if event.changes else "",
                    )
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kneadwell-audit-{stamp}.csv"'
    return response
