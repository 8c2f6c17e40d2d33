"""Checks the course services share: who may run a course, whose baby an enrolment is, and the age rule."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        raise NotFound(_("No such course."))
    if actor.role is not Role.ADMIN and course.instructor_id != actor.user.pk:
        raise NotFound(_("No such course."))


def guardian_of(actor: Actor, client: Client) -> Guardian:
    """The actor's own guardian row for this baby (a parent enrols and logs only for their own)."""
    guardian = Guardian.objects.of_client(client).filter(user=actor.user).first()
    if guardian is None:
        raise NotFound(_("No such baby."))
    return guardian


def require_family(actor: Actor, enrolment: Enrolment) -> None:
    actor.require(Perm.COURSE_ENROL)
    if enrolment.organisation_id != actor.organisation_id or not (
        Guardian.objects.of_client(enrolment.client).filter(user=actor.user).exists()
    ):
        raise NotFound(_("No such enrolment."))


def weeks_and_days(days: int) -> str:
    weeks, rest = divmod(days, 7)
    in_days = ngettext("%(count)s day", "%(count)s days", rest) % {"count": rest}
    if weeks == 0:
        return in_days
    in_weeks = ngettext("%(count)s week", "%(count)s weeks", weeks) % {"count": weeks}
    if not rest:
        return in_weeks
    return _("%(weeks)s %(days)s") % {"weeks": in_weeks, "days": in_days}


def age_range_label(course: Course) -> str:
    if course.min_age_weeks == 0:
        return _("babies up to %(max)s weeks old") % {"max": course.max_age_weeks}
    return _("babies %(min)s to %(max)s weeks old") % {
        "min": course.min_age_weeks,
        "max": course.max_age_weeks,
    }


def age_problem(course: Course, *, given_name: str, birth_date: dt.date) -> str | None:
    """Why a baby born on `birth_date` cannot join, or None. The age counts on the day of the first class:
    at least `min_age_weeks` and at most `max_age_weeks` weeks old, to the day."""
    age = (course.start_date - birth_date).days
    values = {
        "name": given_name.strip() or _("Your baby"),
        "first": dateformat.format(course.start_date, "d F Y"),
        "range": age_range_label(course),
    }
    if age < 0:
        return (
            _(
                "%(name)s will not be born yet at the first class (%(first)s). This course is for %(range)s; "
                "ask the instructor about a later course."
            )
            % values
        )
    values["age"] = weeks_and_days(age)
    if age < course.min_age_weeks * 7:
        return (
            _(
                "%(name)s will be %(age)s old at the first class (%(first)s). This course is for %(range)s; "
                "ask the instructor about a later course."
            )
            % values
        )
    if age > course.max_age_weeks * 7:
        return (
            _(
                "%(name)s will be %(age)s old at the first class (%(first)s). This course is for %(range)s; "
                "ask the instructor about a course for older babies."
            )
            % values
        )
    return None
