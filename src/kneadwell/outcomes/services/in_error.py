"""Marking a measurement as entered in error: it is never deleted; who, when and why are kept, and the row
drops out of charts and summaries."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import edit_audited
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services.drafts import MAX_REASON


def measurement_mark_in_error(
    *, actor: Actor, measurement: Measurement, reason: str, expected_version: int | None
) -> Measurement:
    """Mark a measurement as entered in error (never deleted). Parents may mark only what they entered."""
    actor.require(Perm.MEASUREMENT_RECORD)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say what was wrong (e.g. 'weighed with the blanket').")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            {"reason": [_("Keep the reason under %(max_reason)s characters.") % {"max_reason": MAX_REASON}]}
        )
    if not client_queryset(actor=actor, include_archived=True).filter(pk=measurement.client_id).exists():
        raise NotFound(_("No such measurement."))
    if actor.is_caregiver and measurement.recorded_by_id != actor.user.pk:
        raise PermissionDenied(
            _(
                "Parents can mark only the measurements they entered themselves; ask the care team to "
                "correct this one."
            )
        )
    with edit_audited(
        actor=actor,
        queryset=Measurement.objects.filter(
            organisation_id=actor.organisation_id, client_id=measurement.client_id
        ),
        pk=measurement.pk,
        expected_version=expected_version,
        not_found="No such measurement.",
        entity="measurement",
        client_id=measurement.client_id,
        update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason", "updated_at"],
    ) as edit:
        current = edit.row
        if current.entered_in_error_at is not None:
            raise DomainError(_("This measurement is already marked as entered in error."))
        current.entered_in_error_at = timezone.now()
        current.entered_in_error_by = actor.user
        current.entered_in_error_reason = reason
        edit.summary = (
            f"marked {current.instrument_id} of {timezone.localtime(current.taken_at):%Y-%m-%d} "
            f"as entered in error: {reason}"[:500]
        )
        edit.changes = {"entered_in_error_reason": reason}
    return current
