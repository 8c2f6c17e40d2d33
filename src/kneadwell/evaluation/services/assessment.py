"""Outcome entry for a study participant's time point, by an assessor. The measurement is recorded through
the outcomes app (same scoring, plausibility checks, consent and audit); the study keeps which participant
and time point it is for, who entered it and whether they were blinded to the arm (evaluation/blinding.py:
their role can open nothing that shows it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.evaluation.blinding import role_is_blinded
from kneadwell.evaluation.methods.outcomes import TimePoint, time_points, window
from kneadwell.evaluation.models import Participant, Study, StudyMeasurement
from kneadwell.evaluation.selectors.results import specs_of
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services.recording import measurement_record_assessed


def time_point_for(study: Study, instrument_id: str, day: int) -> TimePoint:
    for point in time_points(specs_of(study)):
        if point.instrument_id == instrument_id and point.day == day:
            return point
    raise NotFound(
        _("Study %(study_code)s has no time point day %(day)s for this instrument.")
        % {"study_code": study.code, "day": day}
    )


def outcome_enter(
    *,
    actor: Actor,
    participant: Participant,
    instrument_id: str,
    day: int,
    answers: Mapping[str, Any],
    taken_at: dt.datetime | dt.date,
    confirm_unusual: bool = False,
    notes: str = "",
) -> StudyMeasurement:
    actor.require(Perm.OUTCOME_ASSESS)
    with transaction.atomic():
        try:
            row: Participant = (
                Participant.objects.for_organisation(actor.organisation_id)
                .select_related("study", "client")
                .select_for_update()
                .get(pk=participant.pk)
            )
        except Participant.DoesNotExist:
            raise NotFound(_("No such participant.")) from None
        if row.status != Participant.Status.RANDOMISED or row.study.status == Study.Status.DRAFT:
            raise NotFound(_("No such participant."))
        if row.is_withdrawn and not row.data_kept:
            raise DomainError(
                _("%(code)s was withdrawn and their data is not to be used; nothing is recorded.")
                % {"code": row.code}
            )
        point = time_point_for(row.study, instrument_id, day)
        assert row.randomised_at is not None
        opens, due, closes = window(timezone.localtime(row.randomised_at).date(), point)
        if isinstance(taken_at, dt.datetime):
            taken_day = (
                timezone.localtime(taken_at).date() if timezone.is_aware(taken_at) else taken_at.date()
            )
        else:
            taken_day = taken_at
        if not opens <= taken_day <= closes:
            raise ValidationFailed(
                {
                    "taken_at": [
                        _("Day %(day)s is due %(due)s: take it between %(opens)s and %(closes)s.")
                        % {
                            "day": day,
                            "due": dateformat.format(due, "d M Y"),
                            "opens": dateformat.format(opens, "d M"),
                            "closes": dateformat.format(closes, "d M Y"),
                        }
                    ]
                }
            )
        context = Measurement.Context.BASELINE if day == 0 else Measurement.Context.END
        measurement = measurement_record_assessed(
            actor=actor,
            client=row.client,
            instrument_id=instrument_id,
            answers=answers,
            taken_at=taken_at,
            context=context,
            confirm_unusual=confirm_unusual,
            notes=notes,
        )
        blinded = role_is_blinded(actor.role)
        entry = StudyMeasurement(
            organisation_id=row.organisation_id,
            participant=row,
            measurement=measurement,
            instrument_id=instrument_id,
            day=day,
            entered_by=actor.user,
            entered_role=actor.role.value,
            blinded=blinded,
        )
        return create_audited(
            actor=actor,
            obj=entry,
            entity="study measurement",
            client_id=row.client_id,
            summary=f"entered day {day} {instrument_id} for {row.code}"
            + (" (blinded)" if blinded else " (not blinded)"),
            changes={"participant": row.code, "day": day, "measurement": measurement.pk, "blinded": blinded},
        )
