"""Where evaluation shows on other pages (core/hooks.py): the home page's card (the assessments due for
an assessor, the recruiting studies for study staff) and the client page's studies section."""

from __future__ import annotations

from django.template.loader import render_to_string

from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.core.web import ActorRequest
from kneadwell.evaluation.selectors.assessment import assessment_tasks
from kneadwell.evaluation.selectors.studies import open_studies, participations_of, study_list


def home_section(request: ActorRequest, clients: list[Client]) -> str:
    actor = request.actor
    due = None
    if actor.can(Perm.OUTCOME_ASSESS) and not actor.can(Perm.STUDY_VIEW):
        due = sum(1 for t in assessment_tasks(actor=actor) if t.status == "due")
    studies = list(study_list(actor=actor, status="recruiting")[:3]) if actor.can(Perm.STUDY_VIEW) else []
    if due is None and not studies:
        return ""
    return render_to_string(
        "evaluation/_home_section.html", {"due": due, "studies": studies}, request=request
    )


def client_section(request: ActorRequest, client: Client) -> str:
    actor = request.actor
    participations = participations_of(actor=actor, client=client)
    screened = {p.study_id for p in participations}
    to_screen = [s for s in open_studies(actor=actor) if s.pk not in screened]
    if not participations and not to_screen:
        return ""
    return render_to_string(
        "evaluation/_client_section.html",
        {"client": client, "participations": participations, "to_screen": to_screen},
        request=request,
    )
