"""Reads of courses and their classes. An instructor sees only the courses they teach, an administrator
every course of the organisation; any other course (or another organisation's) is not found."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm, Role
from kneadwell.core.errors import NotFound
from kneadwell.courses.models import Course, CourseClass, Enrolment


def course_queryset(*, actor: Actor) -> QuerySet[Course]:
    actor.require(Perm.COURSE_VIEW)
    courses = Course.objects.for_organisation(actor.organisation_id)
    if actor.role is not Role.ADMIN:
        courses = courses.filter(instructor=actor.user)
    return courses


def course_list(*, actor: Actor) -> QuerySet[Course]:
    """The actor's courses, newest first, with their places taken and families waiting."""
    return (
        course_queryset(actor=actor)
        .select_related("instructor")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
        )
    )


def course_get(*, actor: Actor, course_id: int) -> Course:
    try:
        return course_queryset(actor=actor).select_related("instructor").get(pk=course_id)
    except (Course.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such course.") from None


def course_by_join_token(*, token: str) -> Course | None:
    """The course a enrolment link opens (the link's token is its only credential)."""
    if not token or len(token) > 64:
        return None
    return Course.objects.select_related("instructor").filter(join_token=token).first()


def course_by_calendar_token(*, token: str) -> Course | None:
    if not token or len(token) > 64:
        return None
    return Course.objects.filter(calendar_token=token).first()


def class_list(*, course: Course) -> list[CourseClass]:
    return list(CourseClass.objects.within(course).filter(course=course).order_by("week"))


def class_get(*, course: Course, week: int) -> CourseClass:
    try:
        return CourseClass.objects.within(course).select_related("course").get(course=course, week=week)
    except (CourseClass.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such class.") from None


def places_taken(*, course: Course) -> int:
    return Enrolment.objects.within(course).filter(course=course, status=Enrolment.Status.ENROLLED).count()
