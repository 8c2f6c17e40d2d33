"""Email reminders before a course's classes, for courses that send them (the default). Run from cron (or a
systemd timer) with `kneadwell course-reminders`, e.g. every hour; each class is reminded once, to every
family with a place (not the waiting list). The calendar feed (courses:calendar) is the other reminder."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from kneadwell.audit.writes import audit_action
from kneadwell.courses.models import CourseClass, Enrolment
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
                where = course.venue or (f"online: {course.online_link}" if course.online_link else "")
                send_mail(
                    subject=f"{course.title}: week {item.week} on {when:%A at %H:%M}",
                    message=(
                        f"A reminder: week {item.week} of {course.title} is on {when:%A %d %B at %H:%M}"
                        + (f", {where}" if where else "")
                        + f".\n\nBring a towel or blanket for {enrolment.client.given_name}. If "
                        f"{enrolment.client.given_name} is unwell, stay home and rest: the week's handout is "
                        "on your course page in Kneadwell.\n"
                    ),
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
