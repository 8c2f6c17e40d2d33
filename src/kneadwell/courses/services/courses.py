"""Writes for a course itself: creating it (with its weekly classes and the default syllabus), changing
it (classes not yet held move with it), and emailing its link to families."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import Membership, User
from kneadwell.accounts.roles import Perm, Role
from kneadwell.audit.services import snapshot
from kneadwell.audit.writes import create_audited, delete_audited, edit_audited, save_audited
from kneadwell.core.errors import ValidationFailed
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import (
    MAX_AGE_WEEKS,
    MAX_CAPACITY,
    MAX_CLASS_MINUTES,
    Course,
    CourseClass,
    CourseInvitation,
)
from kneadwell.courses.services.common import require_runs
from kneadwell.courses.services.waiting import promote_waiting
from kneadwell.library.selectors import library

COURSE_FIELDS = (
    "title",
    "venue",
    "online_link",
    "start_date",
    "class_time",
    "class_minutes",
    "weeks",
    "capacity",
    "language",
    "min_age_weeks",
    "max_age_weeks",
    "instructor",
    "reminders",
)
MAX_INVITES = 30


def class_start(course: Course, week: int) -> dt.datetime:
    """When week `week`'s class starts: the first class's day and time, a week later each week (local
    time, so a daylight-saving change keeps the clock time)."""
    day = course.start_date + dt.timedelta(days=7 * (week - 1))
    return timezone.make_aware(dt.datetime.combine(day, course.class_time))


def _course_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = str(values.get("title") or "").strip()
    if not title:
        add("title", _("Give the course a title, e.g. “Baby massage, Tuesday mornings”."))
    elif len(title) > 150:
        add("title", _("Keep the title to 150 characters."))
    venue = str(values.get("venue") or "").strip()
    link = str(values.get("online_link") or "").strip()
    if not venue and not link:
        add("venue", _("Say where the classes are: a venue, or a link for online classes."))
    if len(venue) > 200:
        add("venue", _("Keep the venue to 200 characters."))
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
        except DjangoValidationError:
            add("online_link", _("Enter the full link, starting with https://."))
    if values.get("start_date") is None:
        add("start_date", _("Enter the date of the first class."))
    if values.get("class_time") is None:
        add("class_time", _("Enter the time the classes start."))
    bounds = {
        "weeks": (syl.MIN_WEEKS, syl.MAX_WEEKS, "weeks"),
        "capacity": (1, MAX_CAPACITY, "babies"),
        "class_minutes": (15, MAX_CLASS_MINUTES, "minutes"),
        "min_age_weeks": (0, MAX_AGE_WEEKS - 1, "weeks"),
        "max_age_weeks": (1, MAX_AGE_WEEKS, "weeks"),
    }
    for field, (low, high, unit) in bounds.items():
        value = values.get(field)
        if value is None or isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            add(field, _("Enter %(low)s to %(high)s %(unit)s.") % {"low": low, "high": high, "unit": unit})
    low_age, high_age = values.get("min_age_weeks"), values.get("max_age_weeks")
    if (
        isinstance(low_age, int)
        and isinstance(high_age, int)
        and low_age >= high_age
        and not errors.get("max_age_weeks")
    ):
        add("max_age_weeks", _("The oldest age must be more than the youngest."))
    language = str(values.get("language") or "").strip()
    if not language:
        add("language", _("Say which language the classes are taught in."))
    elif len(language) > 60:
        add("language", _("Keep the language to 60 characters."))
    return errors


def _instructor_errors(actor: Actor, instructor: User) -> dict[str, list[str]]:
    member = Membership.objects.filter(
        organisation_id=actor.organisation_id, user=instructor, is_active=True
    ).first()
    if member is None or member.role not in (Role.INSTRUCTOR, Role.ADMIN):
        return {"instructor": [_("Choose an instructor who is a member of this organisation.")]}
    if actor.role is Role.INSTRUCTOR and instructor.pk != actor.user.pk:
        return {"instructor": [_("An instructor creates and changes their own courses.")]}
    return {}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    for field in ("title", "venue", "online_link", "language"):
        values[field] = str(values.get(field) or "").strip()
    return values


def course_create(
    *,
    actor: Actor,
    title: str,
    start_date: dt.date | None,
    class_time: dt.time | None,
    venue: str = "",
    online_link: str = "",
    class_minutes: int = 60,
    weeks: int = syl.DEFAULT_WEEKS,
    capacity: int = 8,
    language: str = "English",
    min_age_weeks: int = 0,
    max_age_weeks: int = MAX_AGE_WEEKS,
    instructor: User | None = None,
    reminders: bool = True,
    protocol_id: str = syl.DEFAULT_PROTOCOL,
    syllabus: Mapping[str, int] | None = None,
) -> Course:
    """Create a course with one class a week from the first class's date, and its syllabus (the
    library's default for this many weeks unless one is given)."""
    actor.require(Perm.COURSE_MANAGE)
    lib = library()
    instructor = instructor or actor.user
    values = _clean(
        {
            "title": title,
            "venue": venue,
            "online_link": online_link,
            "start_date": start_date,
            "class_time": class_time,
            "class_minutes": class_minutes,
            "weeks": weeks,
            "capacity": capacity,
            "language": language,
            "min_age_weeks": min_age_weeks,
            "max_age_weeks": max_age_weeks,
        }
    )
    errors = _course_errors(values)
    errors.update(_instructor_errors(actor, instructor))
    if protocol_id not in syl.course_protocols(lib):
        errors["protocol_id"] = [_("Choose a programme taught over weekly classes.")]
    if errors:
        raise ValidationFailed(errors)
    chosen = (
        syl.complete(lib, protocol_id, syllabus)
        if syllabus is not None
        else syl.default_syllabus(lib, protocol_id, weeks)
    )
    problems = syl.syllabus_errors(lib, protocol_id, chosen, weeks)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        course = Course(
            organisation_id=actor.organisation_id,
            instructor=instructor,
            protocol_id=protocol_id,
            syllabus=chosen,
            content_version=str(lib.version),
            join_token=secrets.token_urlsafe(24),
            calendar_token=secrets.token_urlsafe(24),
            reminders=reminders,
            created_by=actor.user,
            **values,
        )
        create_audited(
            actor=actor,
            obj=course,
            entity="course",
            summary=f"created the course {course.title} ({weeks} weeks from {start_date:%d %b %Y})",
            changes=snapshot(course, COURSE_FIELDS),
        )
        for week in range(1, weeks + 1):
            _class_create(actor, course, week)
    return course


