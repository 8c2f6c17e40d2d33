"""Recording a class: who came (present, absent, left early and why), how each baby responded (the
player's cues), which strokes were taught and the instructor's notes. A family's home routine grows from
what they were taught here (courses/home.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.audit.writes import create_audited, edit_audited, save_audited
from kneadwell.core.errors import ValidationFailed
from kneadwell.core.marking import english
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Attendance, CourseClass, Enrolment
from kneadwell.courses.services.common import require_runs
from kneadwell.library.selectors import library

MAX_NOTE = 5000


@dataclass(frozen=True)
class FamilyInClass:
    """One family's line in a class record."""

    enrolment_id: int
    status: str
    left_early_reason: str = ""
    cues: Sequence[str] = field(default_factory=tuple)
    response_note: str = ""


def class_cue_ids() -> list[str]:
    """The cues a class records: the player's cues for a baby at home (not the neonatal unit's own)."""
    lib = library()
    return [c.id for c in lib.cues.values() if c.context == "any"]


def class_record(
    *,
    actor: Actor,
    course_class: CourseClass,
    expected_version: int | None,
    families: Sequence[FamilyInClass],
    strokes_taught: Sequence[str],
    notes: str = "",
) -> CourseClass:
    """Record (or correct) a class. Every enrolled family needs a line; each line's problems are named by
    the family's position (`families.<n>.<field>`)."""
    course = course_class.course
    require_runs(actor, course)
    lib = library()
    known_strokes = {s.key for s in syl.strokes_of(lib, course.protocol_id)}
    known_cues = set(class_cue_ids())
    enrolled = {
        e.pk: e
        for e in Enrolment.objects.filter(course=course, status=Enrolment.Status.ENROLLED).select_related(
            "client"
        )
    }
    errors: dict[str, list[str]] = {}
    stray = sorted(set(strokes_taught) - known_strokes)
    if stray:
        errors["strokes_taught"] = [
            _("Not a stroke of this course's routine: %(stray)s.") % {"stray": ", ".join(stray)}
        ]
    if len(notes) > MAX_NOTE:
        errors["notes"] = [_("Keep the notes to %(max)s characters.") % {"max": f"{MAX_NOTE:,}"}]
    if timezone.localtime(course_class.starts_at).date() > timezone.localdate():
        errors["class"] = [
            _("Week %(week)s's class is on %(date)s: record it on the day.")
            % {
                "week": course_class.week,
                "date": dateformat.format(timezone.localtime(course_class.starts_at), "d M"),
            }
        ]
    seen: set[int] = set()
    for n, line in enumerate(families):
        where = f"families.{n}"
        enrolment = enrolled.get(line.enrolment_id)
        if enrolment is None:
            errors[f"{where}.enrolment_id"] = [_("Not a family enrolled on this course.")]
            continue
        if line.enrolment_id in seen:
            errors[f"{where}.enrolment_id"] = [
                _("%(given_name)s is listed twice.") % {"given_name": enrolment.client.given_name}
            ]
        seen.add(line.enrolment_id)
        name = enrolment.client.given_name
        if line.status not in Attendance.Status.values:
            errors[f"{where}.status"] = [
                _("%(name)s: choose present, absent or left early.") % {"name": name}
            ]
        if line.status == Attendance.Status.LEFT_EARLY and not line.left_early_reason.strip():
            errors[f"{where}.left_early_reason"] = [
                _("%(name)s left early: say why (e.g. “baby unsettled”, “feed time”).") % {"name": name}
            ]
        bad = sorted(set(line.cues) - known_cues)
        if bad:
            errors[f"{where}.cues"] = [
                _("%(name)s: not a cue the player knows: %(bad)s.") % {"name": name, "bad": ", ".join(bad)}
            ]
        if line.status == Attendance.Status.ABSENT and line.cues:
            errors[f"{where}.cues"] = [_("%(name)s was absent: no response to record.") % {"name": name}]
        if len(line.response_note) > MAX_NOTE or len(line.left_early_reason) > MAX_NOTE:
            errors[f"{where}.response_note"] = [
                _("Keep each note to %(max)s characters.") % {"max": f"{MAX_NOTE:,}"}
            ]
    missing = [enrolled[pk].client.given_name for pk in enrolled if pk not in seen]
    if missing:
        errors["families"] = [
            _("Say whether these babies came: %(sorted)s.") % {"sorted": ", ".join(sorted(missing))}
        ]
    if errors:
        raise ValidationFailed(errors)
    taught = [s.key for s in syl.in_routine_order(syl.strokes_of(lib, course.protocol_id), strokes_taught)]
    with (
        transaction.atomic(),
        edit_audited(
            actor=actor,
            queryset=CourseClass.objects.for_organisation(actor.organisation_id).filter(course=course),
            pk=course_class.pk,
            expected_version=expected_version,
            entity="course_class",
            fields=("strokes_taught", "notes"),
            summary=f"recorded week {course_class.week} of {course.title}",
            not_found="No such class.",
        ) as edit,
    ):
        first_time = edit.row.held_at is None
        if first_time:
            edit.row.held_at = timezone.now()
            edit.row.recorded_by = actor.user
        edit.apply({"strokes_taught": taught, "notes": notes.strip()})
        if not first_time:
            edit.summary = f"corrected the record of week {course_class.week} of {course.title}"
        current = {
            a.enrolment_id: a for a in Attendance.objects.filter(course_class=edit.row).select_for_update()
        }
        for line in families:
            _attendance_save(
                actor, edit.row, enrolled[line.enrolment_id], line, current.get(line.enrolment_id)
            )
    return edit.row


def _attendance_save(
    actor: Actor,
    course_class: CourseClass,
    enrolment: Enrolment,
    line: FamilyInClass,
    existing: Attendance | None,
) -> None:
    values: Mapping[str, object] = {
        "status": line.status,
        "left_early_reason": line.left_early_reason.strip()
        if line.status == Attendance.Status.LEFT_EARLY
        else "",
        "cues": sorted(set(line.cues)),
        "response_note": line.response_note.strip(),
    }
    status = english(Attendance.Status(line.status).label).lower()  # the audit log is kept in English
    label = f"{enrolment.client.given_name}: {status} in week {course_class.week}"
    if existing is None:
        create_audited(
            actor=actor,
            obj=Attendance(
                organisation_id=course_class.organisation_id,
                course_class=course_class,
                enrolment=enrolment,
                recorded_by=actor.user,
                **values,
            ),
            entity="attendance",
            client_id=enrolment.client_id,
            summary=label,
            changes=dict(values),
        )
        return
    changed = {k: [getattr(existing, k), v] for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        return
    for name, value in values.items():
        setattr(existing, name, value)
    existing.recorded_by = actor.user
    save_audited(
        actor=actor,
        obj=existing,
        entity="attendance",
        client_id=enrolment.client_id,
        summary=f"corrected {label}",
        changes=changed,
    )
