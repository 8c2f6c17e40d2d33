"""A family's note of a day of home practice (days, minutes, how the baby responded). Sessions run in the
guided player are already recorded by care; this is for practice done without it."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.audit.writes import create_audited
from kneadwell.core.errors import ValidationFailed
from kneadwell.courses.models import Enrolment, PracticeEntry
from kneadwell.courses.services.common import require_family

MAX_MINUTES = 180  # a generous bound for one day's practice; more is a typing error (the model's check)


def practice_log(
    *,
    actor: Actor,
    enrolment: Enrolment,
    day: dt.date | None,
    minutes: int | None,
    response: str,
    note: str = "",
) -> PracticeEntry:
    require_family(actor, enrolment)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        errors["enrolment"] = [_("This enrolment was withdrawn.")]
    if day is None:
        errors["day"] = [_("Enter the day you practised.")]
    elif day > today:
        errors["day"] = [_("That day is still to come: note practice once it is done.")]
    elif day < enrolment.course.start_date:
        errors["day"] = [
            _("The course began on %(date)s: note practice since then.")
            % {"date": dateformat.format(enrolment.course.start_date, "d M Y")}
        ]
    if minutes is None or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = [_("Enter the minutes, 1 to %(max_minutes)s.") % {"max_minutes": MAX_MINUTES}]
    if response not in PracticeEntry.Response.values:
        errors["response"] = [_("Choose how your baby responded.")]
    if len(note) > 2000:
        errors["note"] = [_("Keep the note to 2,000 characters.")]
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    assert minutes is not None
    entry = PracticeEntry(
        organisation_id=enrolment.organisation_id,
        enrolment=enrolment,
        day=day,
        minutes=minutes,
        response=response,
        note=note.strip(),
        recorded_by=actor.user,
    )
    return create_audited(
        actor=actor,
        obj=entry,
        entity="practice",
        client_id=enrolment.client_id,
        summary=f"noted {minutes} min of home practice on {day:%d %b}",
        changes={"day": day.isoformat(), "minutes": minutes, "response": response},
    )