def _class_create(actor: Actor, course: Course, week: int) -> CourseClass:
    return create_audited(
        actor=actor,
        obj=CourseClass(
            organisation_id=course.organisation_id,
            course=course,
            week=week,
            starts_at=class_start(course, week),
        ),
        entity="course_class",
        summary=f"scheduled week {week} of {course.title}",
    )


def course_update(*, actor: Actor, course: Course, expected_version: int | None, **changes: Any) -> Course:
    """Change a course. Classes not yet held follow a new date, time or number of weeks; a week whose
    class was already recorded cannot be removed. A smaller number of weeks moves the later weeks'
    strokes into the last week; more places take families from the waiting list, in the order they
    joined it."""
    require_runs(actor, course)
    unknown = set(changes) - set(COURSE_FIELDS) - {"syllabus"}
    if unknown:
        raise ValidationFailed({sorted(unknown)[0]: [_("This cannot be changed here.")]})
    lib = library()
    with (
        transaction.atomic(),
        edit_audited(
            actor=actor,
            queryset=Course.objects.for_organisation(actor.organisation_id),
            pk=course.pk,
            expected_version=expected_version,
            entity="course",
            fields=(*COURSE_FIELDS, "syllabus"),
            summary=f"changed the course {course.title}",
            not_found="No such course.",
        ) as edit,
    ):
        row = edit.row
        values = _clean({**snapshot_values(row), **{k: v for k, v in changes.items() if k != "syllabus"}})
        errors = _course_errors(values)
        instructor = values.get("instructor")
        if isinstance(instructor, User) and instructor.pk != row.instructor_id:
            errors.update(_instructor_errors(actor, instructor))
        weeks = int(values["weeks"]) if not errors.get("weeks") else row.weeks
        held = set(
            CourseClass.objects.filter(course=row, held_at__isnull=False).values_list("week", flat=True)
        )
        if not errors.get("weeks") and held and max(held) > weeks:
            errors["weeks"] = [
                _("Week %(max)s's class was already recorded; the course cannot be shorter.")
                % {"max": max(held)}
            ]
        if errors:
            raise ValidationFailed(errors)
        wanted = changes.get("syllabus")
        new_syllabus = (
            syl.complete(lib, row.protocol_id, wanted)
            if wanted is not None
            else syl.refit(syl.complete(lib, row.protocol_id, row.syllabus), weeks)
        )
        problems = syl.syllabus_errors(lib, row.protocol_id, new_syllabus, weeks)
        if problems:
            raise ValidationFailed(problems)
        edit.apply({**values, "syllabus": new_syllabus})
        # The classes and the waiting list follow the changed row (still in memory; saved on exit).
        _reschedule(actor, course=edit.row, held=held)
        promote_waiting(actor=actor, course=edit.row)
    return edit.row


