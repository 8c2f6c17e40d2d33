"""The unit-wide adherence page: every active plan the person can see, a page of clients at a time."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors
from kneadwell.care.adherence import Adherence
from kneadwell.care.models import Plan
from kneadwell.core.web import ActorRequest, page
from kneadwell.library import selectors as library_selectors


def _percent(value: float | None) -> str:
    """A whole percentage as the template filter floatformat:0 writes it (halves away from zero)."""
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _day(at: dt.datetime) -> str:
    """As the date filter's "j M Y" writes it in English (the site's only language), without its
    per-call format lookups."""
    return f"{at.day} {at:%b %Y}"


def _unit_row(plan: Plan, adh: Adherence, protocol: Any) -> dict[str, Any]:
    """One line of the unit table, written out here: the template then only places the text (a page of
    50 lines spent more in the template's lookups and filters than in its queries)."""
    stored = getattr(plan, "figures", None)
    last = stored.last_session_at if stored is not None else None
    percent = _percent(adh.percent_of_due)
    return {
        "url": reverse("care:plan", args=[plan.client_id, plan.pk]),
        "name": plan.client.display_name,
        "protocol": protocol.name if protocol else plan.protocol_id,
        "done_due": f"{adh.done} / {adh.due_so_far}" + (f" ({percent}%)" if percent else ""),
        "of_plan": f"{adh.done} / {adh.planned_total}",
        "stopped": adh.stopped_sessions,
        "reasons": [f"{reason} ({count})" for reason, count in adh.stop_reasons],
        "last": _day(timezone.localtime(last)) if last else "—",
    }


@page(Perm.UNIT_VIEW)
def unit_adherence(request: ActorRequest) -> HttpResponse:
    # A page of clients at a time, each plan's stored figures joined and the sessions due so far in one
    # count: the page's work grows neither with the sessions behind the figures nor with the number of
    # clients. It shows doses and stops, not minutes per phase.
    raw = request.GET.get("page") or "1"
    # ASCII digits only, and few: "²" passes isdigit() but not int(), and int() refuses 4,300 digits.
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0 else 1
    size = selectors.UNIT_PAGE_CLIENTS
    plans, more = selectors.unit_plans_page(actor=request.actor, page=page, size=size)
    figures = selectors.plans_figures(plans=plans, with_phases=False)
    lib = library_selectors.library()
    rows = [_unit_row(p, figures[p.pk], lib.protocols.get(p.protocol_id)) for p in plans]
    return render(
        request,
        "care/unit_adherence.html",
        {
            "rows": rows,
            "page": page,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if more else None,
            "size": size,
        },
    )
