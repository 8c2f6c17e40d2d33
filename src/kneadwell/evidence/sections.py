"""The evidence sections on other areas' pages: "What the evidence says" on a client's page and on a
library protocol page (registered in `kneadwell.core.hooks`). Each claim shows its certainty in words
next to it and links to its page; caregivers get the parent wording, everyone else the clinician's."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.core.web import ActorRequest
from kneadwell.evidence import selectors
from kneadwell.library.display import display_claims

CLIENT_SECTION_LIMIT = 4  # the client page stays short; the rest is one link away


def client_section(request: ActorRequest, client: Client) -> str:
    actor = request.actor
    if not actor.can(Perm.EVIDENCE_VIEW):
        return ""
    found = selectors.claims_for_client(client=client)
    populations = found.scope.populations
    return render_to_string(
        "evidence/_client_section.html",
        {
            "client": client,
            # Their plain words in the page's language (library/display.py).
            "claims": display_claims(found.supported[:CLIENT_SECTION_LIMIT], actor.organisation),
            "more": max(0, len(found.supported) - CLIENT_SECTION_LIMIT),
            "unsupported": display_claims(found.unsupported, actor.organisation),
            "population": populations[0] if populations else "",
            "population_words": ", ".join(_(selectors.POPULATION_WORDS[p]) for p in populations),
            "parent_view": actor.is_caregiver,
        },
        request=request,
    )


def protocol_section(request: ActorRequest, protocol: Any) -> str:
    actor = request.actor
    if not actor.can(Perm.EVIDENCE_VIEW):
        return ""
    found = selectors.claims_for_protocol(protocol_id=protocol.id, populations=protocol.populations)
    return render_to_string(
        "evidence/_protocol_section.html",
        {
            "protocol": protocol,
            "claims": display_claims(found.supported, actor.organisation),
            "unsupported": display_claims(found.unsupported, actor.organisation),
            "parent_view": actor.is_caregiver,
        },
        request=request,
    )
