"""The client page's "Progress reports" card (registered in `kneadwell.core.hooks.CLIENT_SECTIONS`):
choose the version and the plan, then open the printable page or download the PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from kneadwell.accounts.roles import Perm
from kneadwell.care.selectors import plans_of
from kneadwell.core.web import ActorRequest
from kneadwell.library import selectors as library_selectors
from kneadwell.reports import services

if TYPE_CHECKING:
    from kneadwell.clients.models import Client  # the client the client page loaded (client_get)

PLAN_CHOICES = 20  # the most recent plans offered in the card; older ones stay in the whole-record report
PLAN_COLUMNS = ("id", "organisation_id", "client_id", "protocol_id", "status", "starts_at", "created_at")


def client_section(request: ActorRequest, client: Client) -> str:
    actor = request.actor
    if not actor.can(Perm.REPORT_VIEW):
        return ""
    lib = library_selectors.library()
    plans = [
        (p.pk, lib.protocols[p.protocol_id].name if p.protocol_id in lib.protocols else p.protocol_id, p)
        # The columns the choice shows (a plan's personalisation, JSON, stays unread).
        for p in plans_of(client=client).only(*PLAN_COLUMNS)[:PLAN_CHOICES]
    ]
    return render_to_string(
        "reports/_client_section.html",
        {
            "client": client,
            "plans": plans,
            "clinician": services.may_have(actor, "clinician"),
        },
        request=request,
    )
