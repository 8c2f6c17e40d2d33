"""The instructor's course page at a glance, and a family's practice log: attendance per class, home
practice (days the family noted, and sessions in the guided player), and who to follow up
(courses/followup.py). A family's practice is read only when the family shares it. A fixed number of
queries whatever the number of families."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.care.models import Observation, Session
from kneadwell.courses import followup
from kneadwell.courses.models import Attendance, Course, CourseClass, Enrolment, PracticeEntry
from kneadwell.library.selectors import library


@dataclass(frozen=True)
class FamilyRow:
    enrolment: Enrolment
    weeks: list[Attendance | None]  # one per class held, in week order (None: no line recorded)
    summary: followup.FamilySummary
    practice: list[followup.Practice]  # newest first; empty when not shared


def _course_start(course: Course) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(course.start_date, dt.time.min))


def practice_of(*, course: Course, enrolments: Sequence[Enrolment]) -> dict[int, list[followup.Practice]]:
    """Enrolment id -> its practice (noted days and player sessions since the course began), for the
    enrolments given (the caller passes only those the reader may see)."""
    out: dict[int, list[followup.Practice]] = defaultdict(list)
    if not enrolments:
        return out
    by_client = {e.client_id: e.pk for e in enrolments}
    for entry in PracticeEntry.objects.within(course).filter(enrolment__in=[e.pk for e in enrolments]):
        out[entry.enrolment_id].append(
            followup.Practice(
                day=entry.day,
                minutes=float(entry.minutes),
                response=entry.response,
                source="noted",
                note=entry.note,
            )
        )
    sessions = list(
        Session.objects.for_organisation(course.organisation_id)
        .filter(
            client_id__in=list(by_client),
            protocol_id=course.protocol_id,
            started_at__gte=_course_start(course),
            status__in=(Session.Status.COMPLETED, Session.Status.STOPPED),
        )
        .annotate(seconds=Sum("step_logs__seconds"))
        .values("pk", "client_id", "started_at", "status", "stop_reason", "seconds")
    )
    lib = library()
    cues: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for session_id, code in Observation.objects.filter(
        session_id__in=[s["pk"] for s in sessions], kind=Observation.Kind.CUE
    ).values_list("session_id", "code"):
        cue = lib.cues.get(code)
        if cue is not None:
            cues[session_id].append((cue.kind, cue.strength))
    for s in sessions:
        stopped = s["status"] == Session.Status.STOPPED
        out[by_client[s["client_id"]]].append(
            followup.Practice(
                day=timezone.localtime(s["started_at"]).date(),
                minutes=round((s["seconds"] or 0.0) / 60, 1),
                response=followup.session_response(cues[s["pk"]], stopped),
                source="player",
                note=_("Stopped: %(stop_reason)s") % {"stop_reason": s["stop_reason"]}
                if stopped and s["stop_reason"]
                else "",
            )
        )
    for rows in out.values():
        rows.sort(key=lambda p: p.day, reverse=True)
    return out


def course_overview(
    *, course: Course, enrolments: Sequence[Enrolment], classes: Sequence[CourseClass]
) -> list[FamilyRow]:
    """One row per enrolled family (`enrolments` from enrolment_list)."""
    lib = library()
    held = [c for c in classes if c.recorded]
    families = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    lines = {
        (a.enrolment_id, a.course_class_id): a
        for a in Attendance.objects.within(course).filter(course_class__in=[c.pk for c in held])
    }
    practice = practice_of(course=course, enrolments=[e for e in families if e.share_with_instructor])
    today = timezone.localdate()
    rows = []
    for enrolment in families:
        weeks = [lines.get((enrolment.pk, c.pk)) for c in held]
        facts = followup.FamilyFacts(
            shares=enrolment.share_with_instructor,
            classes=[
                followup.ClassLine(
                    week=c.week,
                    status=a.status if a else "",
                    reason=a.left_early_reason if a else "",
                    strong_cues=tuple(
                        lib.cues[code].label
                        for code in (a.cues if a else [])
                        if code in lib.cues
                        and lib.cues[code].kind == "disengagement"
                        and lib.cues[code].strength == "potent"
                    ),
                )
                for c, a in zip(held, weeks, strict=True)
            ],
            practice=practice.get(enrolment.pk, []),
        )
        rows.append(
            FamilyRow(
                enrolment=enrolment,
                weeks=weeks,
                summary=followup.summarise(facts, today=today),
                practice=practice.get(enrolment.pk, []),
            )
        )
    return rows
