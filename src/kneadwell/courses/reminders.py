"""Email reminders before a course's classes, for courses that send them (the default). Run from cron (or a
systemd timer) with `kneadwell course-reminders`, e.g. every hour; each class is reminded once, to every
family with a place (not the waiting list). The calendar feed (courses:calendar) is the other reminder."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from kneadwell.audit.writes import audit_action
from kneadwell.core.recipients import language_of
from kneadwell.courses.models import Course, CourseClass, Enrolment
from kneadwell.courses.services.waiting import family_email

DEFAULT_AHEAD = dt.timedelta(hours=24)  # the day before: time to plan the morning (our design choice)


def send_class_reminders(*, now: dt.datetime | None = None, ahead: dt.timedelta = DEFAULT_AHEAD) -> int:
    """Email each enrolled family about a class starting within `ahead`; returns how many emails were sent."""
    now = now or timezone.now()
    due = (
        CourseClass.objects.filter(
            reminded_at__isnull=True,
            held_at__isnull=True,
            starts_at__gte=now,
            starts_at__lte=now + ahead,
            course__reminders=True,
        )
        .select_related("course")
        .order_by("starts_at")
    )
    sent = 0
    for item in due:
        course = item.course
        when = timezone.localtime(item.starts_at)
        with transaction.atomic():
            claimed = CourseClass.objects.filter(pk=item.pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue  # another run took it
            families = Enrolment.objects.filter(
                course=course, status=Enrolment.Status.ENROLLED
            ).select_related("client", "guardian__user")
            for enrolment in families:
                email = family_email(enrolment)
                if not email:
                    continue
                with translation.override(language_of(enrolment.guardian.user)):
                    subject, message = _reminder(course, item.week, when, enrolment.client.given_name)
                send_mail(
                    subject=subject,
                    message=message,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[email],
                )
                audit_action(
                    actor=None,
                    action="export",
                    entity="reminder",
                    entity_id=item.pk,
                    client_id=enrolment.client_id,
                    organisation_id=course.organisation_id,
                    channel="cli",
                    label="course reminders",
                    summary=f"emailed a reminder for week {item.week} of {course.title}",
                )
                sent += 1
    return sent


def _reminder(course: Course, week: int, when: dt.datetime, baby: str) -> tuple[str, str]:
    """The reminder's subject and text, in the language in force."""
    if course.venue:
        where = course.venue
    elif course.online_link:
        where = _("online: %(link)s") % {"link": course.online_link}
    else:
        where = ""
    values = {
        "course": course.title,
        "week": week,
        "day": dateformat.format(when, "l"),
        "date": dateformat.format(when, "l d F"),
        "time": dateformat.format(when, "H:i"),
        "where": where,
        "baby": baby,
    }
    subject = _("%(course)s: week %(week)s on %(day)s at %(time)s") % values
    if where:
        first = _("A reminder: week %(week)s of %(course)s is on %(date)s at %(time)s, %(where)s.") % values
    else:
        first = _("A reminder: week %(week)s of %(course)s is on %(date)s at %(time)s.") % values
    second = (
        _(
            "Bring a towel or blanket for %(baby)s. If %(baby)s is unwell, stay home and rest: the week's "
            "handout is on your course page in Kneadwell."
        )
        % values
    )
    return subject, f"{first}\n\n{second}\n"
