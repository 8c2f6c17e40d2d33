"""Email reminders before scheduled sessions, for plans whose owner asked for them. Run from cron (or a
systemd timer) with `kneadwell reminders`, e.g. every 15 minutes; each session is reminded once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from kneadwell.audit.writes import audit_action
from kneadwell.care.models import Plan, ScheduledSession
from kneadwell.core.recipients import language_of
from kneadwell.library.loader import default_library


def send_due_reminders(*, now: dt.datetime | None = None, ahead: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Email the plan's owner about each session due within `ahead`; returns how many were sent."""
    now = now or timezone.now()
    lib = default_library()
    due = (
        ScheduledSession.objects.filter(
            status=ScheduledSession.Status.DUE,
            reminded_at__isnull=True,
            due_at__gte=now,
            due_at__lte=now + ahead,
            plan__status=Plan.Status.ACTIVE,
            plan__reminders=True,
        )
        .select_related("plan__client", "plan__created_by")
        .order_by("due_at")
    )
    sent = 0
    for slot in due:
        plan = slot.plan
        protocol = lib.protocols.get(plan.protocol_id)
        name = protocol.name if protocol else plan.protocol_id
        due_at = timezone.localtime(slot.due_at)
        with translation.override(language_of(plan.created_by)):
            values = {
                "name": plan.client.given_name,
                "programme": name,
                "time": dateformat.format(due_at, "H:i"),
                "date": dateformat.format(due_at, "D d M"),
            }
            subject = _("%(name)s: %(programme)s at %(time)s") % values
            message = (
                _("A reminder: %(programme)s for %(name)s is planned for %(time)s on %(date)s.") % values
                + "\n\n"
                + _(
                    "Before you start, do today's check in Kneadwell: it tells you whether today is a good\n"
                    "day for massage."
                )
                + "\n"
            )
        with transaction.atomic():
            claimed = ScheduledSession.objects.filter(pk=slot.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue  # another run took it
            send_mail(
                subject=subject,
                message=message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[plan.created_by.email],
            )
            audit_action(
                actor=None,
                action="export",
                entity="reminder",
                entity_id=slot.pk,
                client_id=plan.client_id,
                organisation_id=plan.organisation_id,
                channel="cli",
                label="reminders",
                summary=f"emailed a reminder for session {slot.sequence}",
            )
        sent += 1
    return sent
