"""Study pages' reads (Perm.STUDY_VIEW): the organisation's studies, one study, its participants. A
participant's name is shown only to roles that may read client records; researchers see study numbers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.access import access_note
from kneadwell.clients.models import Client
from kneadwell.core.errors import NotFound
from kneadwell.evaluation.models import Participant, Study


def study_list(*, actor: Actor, status: str | None = None) -> QuerySet[Study]:
    actor.require(Perm.STUDY_VIEW)
    studies = Study.objects.for_organisation(actor.organisation_id).order_by("-created_at", "-id")
    return studies.filter(status=status) if status else studies


def study_get(*, actor: Actor, study_id: int, perm: Perm = Perm.STUDY_VIEW) -> Study:
    actor.require(perm)
    try:
        return Study.objects.for_organisation(actor.organisation_id).get(pk=study_id)
    except (Study.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such study.")) from None


def study_by_code(*, actor: Actor, code: str, perm: Perm = Perm.STUDY_VIEW) -> Study:
    actor.require(perm)
    try:
        return Study.objects.for_organisation(actor.organisation_id).get(code=code.upper())
    except Study.DoesNotExist:
        raise NotFound(_("No study %(code)s in your organisation.") % {"code": repr(code)}) from None


def participant_get(
    *, actor: Actor, study: Study, participant_id: int, perm: Perm = Perm.STUDY_VIEW
) -> Participant:
    actor.require(perm)
    try:
        participant: Participant = (
            Participant.objects.within(study)
            .select_related("arm", "client", "study")
            .get(pk=participant_id, study=study)
        )
    except (Participant.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such participant in this study.")) from None
    if actor.can(Perm.CLIENT_VIEW):
        access_note(
            actor=actor,
            entity="study participant",
            entity_id=participant.pk,
            client_id=participant.client_id,
            purpose=f"viewed study participant {participant.code}",
        )
    return participant


def participations_of(*, actor: Actor, client: Client) -> list[Participant]:
    """A client's studies, for the client page (which checked the reader may open the record)."""
    if not actor.can(Perm.STUDY_VIEW):
        return []
    return list(Participant.objects.of_client(client).select_related("study", "arm").order_by("-screened_at"))


def open_studies(*, actor: Actor) -> list[Study]:
    if not actor.can(Perm.STUDY_RANDOMISE):
        return []
    return list(Study.objects.for_organisation(actor.organisation_id).filter(status=Study.Status.RECRUITING))


def shows_names(actor: Actor) -> bool:
    return actor.can(Perm.CLIENT_VIEW)


def screenable_clients(*, actor: Actor, study: Study, limit: int = 500) -> list[tuple[int, str]]:
    """Clients of the organisation not yet screened for this study, newest first (for the screening form's
    choice; the client page links straight to a client's screening)."""
    from kneadwell.clients.selectors import client_queryset

    screened = Participant.objects.within(study).filter(study=study).values("client_id")
    rows = client_queryset(actor=actor).exclude(pk__in=screened).order_by("-created_at")[:limit]
    return [(c.pk, f"{c.display_name} · born {c.birth_date:%d %b %Y} · {c.gestation_label}") for c in rows]
