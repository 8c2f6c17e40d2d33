"""A family's side of a course (issue 12): their enrolments, enrolling a baby they have through the
course's link (a parent who is already a member of the course's organisation), the home routine taught
so far, noting home practice and choosing what the instructor sees. A new family enrols through the link's
page (family sign-up's form)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Date, Id, LongText, ShortText
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import NotFound
from kneadwell.courses import selectors, services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.home import taught_strokes
from kneadwell.courses.models import Enrolment
from kneadwell.library.selectors import library

router = Router(tags=["courses"])


class StrokeOut(Schema):
    key: str
    name: str
    area: str


class MyClassOut(Schema):
    week: int
    starts_at: dt.datetime
    attended: str = Field(..., description="present, absent, left_early, or empty (not recorded yet)")


class EnrolmentOut(Schema):
    id: int
    course_id: int
    course: str
    client_id: int
    baby: str
    status: str
    share_with_instructor: bool
    next_class: dt.datetime | None
    classes: list[MyClassOut]
    home_routine: list[StrokeOut] = Field(
        ..., description="The strokes taught at the classes the baby came to, in the routine's order"
    )
    protocol_id: str = Field(..., description="Run the home routine by a readiness check for this protocol")
    version: int


class EnrolIn(BodyIn):
    join_token: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        ..., description="The token of the course's enrolment link (/courses/join/<token>/)"
    )
    client_id: Id
    share_with_instructor: bool = False
    other_parent: ShortText = ""


class PracticeIn(BodyIn):
    day: Date
    minutes: int = Field(..., ge=1, le=180)
    response: Literal["enjoyed", "mixed", "unsettled"]
    note: Annotated[str, Field(max_length=2000)] = ""


class PracticeOut(Schema):
    id: int
    day: dt.date
    minutes: int
    response: str
    note: str


class ShareIn(BodyIn):
    share_with_instructor: bool


class LeaveIn(BodyIn):
    reason: LongText


def enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    course = enrolment.course
    classes = selectors.class_list(course=course)
    lines = {
        a.course_class_id: a.status
        for a in selectors.attendance_of_course(course=course)
        if a.enrolment_id == enrolment.pk
    }
    strokes = syl.in_routine_order(
        syl.strokes_of(library(), course.protocol_id), taught_strokes(enrolment=enrolment)
    )
    upcoming = selectors.next_class(course=course, classes=classes)
    return EnrolmentOut(
        id=enrolment.pk,
        course_id=course.pk,
        course=course.title,
        client_id=enrolment.client_id,
        baby=enrolment.client.given_name,
        status=enrolment.status,
        share_with_instructor=enrolment.share_with_instructor,
        next_class=upcoming.starts_at if upcoming else None,
        classes=[
            MyClassOut(week=c.week, starts_at=c.starts_at, attended=lines.get(c.pk, "")) for c in classes
        ],
        home_routine=[StrokeOut(key=s.key, name=s.name, area=s.section_label) for s in strokes],
        protocol_id=course.protocol_id,
        version=enrolment.version,
    )


@router.get(
    "/enrolments",
    response=responses({200: list[EnrolmentOut]}, 403),
    summary="Your babies' courses (not those you left)",
    operation_id="kneadwell_api_courses_my_enrolments",
)
@needs(Perm.COURSE_ENROL)
def my_enrolments(request: HttpRequest) -> list[EnrolmentOut]:
    return [enrolment_out(e) for e in selectors.my_enrolments(actor=actor_of(request))]


@router.post(
    "/enrolments",
    response=responses({201: EnrolmentOut}, 403, 404, 409),
    summary="Enrol your baby through the course's link (a place, or the waiting list when it is full)",
    description="A baby outside the course's age range on the day of the first class is a 422 that says "
    "why. The course must belong to the organisation your token is for; a 409 when no consent covers "
    "massage sessions.",
    operation_id="kneadwell_api_courses_enrol",
)
@needs(Perm.COURSE_ENROL)
def enrol(request: HttpRequest, payload: EnrolIn) -> Status[EnrolmentOut]:
    actor = actor_of(request)
    course = selectors.course_by_join_token(token=payload.join_token)
    if course is None or course.organisation_id != actor.organisation_id:
        raise NotFound(_("No such course: check the enrolment link."), field="join_token")
    client = client_get(actor=actor, client_id=payload.client_id, purpose="enrolled on a course")
    enrolment = services.enrolment_create(
        actor=actor,
        course=course,
        client=client,
        share_with_instructor=payload.share_with_instructor,
        other_parent=payload.other_parent,
    )
    return Status(201, enrolment_out(selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment.pk)))


@router.get(
    "/enrolments/{enrolment_id}",
    response=responses({200: EnrolmentOut}, 403, 404),
    summary="One of your babies' courses, with the home routine taught so far",
    operation_id="kneadwell_api_courses_my_enrolment",
)
@needs(Perm.COURSE_ENROL)
def my_enrolment(request: HttpRequest, enrolment_id: Id) -> EnrolmentOut:
    return enrolment_out(selectors.my_enrolment_get(actor=actor_of(request), enrolment_id=enrolment_id))


@router.post(
    "/enrolments/{enrolment_id}/practice",
    response=responses({201: PracticeOut}, 403, 404),
    summary="Note a day of home practice (sessions in the guided player count by themselves)",
    operation_id="kneadwell_api_courses_practice_log",
)
@needs(Perm.COURSE_ENROL)
def practice_log(request: HttpRequest, enrolment_id: Id, payload: PracticeIn) -> Status[PracticeOut]:
    actor = actor_of(request)
    enrolment = selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    entry = services.practice_log(
        actor=actor,
        enrolment=enrolment,
        day=payload.day,
        minutes=payload.minutes,
        response=payload.response,
        note=payload.note,
    )
    return Status(
        201,
        PracticeOut(
            id=entry.pk, day=entry.day, minutes=entry.minutes, response=entry.response, note=entry.note
        ),
    )


@router.post(
    "/enrolments/{enrolment_id}/sharing",
    response=responses({200: EnrolmentOut}, 403, 404),
    summary="Show (or stop showing) your home practice and your baby's record to the instructor",
    operation_id="kneadwell_api_courses_sharing",
)
@needs(Perm.COURSE_ENROL)
def sharing(request: HttpRequest, enrolment_id: Id, payload: ShareIn) -> EnrolmentOut:
    actor = actor_of(request)
    enrolment = selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    services.enrolment_share_set(actor=actor, enrolment=enrolment, share=payload.share_with_instructor)
    return enrolment_out(selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id))


@router.post(
    "/enrolments/{enrolment_id}/leave",
    response=responses({200: EnrolmentOut}, 403, 404),
    summary="Leave the course (or its waiting list)",
    operation_id="kneadwell_api_courses_leave",
)
@needs(Perm.COURSE_ENROL)
def leave(request: HttpRequest, enrolment_id: Id, payload: LeaveIn) -> EnrolmentOut:
    actor = actor_of(request)
    enrolment = selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    services.enrolment_withdraw(actor=actor, enrolment=enrolment, reason=payload.reason)
    return enrolment_out(selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id))
