"""Checks the course services share: who may run a course, whose baby an enrolment is, and the age rule."""

from __future__ import annotations

import datetime as dt

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm, Role
from kneadwell.clients.models import Client, Guardian
from kneadwell.core.errors import NotFound
from kneadwell.courses.models import Course, Enrolment


def require_runs(actor: Actor, course: Course) -> None:
    """The actor runs this course: its instructor, or an administrator of its organisation. Anyone else
    is told it does not exist, as for another organisation's course."""
    actor.require(Perm.COURSE_MANAGE)
    if course.organisation_id != actor.organisation_id:
        raise NotFound("No such course.")
    if actor.role is not Role.ADMIN and course.instructor_id != actor.user.pk:
        raise NotFound("No such course.")


def guardian_of(actor: Actor, client: Client) -> Guardian:
    """The actor's own guardian row for this baby (a parent enrols and logs only for their own)."""
    guardian = Guardian.objects.of_client(client).filter(user=actor.user).first()
    if guardian is None:
        raise NotFound("No such baby.")
    return guardian


def require_family(actor: Actor, enrolment: Enrolment) -> None:
    actor.require(Perm.COURSE_ENROL)
    if enrolment.organisation_id != actor.organisation_id or not (
        Guardian.objects.of_client(enrolment.client).filter(user=actor.user).exists()
    ):
        raise NotFound("No such enrolment.")


def weeks_and_days(days: int) -> str:
    weeks, rest = divmod(days, 7)
    if weeks == 0:
        return f"{rest} day{'s' if rest != 1 else ''}"
    out = f"{weeks} week{'s' if weeks != 1 else ''}"
    return out + (f" {rest} day{'s' if rest != 1 else ''}" if rest else "")


def age_range_label(course: Course) -> str:
    if course.min_age_weeks == 0:
        return f"babies up to {course.max_age_weeks} weeks old"
    return f"babies {course.min_age_weeks} to {course.max_age_weeks} weeks old"


def age_problem(course: Course, *, given_name: str, birth_date: dt.date) -> str | None:
    """Why a baby born on `birth_date` cannot join, or None. The age counts on the day of the first class:
    at least `min_age_weeks` and at most `max_age_weeks` weeks old, to the day."""
    age = (course.start_date - birth_date).days
    name = given_name.strip() or "Your baby"
    first = f"{course.start_date:%d %B %Y}"
    if age < 0:
        return (
            f"{name} will not be born yet at the first class ({first}). This course is for "
            f"{age_range_label(course)}; ask the instructor about a later course."
        )
    if age < course.min_age_weeks * 7:
        return (
            f"{name} will be {weeks_and_days(age)} old at the first class ({first}). This course is for "
            f"{age_range_label(course)}; ask the instructor about a later course."
        )
    if age > course.max_age_weeks * 7:
        return (
            f"{name} will be {weeks_and_days(age)} old at the first class ({first}). This course is for "
            f"{age_range_label(course)}; ask the instructor about a course for older babies."
        )
    return None
