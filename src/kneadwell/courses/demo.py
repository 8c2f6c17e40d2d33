"""The demo organisation's class series (`kneadwell serve --demo`): a course the demo instructor runs, that
began last week, with the demo parent's baby Leo enrolled, week 1 recorded and a few days of home practice
noted. Made once; a later --demo run leaves it as it is."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation, User
from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.courses import services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Course, CourseClass
from kneadwell.library.selectors import library

DEMO_COURSE = "Baby massage, Tuesday mornings"


def _actor(org: Organisation, user: User) -> Actor:
    return Actor(
        user=user, membership=Membership.objects.get(organisation=org, user=user), channel=Channel.SYSTEM
    )


def demo_course_seed(org: Organisation, users: dict[Role, User]) -> Course | None:
    if Role.INSTRUCTOR not in users or Course.objects.filter(organisation=org).exists():
        return None
    instructor = _actor(org, users[Role.INSTRUCTOR])
    parent = _actor(org, users[Role.CAREGIVER])
    today = timezone.localdate()
    course = services.course_create(
        actor=instructor,
        title=DEMO_COURSE,
        venue="Community centre, Mill Lane (room 2)",
        start_date=today - dt.timedelta(days=7),
        class_time=dt.time(10, 0),
        capacity=6,
        min_age_weeks=4,
        max_age_weeks=30,
    )
    leo = Client.objects.filter(organisation=org, given_name="Leo").first()
    if leo is None:
        return course
    enrolment = services.enrolment_create(
        actor=parent, course=course, client=leo, share_with_instructor=True, other_parent="Sam Hart"
    )
    week1 = CourseClass.objects.get(course=course, week=1)
    strokes = syl.strokes_of(library(), course.protocol_id)
    services.class_record(
        actor=instructor,
        course_class=week1,
        expected_version=week1.version,
        families=[services.FamilyInClass(enrolment.pk, "present", cues=["smiling", "mutual_gaze"])],
        strokes_taught=[s.key for s in syl.week_strokes(strokes, course.syllabus, 1)],
        notes="A calm first class; Leo watched everything.",
    )
    for days_ago, minutes, response in ((5, 7, "enjoyed"), (4, 6, "mixed"), (2, 8, "enjoyed")):
        services.practice_log(
            actor=parent,
            enrolment=enrolment,
            day=today - dt.timedelta(days=days_ago),
            minutes=minutes,
            response=response,
        )
    return course
