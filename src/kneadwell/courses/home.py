"""A family's home routine on a course: exactly the strokes taught at the classes the baby attended (left
early counts: the handout covers the rest), in the routine's order, run in the same guided player after
the same today's check. `session_steps` is the care hook (core/hooks.py SESSION_STEPS): when the baby is
enrolled on a course following the session's protocol, today's steps (already adapted to today's
verdict) are kept to the strokes taught; it never adds a step the check left out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from kneadwell.clients.models import Client
from kneadwell.core.errors import ValidationFailed
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Attendance, CourseClass, Enrolment
from kneadwell.library.selectors import library

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LEFT_EARLY)


def taught_strokes(*, enrolment: Enrolment) -> list[str]:
    """Stroke keys taught to this family so far, in the routine's order."""
    classes = CourseClass.objects.within(enrolment).filter(
        course_id=enrolment.course_id,
        held_at__isnull=False,
        attendance__enrolment=enrolment,
        attendance__status__in=ATTENDED,
    )
    keys: set[str] = set()
    for taught in classes.values_list("strokes_taught", flat=True):
        keys.update(taught or ())
    strokes = syl.strokes_of(library(), enrolment.course.protocol_id)
    return [s.key for s in syl.in_routine_order(strokes, keys)]


def home_enrolment(*, client: Client, protocol_id: str) -> Enrolment | None:
    """The baby's current course on this protocol (the latest they are enrolled on)."""
    return (
        Enrolment.objects.of_client(client)
        .filter(status=Enrolment.Status.ENROLLED, course__protocol_id=protocol_id)
        .select_related("course")
        .order_by("-course__start_date", "-id")
        .first()
    )


def session_steps(
    client: Client,
    protocol_id: str,
    steps: Sequence[Mapping[str, Any]],
    dropped: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    enrolment = home_enrolment(client=client, protocol_id=protocol_id)
    if enrolment is None:
        return None
    taught = taught_strokes(enrolment=enrolment)
    if not taught:
        raise ValidationFailed(
            {
                "check": [
                    _(
                        "%(given_name)s's home routine begins after the first class of %(course_title)s: it "
                        "holds the strokes taught in class so far."
                    )
                    % {"given_name": client.given_name, "course_title": enrolment.course.title}
                ]
            }
        )
    return syl.limit_steps(library(), steps, dropped, taught)
