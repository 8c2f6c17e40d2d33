"""The client page's "Safety and readiness" section."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.core.web import ActorRequest
from kneadwell.library import selectors
from kneadwell.library.display import display_library
from kneadwell.library.models import Release


def home_section(request: ActorRequest, clients: list[Client]) -> str:
    """A parent's home page starts with the massage: today's check for each child's programme, one tap
    from opening the app (staff have their list of clients and the sessions due instead)."""
    actor = request.actor
    if not actor.is_caregiver or not actor.can(Perm.SESSION_RECORD) or not clients:
        return ""
    lib = display_library(actor.organisation)  # programme names in the page's language
    offers = []
    for client in clients[:3]:
        intake = selectors.intake_for(client=client)
        protocol = (
            selectors.suggested_protocol(client=client, population=intake.population) if intake else None
        )
        offers.append((client, intake, lib.protocols.get(protocol) if protocol else None))
    return render_to_string("library/_home_section.html", {"offers": offers}, request=request)


def client_section(request: ActorRequest, client: Client) -> str:
    actor = request.actor
    lib = display_library(actor.organisation)  # rule titles and programme names in the page's language
    intake = selectors.intake_for(client=client)
    # The newest check, as the section shows it (not its answers and verdict, JSON, nor who made it).
    latest = (
        selectors.readiness_check_list(client=client)
        .select_related(None)
        .only("id", "organisation_id", "client_id", "protocol_id", "population", "action", "created_at")
        .first()
    )
    releases = (
        Release.objects.of_client(client).filter(revoked_at__isnull=True).select_related("released_by")[:10]
    )
    suggested = (
        selectors.suggested_protocol(client=client, population=intake.population, newest=latest)
        if intake
        else None
    )
    return render_to_string(
        "library/_client_section.html",
        {
            "client": client,
            "intake": intake,
            "latest": latest,
            # Rule titles and programme names, not their ids.
            "releases": [
                (
                    r,
                    lib.rules[r.rule_id].title if r.rule_id in lib.rules else r.rule_id,
                    lib.protocols[r.protocol_id].name if r.protocol_id in lib.protocols else r.protocol_id,
                )
                for r in releases
            ],
            "suggested": lib.protocols.get(suggested) if suggested else None,
            "population": lib.populations.get(intake.population) if intake else None,
            "latest_protocol": lib.protocols.get(latest.protocol_id) if latest else None,
            "can_check": actor.can(Perm.SESSION_RECORD),
            "parent_register": actor.is_caregiver,
            "can_release": actor.can(Perm.RELEASE_GIVE),
            "today": timezone.localdate(),
        },
        request=request,
    )
