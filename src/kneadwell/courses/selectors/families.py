"""Reads of the families on a course: for the instructor (enrolments, attendance; a family's practice and
record only when the family shares them) and for the family itself (their own enrolments). Opening a
family's line on the course page notes a read of the baby's record (audited at the request's end)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.access import access_note
from kneadwell.core.errors import NotFound
from kneadwell.courses.models import Attendance, Course, CourseClass, Enrolment, PracticeEntry


def enrolment_list(*, actor: Actor, course: Course, purpose: str = "viewed the course") -> list[Enrolment]:
    """Every family on the course (enrolled, waiting, withdrawn), in the order they joined. `course` comes
    from course_get (the actor runs it); each baby's read is noted for the audit log."""
    actor.require(Perm.COURSE_VIEW)
    rows = list(
        Enrolment.objects.within(course)
        .filter(course=course)
        .select_related("client", "guardian", "consent")
        .order_by("joined_at", "id")
    )
    for row in rows:
        access_note(
            actor=actor, entity="enrolment", entity_id=row.pk, client_id=row.client_id, purpose=purpose
        )
    return rows


def enrolment_get(*, actor: Actor, course: Course, enrolment_id: int) -> Enrolment:
    actor.require(Perm.COURSE_VIEW)
    try:
        row = (
            Enrolment.objects.within(course)
            .select_related("client", "guardian", "course")
            .get(course=course, pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such family on this course.")) from None
    access_note(
        actor=actor,
        entity="enrolment",
        entity_id=row.pk,
        client_id=row.client_id,
        purpose="viewed the family",
    )
    return row


def attendance_of_class(*, course_class: CourseClass) -> dict[int, Attendance]:
    """Enrolment id -> its attendance line in this class."""
    return {
        a.enrolment_id: a for a in Attendance.objects.within(course_class).filter(course_class=course_class)
    }


def attendance_of_course(*, course: Course) -> list[Attendance]:
    return list(
        Attendance.objects.within(course)
        .filter(course_class__course=course)
        .select_related("course_class")
        .order_by("course_class__week")
    )


def practice_entries(*, enrolment: Enrolment) -> QuerySet[PracticeEntry]:
    return PracticeEntry.objects.within(enrolment).filter(enrolment=enrolment).order_by("-day", "-id")


# --- the family's own view --------------------------------------------------------------------------
def my_enrolments(*, actor: Actor) -> list[Enrolment]:
    """The courses the actor's own babies are on (or waiting for), newest course first."""
    actor.require(Perm.COURSE_ENROL)
    return list(
        Enrolment.objects.for_organisation(actor.organisation_id)
        .filter(client__guardians__user=actor.user, client__archived_at__isnull=True)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course", "course__instructor", "client")
        .order_by("-course__start_date", "id")
        .distinct()
    )


def my_enrolment_get(*, actor: Actor, enrolment_id: int) -> Enrolment:
    actor.require(Perm.COURSE_ENROL)
    try:
        row = (
            Enrolment.objects.for_organisation(actor.organisation_id)
            .filter(client__guardians__user=actor.user)
            .select_related("course", "course__instructor", "client", "guardian")
            .distinct()
            .get(pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such enrolment.")) from None
    access_note(
        actor=actor,
        entity="enrolment",
        entity_id=row.pk,
        client_id=row.client_id,
        purpose="viewed the course",
    )
    return row
