"""What an outcome assessor sees (Perm.OUTCOME_ASSESS): the participants with a time point due or open,
who they are (name, clinic number, date of birth, to find the right child) and which instrument is due.
Never the arm, the study's arms, the allocation, plans, sessions, notes or earlier values: each row is
built here field by field, so nothing else can slip onto the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.access import access_note
from kneadwell.core.errors import NotFound
from kneadwell.evaluation.methods import outcomes as oc
from kneadwell.evaluation.models import STOPPED_PROGRAMME_ONLY, Participant, Study, StudyMeasurement
from kneadwell.evaluation.selectors.results import specs_of
from kneadwell.outcomes import instruments

SHOWN: tuple[str, ...] = ("due", "upcoming")


@dataclass(frozen=True)
class Task:
    participant_id: int
    participant_code: str
    study_code: str
    study_title: str
    client_name: str
    client_identifier: str
    birth_date: dt.date
    instrument_id: str
    instrument_name: str
    day: int
    opens: dt.date
    due: dt.date
    closes: dt.date
    status: str


def _tasks_for(participants: list[Participant], study: Study, today: dt.date) -> list[Task]:
    points = oc.time_points(specs_of(study))
    done = set(
        StudyMeasurement.objects.within(study)
        .filter(participant__in=participants, measurement__entered_in_error_at__isnull=True)
        .values_list("participant_id", "instrument_id", "day")
    )
    tasks = []
    for p in participants:
        assert p.randomised_at is not None
        randomised_on = timezone.localtime(p.randomised_at).date()
        for point in points:
            status = oc.status(
                randomised_on=randomised_on,
                point=point,
                today=today,
                done=(p.pk, point.instrument_id, point.day) in done,
                followed=p.followed,
            )
            opens, due, closes = oc.window(randomised_on, point)
            tasks.append(
                Task(
                    p.pk,
                    p.code,
                    study.code,
                    study.title,
                    p.client.display_name,
                    p.client.identifier,
                    p.client.birth_date,
                    point.instrument_id,
                    instruments.get_instrument(point.instrument_id).name,
                    point.day,
                    opens,
                    due,
                    closes,
                    status,
                )
            )
    return tasks


def _assessable(actor: Actor, participant_id: int | None = None) -> list[Participant]:
    rows = Participant.objects.for_organisation(actor.organisation_id)
    if participant_id is not None:
        rows = rows.filter(pk=participant_id)
    return list(
        rows.filter(
            status=Participant.Status.RANDOMISED,
            study__status__in=[Study.Status.RECRUITING, Study.Status.CLOSED],
        )
        .exclude(withdrawn_at__isnull=False, data_kept=False)
        .exclude(Q(withdrawn_at__isnull=False) & ~Q(withdrawal__in=STOPPED_PROGRAMME_ONLY))
        .select_related("client", "study")
        .order_by("study_id", "code")
    )


def assessment_tasks(*, actor: Actor, today: dt.date | None = None) -> list[Task]:
    """Time points due now or coming up, across the organisation's studies, soonest first."""
    actor.require(Perm.OUTCOME_ASSESS)
    today = today or timezone.localdate()
    participants = _assessable(actor)
    by_study: dict[int, list[Participant]] = {}
    for p in participants:
        by_study.setdefault(p.study_id, []).append(p)
    tasks = []
    for group in by_study.values():
        tasks += [t for t in _tasks_for(group, group[0].study, today) if t.status in SHOWN]
    return sorted(tasks, key=lambda t: (t.status != "due", t.due, t.participant_code))


def assessment_task(
    *, actor: Actor, participant_id: int, instrument_id: str, day: int | None
) -> tuple[Participant, Task]:
    """One time point to enter, with the participant (for the service): day `day`, or without one the
    earliest due now (else the next to come). Notes the read of the client."""
    actor.require(Perm.OUTCOME_ASSESS)
    found = _assessable(actor, participant_id)
    if not found:
        raise NotFound(_("No such participant to assess."))
    participant = found[0]
    tasks = [
        t
        for t in _tasks_for(found, participant.study, timezone.localdate())
        if t.instrument_id == instrument_id
    ]
    if day is None:  # the earliest due now, else the next to come
        tasks = sorted((t for t in tasks if t.status in SHOWN), key=lambda t: (t.status != "due", t.day))[:1]
    for task in tasks:
        if day is None or task.day == day:
            access_note(
                actor=actor,
                entity="study participant",
                entity_id=participant.pk,
                client_id=participant.client_id,
                purpose=f"opened to enter day {task.day} {instrument_id} for {participant.code}",
            )
            return participant, task
    raise NotFound(_("This participant has no such time point."))
