"""Reads of courses and their classes. An instructor sees only the courses they teach, an administrator
every course of the organisation; any other course (or another organisation's) is not found."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import Membership, User
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
        raise NotFound(_("No such course.")) from None


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
        raise NotFound(_("No such class.")) from None


def places_taken(*, course: Course) -> int:
    return Enrolment.objects.within(course).filter(course=course, status=Enrolment.Status.ENROLLED).count()


def instructor_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """Who may teach a course of the organisation (instructors and administrators), for an administrator's
    form; an instructor always teaches their own."""
    if actor.role is not Role.ADMIN:
        return []
    members = (
        Membership.objects.for_organisation(actor.organisation_id)
        .filter(is_active=True, role__in=(Role.INSTRUCTOR, Role.ADMIN))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [(m.user_id, f"{m.user.full_name or m.user.email} ({m.get_role_display()})") for m in members]


def next_class(*, course: Course, classes: list[CourseClass]) -> CourseClass | None:
    """The first class not yet recorded (the one to take attendance for, or to come)."""
    return next((c for c in classes if not c.recorded), None)


def babies_for_join(*, user: User, course: Course) -> list[tuple[int, str, bool]]:
    """A signed-in person's babies in the course's organisation: (id, name, already on the course). Read
    for the enrolment link's page, which has no organisation in force yet (the person may not be a member)."""
    from kneadwell.clients.models import Client

    babies = (
        Client.objects.for_organisation(course.organisation_id)
        .filter(guardians__user=user, archived_at__isnull=True)
        .order_by("given_name", "id")
        .distinct()
    )
    on_course = set(
        Enrolment.objects.filter(course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values_list("client_id", flat=True)
    )
    return [(b.pk, b.given_name, b.pk in on_course) for b in babies]


def membership_in(*, user: User, course: Course) -> Membership | None:
    return Membership.objects.filter(user=user, organisation_id=course.organisation_id).first()


def instructor_user(*, actor: Actor, user_id: int | None) -> User | None:
    """The member an administrator chose to teach a course (None when no choice was offered or made)."""
    if user_id is None or actor.role is not Role.ADMIN:
        return None
    if user_id not in {pk for pk, _ in instructor_choices(actor=actor)}:
        return User(pk=user_id)  # not a teacher here: the service refuses it with its message
    return User.objects.get(pk=user_id)
