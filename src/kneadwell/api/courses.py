"""Courses for instructors (issue 12): their class series, the families at a glance, recording a class,
a family's shared practice, invitations, withdrawal and the weekly handout as a PDF. An instructor
reaches only the courses they teach (an administrator every course of the organisation); any other
course, and another organisation's, is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Date, Id, LongText, ShortText
from kneadwell.courses import selectors, services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Course, Enrolment
from kneadwell.library.selectors import library

router = Router(tags=["courses"])

ClockTime = Annotated[
    str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Local clock time, HH:MM (24 hours)")
]
StrokeKey = Annotated[str, Field(max_length=130, pattern=r"^[a-z0-9_]*\.[a-z0-9_]+$")]
CueId = Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]+$")]
Week = Annotated[int, Field(ge=1, le=syl.MAX_WEEKS)]

PDF_RESPONSE = {
    200: {
        "description": "The week's handout as a PDF file",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class CourseIn(BodyIn):
    title: ShortText
    venue: Annotated[str, Field(max_length=200)] = ""
    online_link: Annotated[str, Field(max_length=500)] = ""
    start_date: Date = Field(..., description="The first class's date")
    class_time: ClockTime
    class_minutes: int = Field(60, ge=15, le=180)
    weeks: int = Field(syl.DEFAULT_WEEKS, ge=syl.MIN_WEEKS, le=syl.MAX_WEEKS)
    capacity: int = Field(8, ge=1, le=30)
    language: Annotated[str, Field(min_length=1, max_length=60)] = "English"
    min_age_weeks: int = Field(0, ge=0, le=51, description="Youngest age, in weeks, at the first class")
    max_age_weeks: int = Field(52, ge=1, le=52, description="Oldest age, in weeks, at the first class")
    reminders: bool = True
    syllabus: dict[StrokeKey, Annotated[int, Field(ge=0, le=syl.MAX_WEEKS)]] | None = Field(
        None,
        description="Stroke key -> the week it is introduced in (0: not taught); the library's default when "
        "left out. Strokes left out are not taught; asking permission and the closing stay in week 1",
    )


class CoursePatch(BodyIn):
    version: int = Field(..., ge=1, description="The version you loaded; a newer one on the server is a 409")
    title: ShortText | None = None
    venue: Annotated[str, Field(max_length=200)] | None = None
    online_link: Annotated[str, Field(max_length=500)] | None = None
    start_date: Date | None = None
    class_time: ClockTime | None = None
    class_minutes: int | None = Field(None, ge=15, le=180)
    weeks: int | None = Field(None, ge=syl.MIN_WEEKS, le=syl.MAX_WEEKS)
    capacity: int | None = Field(None, ge=1, le=30)
    language: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    min_age_weeks: int | None = Field(None, ge=0, le=51)
    max_age_weeks: int | None = Field(None, ge=1, le=52)
    reminders: bool | None = None
    syllabus: dict[StrokeKey, Annotated[int, Field(ge=0, le=syl.MAX_WEEKS)]] | None = None


class ClassOut(Schema):
    week: int
    starts_at: dt.datetime
    recorded: bool
    review: bool
    strokes_planned: list[str]
    strokes_taught: list[str]
    notes: str
    version: int


class CourseOut(Schema):
    id: int
    title: str
    venue: str
    online_link: str
    start_date: dt.date
    class_time: str
    class_minutes: int
    weeks: int
    capacity: int
    places_taken: int
    language: str
    min_age_weeks: int
    max_age_weeks: int
    protocol_id: str
    instructor: str
    reminders: bool
    syllabus: dict[str, int]
    classes: list[ClassOut]
    version: int


class CourseSummary(Schema):
    id: int
    title: str
    start_date: dt.date
    class_time: str
    weeks: int
    capacity: int
    enrolled: int
    waiting: int
    instructor: str


class AttendanceOut(Schema):
    week: int
    status: str
    left_early_reason: str
    cues: list[str]
    response_note: str


class FamilyOut(Schema):
    enrolment_id: int
    client_id: int
    baby: str
    parents: list[str]
    status: str
    age_days_at_start: int
    shares_practice: bool
    attendance: list[AttendanceOut]
    practice_days: int | None = Field(
        None, description="Days practised since the course began; null when not shared"
    )
    practice_minutes: int | None = None
    days_last_week: int | None = None
    last_response: str | None = None
    follow_up: list[str]


class FamilyIn(BodyIn):
    enrolment_id: Id
    status: Literal["present", "absent", "left_early"]
    left_early_reason: LongText = ""
    cues: list[CueId] = Field(default_factory=list, max_length=40)
    response_note: LongText = ""


class ClassIn(BodyIn):
    version: int = Field(..., ge=1, description="The class's version you loaded")
    families: list[FamilyIn] = Field(..., max_length=30, description="One line for every enrolled family")
    strokes_taught: list[StrokeKey] = Field(default_factory=list, max_length=200)
    notes: LongText = ""


class PracticeOut(Schema):
    day: dt.date
    minutes: float
    response: str
    source: Literal["noted", "player"]
    note: str


class PracticeLog(Schema):
    shared: bool
    items: list[PracticeOut]


class InviteIn(BodyIn):
    emails: list[Annotated[str, Field(max_length=254)]] = Field(..., min_length=1, max_length=30)
    message: Annotated[str, Field(max_length=1000)] = ""


class InvitedOut(Schema):
    emails: list[str]


class WithdrawIn(BodyIn):
    reason: LongText


def _time(value: str | None) -> dt.time | None:
    return None if value is None else dt.time.fromisoformat(value)


def course_out(course: Course) -> CourseOut:
    strokes = syl.strokes_of(library(), course.protocol_id)
    classes = selectors.class_list(course=course)
    return CourseOut(
        id=course.pk,
        title=course.title,
        venue=course.venue,
        online_link=course.online_link,
        start_date=course.start_date,
        class_time=course.class_time.strftime("%H:%M"),
        class_minutes=course.class_minutes,
        weeks=course.weeks,
        capacity=course.capacity,
        places_taken=selectors.places_taken(course=course),
        language=course.language,
        min_age_weeks=course.min_age_weeks,
        max_age_weeks=course.max_age_weeks,
        protocol_id=course.protocol_id,
        instructor=course.instructor.full_name or course.instructor.email,
        reminders=course.reminders,
        syllabus={k: int(v) for k, v in course.syllabus.items()},
        classes=[
            ClassOut(
                week=c.week,
                starts_at=c.starts_at,
                recorded=c.recorded,
                review=syl.is_review_week(strokes, course.syllabus, c.week),
                strokes_planned=[s.key for s in syl.week_strokes(strokes, course.syllabus, c.week)],
                strokes_taught=list(c.strokes_taught),
                notes=c.notes,
                version=c.version,
            )
            for c in classes
        ],
        version=course.version,
    )


@router.get(
    "/courses",
    response=responses({200: list[CourseSummary]}, 403),
    summary="Your courses (an administrator: every course of the organisation)",
    operation_id="kneadwell_api_courses_list",
)
@needs(Perm.COURSE_VIEW)
def course_list(request: HttpRequest) -> list[CourseSummary]:
    return [
        CourseSummary(
            id=c.pk,
            title=c.title,
            start_date=c.start_date,
            class_time=c.class_time.strftime("%H:%M"),
            weeks=c.weeks,
            capacity=c.capacity,
            enrolled=c.enrolled,  # type: ignore[attr-defined]
            waiting=c.waiting,  # type: ignore[attr-defined]
            instructor=c.instructor.full_name or c.instructor.email,
        )
        for c in selectors.course_list(actor=actor_of(request))
    ]


@router.post(
    "/courses",
    response=responses({201: CourseOut}, 403),
    summary="Create a course: one class a week from the first class, the library's syllabus unless given",
    operation_id="kneadwell_api_courses_create",
)
@needs(Perm.COURSE_MANAGE)
def course_create(request: HttpRequest, payload: CourseIn) -> Status[CourseOut]:
    data = payload.model_dump()
    data["class_time"] = _time(data["class_time"])
    course = services.course_create(actor=actor_of(request), **data)
    return Status(201, course_out(course))


@router.get(
    "/courses/{course_id}",
    response=responses({200: CourseOut}, 403, 404),
    summary="A course with its classes and its syllabus",
    operation_id="kneadwell_api_courses_get",
)
@needs(Perm.COURSE_VIEW)
def course_get(request: HttpRequest, course_id: Id) -> CourseOut:
    return course_out(selectors.course_get(actor=actor_of(request), course_id=course_id))


@router.patch(
    "/courses/{course_id}",
    response=responses({200: CourseOut}, 403, 404, 409),
    summary="Change a course (classes not yet held follow; the waiting list takes new places)",
    operation_id="kneadwell_api_courses_update",
)
@needs(Perm.COURSE_MANAGE)
def course_update(request: HttpRequest, course_id: Id, payload: CoursePatch) -> CourseOut:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    if "class_time" in data:
        data["class_time"] = _time(data["class_time"])
    updated = services.course_update(actor=actor, course=course, expected_version=version, **data)
    return course_out(selectors.course_get(actor=actor, course_id=updated.pk))


@router.get(
    "/courses/{course_id}/families",
    response=responses({200: list[FamilyOut]}, 403, 404),
    summary="The families at a glance: attendance per class, shared home practice, who to follow up",
    operation_id="kneadwell_api_courses_families",
)
@needs(Perm.COURSE_VIEW)
def course_families(request: HttpRequest, course_id: Id) -> list[FamilyOut]:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    classes = selectors.class_list(course=course)
    enrolments = selectors.enrolment_list(actor=actor, course=course)
    rows = {
        r.enrolment.pk: r
        for r in selectors.course_overview(course=course, enrolments=enrolments, classes=classes)
    }
    held = [c for c in classes if c.recorded]
    out = []
    for e in enrolments:
        row = rows.get(e.pk)
        shares = e.share_with_instructor and row is not None
        out.append(
            FamilyOut(
                enrolment_id=e.pk,
                client_id=e.client_id,
                baby=f"{e.client.given_name} {e.client.family_name}",
                parents=[x for x in (e.guardian.name, e.other_parent) if x],
                status=e.status,
                age_days_at_start=e.age_days_at_start,
                shares_practice=e.share_with_instructor,
                attendance=[
                    AttendanceOut(
                        week=c.week,
                        status=a.status,
                        left_early_reason=a.left_early_reason,
                        cues=list(a.cues),
                        response_note=a.response_note,
                    )
                    for c, a in zip(held, row.weeks if row else [], strict=False)
                    if a is not None
                ],
                practice_days=row.summary.practice_days if shares and row else None,
                practice_minutes=row.summary.practice_minutes if shares and row else None,
                days_last_week=row.summary.days_last_week if shares and row else None,
                last_response=row.summary.last_response if shares and row else None,
                follow_up=list(row.summary.follow_up) if row else [],
            )
        )
    return out


@router.put(
    "/courses/{course_id}/classes/{week}",
    response=responses({200: CourseOut}, 403, 404, 409),
    summary="Record (or correct) a class: attendance per family, the baby's cues, strokes taught, notes",
    operation_id="kneadwell_api_courses_class_record",
)
@needs(Perm.COURSE_MANAGE)
def class_record(request: HttpRequest, course_id: Id, week: Week, payload: ClassIn) -> CourseOut:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    course_class = selectors.class_get(course=course, week=week)
    services.class_record(
        actor=actor,
        course_class=course_class,
        expected_version=payload.version,
        families=[
            services.FamilyInClass(
                enrolment_id=f.enrolment_id,
                status=f.status,
                left_early_reason=f.left_early_reason,
                cues=list(f.cues),
                response_note=f.response_note,
            )
            for f in payload.families
        ],
        strokes_taught=list(payload.strokes_taught),
        notes=payload.notes,
    )
    return course_out(course)


@router.get(
    "/courses/{course_id}/families/{enrolment_id}/practice",
    response=responses({200: PracticeLog}, 403, 404),
    summary="A family's home practice (noted days and guided-player sessions), when the family shares it",
    operation_id="kneadwell_api_courses_family_practice",
)
@needs(Perm.COURSE_VIEW)
def family_practice(request: HttpRequest, course_id: Id, enrolment_id: Id) -> PracticeLog:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    enrolment = selectors.enrolment_get(actor=actor, course=course, enrolment_id=enrolment_id)
    if not enrolment.share_with_instructor:
        return PracticeLog(shared=False, items=[])
    practice = selectors.practice_of(course=course, enrolments=[enrolment]).get(enrolment.pk, [])
    return PracticeLog(
        shared=True,
        items=[
            PracticeOut(day=p.day, minutes=p.minutes, response=p.response, source=p.source, note=p.note)  # type: ignore[arg-type]
            for p in practice
        ],
    )


@router.post(
    "/courses/{course_id}/invitations",
    response=responses({201: InvitedOut}, 403, 404),
    summary="Email the course's enrolment link to families",
    operation_id="kneadwell_api_courses_invite",
)
@needs(Perm.COURSE_MANAGE)
def course_invite(request: HttpRequest, course_id: Id, payload: InviteIn) -> Status[InvitedOut]:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    sent = services.course_invite(
        actor=actor,
        course=course,
        emails=payload.emails,
        message=payload.message,
        base_url=request.build_absolute_uri("/"),
    )
    return Status(201, InvitedOut(emails=[i.email for i in sent]))


@router.post(
    "/courses/{course_id}/families/{enrolment_id}/withdraw",
    response=responses({200: FamilyOut}, 403, 404),
    summary="Withdraw a family (a place freed goes to the waiting list's first family)",
    operation_id="kneadwell_api_courses_family_withdraw",
)
@needs(Perm.COURSE_MANAGE)
def family_withdraw(request: HttpRequest, course_id: Id, enrolment_id: Id, payload: WithdrawIn) -> FamilyOut:
    actor = actor_of(request)
    course = selectors.course_get(actor=actor, course_id=course_id)
    enrolment = selectors.enrolment_get(actor=actor, course=course, enrolment_id=enrolment_id)
    row = services.enrolment_withdraw(actor=actor, enrolment=enrolment, reason=payload.reason)
    return _family_plain(row)


def _family_plain(e: Enrolment) -> FamilyOut:
    return FamilyOut(
        enrolment_id=e.pk,
        client_id=e.client_id,
        baby=f"{e.client.given_name} {e.client.family_name}",
        parents=[x for x in (e.guardian.name, e.other_parent) if x],
        status=e.status,
        age_days_at_start=e.age_days_at_start,
        shares_practice=e.share_with_instructor,
        attendance=[],
        practice_days=None,
        practice_minutes=None,
        days_last_week=None,
        last_response=None,
        follow_up=[],
    )


@router.get(
    "/courses/{course_id}/weeks/{week}/handout.pdf",
    response=responses({}, 403, 404),
    summary="A week's handout as a PDF (the same document as the handout page)",
    operation_id="kneadwell_api_courses_handout_pdf",
    openapi_extra={"responses": PDF_RESPONSE},
)
@needs(Perm.COURSE_VIEW)
def handout_pdf(request: HttpRequest, course_id: Id, week: Week) -> HttpResponse:
    from kneadwell.reports.pdf import render_pdf  # matplotlib's fonts: loaded only for a PDF

    course = selectors.course_get(actor=actor_of(request), course_id=course_id)
    document = selectors.handout_for(course=course, week=week)
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response
