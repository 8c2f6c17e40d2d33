from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kneadwell.accounts.roles import Perm
from kneadwell.care.selectors import slots_due
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.hooks import home_sections
from kneadwell.core.web import ActorRequest, page


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers and uptime checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


RECENT_COLUMNS = ("id", "organisation_id", "given_name", "family_name", "birth_date", "updated_at")
DUE_COLUMNS = (
    "id",
    "due_at",
    "plan_id",
    "plan__protocol_id",
    "plan__client_id",
    "plan__client__given_name",
    "plan__client__family_name",
)


@page()
def dashboard(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    recent = due = None
    if actor.can(Perm.CLIENT_VIEW):
        # The columns the home page shows (names, birth dates, the slot's time and plan): the rest of the
        # client and plan rows (JSON lists among them) stays unread.
        recent = client_queryset(actor=actor).order_by("-updated_at").only(*RECENT_COLUMNS)[:6]
        end_of_day = timezone.localtime().replace(hour=23, minute=59, second=59)
        due = slots_due(actor=actor, until=end_of_day).only(*DUE_COLUMNS)
    context = {
        "recent_clients": recent,
        "due": due,
        "now": timezone.now(),
        "sections": home_sections(request, list(recent) if recent is not None else []),
    }
    return render(request, "core/dashboard.html", context)