def snapshot_values(course: Course) -> dict[str, Any]:
    return {name: getattr(course, name) for name in COURSE_FIELDS}


def _reschedule(actor: Actor, *, course: Course, held: set[int]) -> None:
    """Classes not yet held to the course's dates, one per week; weeks past the end removed."""
    with transaction.atomic():
        existing = {c.week: c for c in CourseClass.objects.filter(course=course).select_for_update()}
        for week, item in sorted(existing.items()):
            if week in held:
                continue
            if week > course.weeks:
                delete_audited(
                    actor=actor,
                    obj=item,
                    entity="course_class",
                    summary=f"removed week {week} of {course.title} (the course is shorter)",
                    changes={"starts_at": item.starts_at.isoformat()},
                )
                continue
            wanted = class_start(course, week)
            if item.starts_at != wanted:
                before = item.starts_at
                item.starts_at = wanted
                item.reminded_at = None  # a class that moved is reminded again at its new time
                save_audited(
                    actor=actor,
                    obj=item,
                    entity="course_class",
                    summary=f"moved week {week} of {course.title}",
                    changes={"starts_at": [before.isoformat(), wanted.isoformat()]},
                    update_fields=["starts_at", "reminded_at", "updated_at"],
                )
        for week in range(1, course.weeks + 1):
            if week not in existing:
                _class_create(actor, course, week)


def join_url(course: Course, base_url: str) -> str:
    """The enrolment link (courses/urls.py names it `courses:join`; written out here so a service does not
    depend on the pages being loaded)."""
    return f"{base_url.rstrip('/')}/courses/join/{course.join_token}/"


def course_invite(
    *, actor: Actor, course: Course, emails: Sequence[str], base_url: str, message: str = ""
) -> list[CourseInvitation]:
    """Email the course's enrolment link to each address (a family then enrols their baby through it)."""
    require_runs(actor, course)
    cleaned: list[str] = []
    bad: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except DjangoValidationError:
            bad.append(raw.strip())
            continue
        if email not in cleaned:
            cleaned.append(email)
    if bad:
        raise ValidationFailed({"emails": [_("Not an email address: %(bad)s.") % {"bad": ", ".join(bad)}]})
    if not cleaned:
        raise ValidationFailed({"emails": [_("Enter at least one email address.")]})
    if len(cleaned) > MAX_INVITES:
        raise ValidationFailed(
            {
                "emails": [
                    _("Send at most %(max_invites)s invitations at once.") % {"max_invites": MAX_INVITES}
                ]
            }
        )
    if len(message) > 1000:
        raise ValidationFailed({"message": [_("Keep the message to 1,000 characters.")]})
    link = join_url(course, base_url)
    first = timezone.localtime(class_start(course, 1))
    sent: list[CourseInvitation] = []
    with transaction.atomic():
        for email in cleaned:
            sent.append(
                create_audited(
                    actor=actor,
                    obj=CourseInvitation(
                        organisation_id=course.organisation_id, course=course, email=email, sent_by=actor.user
                    ),
                    entity="course_invitation",
                    summary=f"invited {email} to {course.title}",
                )
            )
        # To addresses without an account yet: in the language of the instructor sending it.
        invitation = _(
            "%(sender)s invites you to %(course)s: %(weeks)s weekly classes from %(date)s at %(time)s, "
            "%(where)s."
        ) % {
            "sender": actor.user.full_name or actor.user.email,
            "course": course.title,
            "weeks": course.weeks,
            "date": dateformat.format(first, "l d F"),
            "time": dateformat.format(first, "H:i"),
            "where": course.where,
        }
        body = (
            f"{invitation}\n\n"
            + (f"{message.strip()}\n\n" if message.strip() else "")
            + _("To enrol your baby, open this link:")
            + f"\n{link}\n"
        )
        for email in cleaned:
            transaction.on_commit(
                partial(
                    send_mail,
                    subject=_("Baby massage classes: %(course)s") % {"course": course.title},
                    message=body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[email],
                )
            )
    return sent


def course_link_renew(*, actor: Actor, course: Course) -> Course:
    """A new enrolment link (the old one stops working), e.g. after it was shared too widely."""
    require_runs(actor, course)
    with transaction.atomic():
        row = Course.objects.for_organisation(actor.organisation_id).select_for_update().get(pk=course.pk)
        row.join_token = secrets.token_urlsafe(24)
        save_audited(
            actor=actor,
            obj=row,
            entity="course",
            summary=f"made a new enrolment link for {row.title}",
            update_fields=["join_token", "updated_at"],
        )
    return row
