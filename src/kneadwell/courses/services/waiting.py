"""The waiting list: when a place frees up (a family withdraws, the course takes more babies), the family
that joined the list first is enrolled, audited, and told by email."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.audit.writes import save_audited
from kneadwell.core.recipients import language_of
from kneadwell.courses.models import Course, Enrolment


def places_taken(course: Course) -> int:
    return Enrolment.objects.filter(course=course, status=Enrolment.Status.ENROLLED).count()


def promote_waiting(*, actor: Actor, course: Course) -> list[Enrolment]:
    """Enrol families from the waiting list, first come first served, while places are free."""
    promoted: list[Enrolment] = []
    with transaction.atomic():
        # The course row is locked (by the caller's edit, or here), so two withdrawals at once cannot both
        # give the last place away.
        Course.objects.select_for_update().filter(pk=course.pk).exists()
        free = course.capacity - places_taken(course)
        if free <= 0:
            return promoted
        waiting = (
            Enrolment.objects.filter(course=course, status=Enrolment.Status.WAITING)
            .select_related("client", "guardian__user")
            .order_by("joined_at", "id")[:free]
        )
        for enrolment in waiting:
            enrolment.status = Enrolment.Status.ENROLLED
            save_audited(
                actor=actor,
                obj=enrolment,
                entity="enrolment",
                client_id=enrolment.client_id,
                summary=f"a place came free: {enrolment.client.given_name} moved from the waiting list "
                f"to {course.title}",
                changes={"status": [Enrolment.Status.WAITING, Enrolment.Status.ENROLLED]},
                update_fields=["status", "updated_at"],
            )
            promoted.append(enrolment)
            email = family_email(enrolment)
            if email:
                # Sent once the place is saved: a rolled-back change tells no one they have a place.
                with translation.override(language_of(enrolment.guardian.user)):
                    values = {"baby": enrolment.client.given_name, "course": course.title}
                    subject = _("A place for %(baby)s: %(course)s") % values
                    message = (
                        _(
                            "Good news: a place came free on %(course)s, and %(baby)s now has it. You will "
                            "find the classes, and your home routine as it grows, on Kneadwell."
                        )
                        % values
                        + "\n"
                    )
                transaction.on_commit(
                    partial(
                        send_mail,
                        subject=subject,
                        message=message,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[email],
                    )
                )
    return promoted


def family_email(enrolment: Enrolment) -> str:
    guardian = enrolment.guardian
    if guardian.user is not None and guardian.user.email:
        return str(guardian.user.email)
    return str(guardian.email or "")
