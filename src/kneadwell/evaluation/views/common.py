"""What the evaluation pages share: the study loaded for a permission, and the participants table."""

from __future__ import annotations

from dataclasses import dataclass

from kneadwell.accounts.roles import Perm
from kneadwell.core.web import ActorRequest
from kneadwell.evaluation.models import Participant, Study
from kneadwell.evaluation.selectors.studies import shows_names, study_get


def load(request: ActorRequest, study_id: int, perm: Perm = Perm.STUDY_VIEW) -> Study:
    return study_get(actor=request.actor, study_id=study_id, perm=perm)


@dataclass(frozen=True)
class Row:
    participant: Participant
    name: str  # empty for readers who may not see names (researchers)


def rows(request: ActorRequest, participants: list[Participant]) -> list[Row]:
    named = shows_names(request.actor)
    return [Row(p, p.client.display_name if named else "") for p in participants]
