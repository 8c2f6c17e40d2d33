"""SOAP notes (draft, sign, amend) and adverse events with their follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited, edit_audited
from kneadwell.care.models import (
    AdverseEvent,
    Note,
    NoteAmendment,
    Session,
)
from kneadwell.care.services.common import valid_regions
from kneadwell.clients.models import Client
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.library import selectors as library_selectors

NOTE_TEXT_FIELDS = (
    "subjective",
    "objective",
    "assessment",
    "plan_text",
    "response",
    "sleep_after",
    "stools",
    "pressure",
)
SLEEP_CHOICES = ("", "longer", "as_usual", "shorter", "did_not_sleep")
STOOL_CHOICES = ("", "yes", "no")

# The note's conflicts (409), English source translated when raised. Named, because a diary synced from a
# device keeps the English of the one it met and shows it in the reader's language
# (offline/services/observed.py, offline/words.py).
ERR_NOTE_RACED = gettext_noop(
    "Someone else saved this note while you were writing it. Nothing of yours was saved: "
    "reload to see theirs, then add yours."
)
ERR_NOTE_LOCKED = gettext_noop("This note is signed and locked; add an amendment instead.")
ERR_NOTE_SIGNED = gettext_noop("This note is already signed.")


def note_save(*, actor: Actor, session: Session, expected_version: int | None, **fields: Any) -> Note:
    """Create or edit the draft note of a session. A signed note cannot be edited: amend it instead.
    `expected_version` may be None only for the first save; once a note exists, an edit without the
    version it was read at is a Conflict (409) carrying the current version."""
    actor.require(Perm.NOTE_SIGN)
    unknown = set(fields) - {*NOTE_TEXT_FIELDS, "techniques", "regions", "minutes"}
    if unknown:
        raise DomainError(_("Unknown note field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if session.is_open:
        raise ValidationFailed({"session": [_("Finish or stop the session before writing its note.")]})
    errors: dict[str, list[str]] = {}
    if fields.get("sleep_after", "") not in SLEEP_CHOICES:
        errors["sleep_after"] = [_("Choose how the sleep afterwards was.")]
    if fields.get("stools", "") not in STOOL_CHOICES:
        errors["stools"] = [_("Choose yes or no.")]
    if fields.get("pressure", "") not in ("", "light", "moderate", "firm"):
        errors["pressure"] = [_("Choose light, moderate or firm.")]
    minutes = fields.get("minutes")
    if minutes is not None and not 0 <= minutes <= 600:
        errors["minutes"] = [_("Minutes must be 0 to 600.")]
    lib = library_selectors.library()
    bad_t = [t for t in fields.get("techniques") or [] if t not in lib.techniques]
    if bad_t:
        errors["techniques"] = [_("Unknown technique(s): %(names)s.") % {"names": ", ".join(bad_t)}]
    if errors:
        raise ValidationFailed(errors)
    if "regions" in fields:
        fields["regions"] = valid_regions(fields["regions"] or [], "regions")
    with transaction.atomic():
        existing = Note.objects.within(session).filter(session=session).first()
        if existing is None:
            kind = Note.Kind.DIARY if actor.is_caregiver else Note.Kind.SOAP
            try:
                # A savepoint: two first saves at once both see no note; the second one's insert breaks
                # the one-note-per-session constraint, and that must be a 409, not a 500.
                with transaction.atomic():
                    note = Note(session=session, kind=kind, author=actor.user, **fields)
                    create_audited(
                        actor=actor,
                        obj=note,
                        entity="note",
                        client_id=session.client_id,
                        summary=f"wrote the {note.get_kind_display().lower()}",
                        changes=fields,
                    )
            except IntegrityError:
                raced = Note.objects.within(session).filter(session=session).first()
                raise Conflict(
                    _(ERR_NOTE_RACED),
                    field="version",
                    current_version=raced.version if raced else None,
                ) from None
            return note
        with edit_audited(
            actor=actor,
            queryset=Note.objects.within(session).filter(session=session),
            pk=existing.pk,
            expected_version=expected_version,
            entity="note",
            client_id=session.client_id,
            fields=tuple(fields),
            summary="edited the draft note",
        ) as edit:
            if edit.row.locked:
                raise Conflict(_(ERR_NOTE_LOCKED))
            edit.apply(fields)
    return edit.row


def note_sign(*, actor: Actor, note: Note, expected_version: int | None) -> Note:
    actor.require(Perm.NOTE_SIGN)
    with edit_audited(
        actor=actor,
        queryset=Note.objects.all(),
        pk=note.pk,
        expected_version=expected_version,
        entity="note",
        client_id=note.session.client_id,
        summary="signed and locked the note",
    ) as edit:
        current = edit.row
        if current.locked:
            raise Conflict(_(ERR_NOTE_SIGNED))
        if current.kind == Note.Kind.SOAP and not any(
            getattr(current, f).strip() for f in ("subjective", "objective", "assessment", "plan_text")
        ):
            raise ValidationFailed({"note": [_("Write at least one part of the SOAP note before signing.")]})
        current.signed_at = timezone.now()
        current.signed_by = actor.user
    return current


def note_amend(*, actor: Actor, note: Note, text: str, reason: str) -> NoteAmendment:
    actor.require(Perm.NOTE_SIGN)
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("Write the amendment.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the note is amended (e.g. 'wrong side recorded').")]
    if not note.locked:
        errors["note"] = [_("A draft note is edited directly; amendments are for signed notes.")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        amendment = NoteAmendment(note=note, text=text.strip(), reason=reason.strip(), author=actor.user)
        create_audited(
            actor=actor,
            obj=amendment,
            entity="note_amendment",
            client_id=note.session.client_id,
            summary="amended a signed note",
            changes={"text": amendment.text, "reason": amendment.reason},
        )
    return amendment


def adverse_event_record(
    *,
    actor: Actor,
    client: Client,
    occurred_at: dt.datetime,
    what: str,
    severity: str,
    action_taken: str,
    follow_up: str = "",
    session: Session | None = None,
) -> AdverseEvent:
    actor.require(Perm.SESSION_RECORD)
    errors: dict[str, list[str]] = {}
    if not what.strip():
        errors["what"] = [_("Describe what happened.")]
    if severity not in AdverseEvent.Severity.values:
        errors["severity"] = [_("Choose how serious it was.")]
    if not action_taken.strip():
        errors["action_taken"] = [
            _("Say what was done about it (e.g. 'stopped, cuddled, settled in 5 minutes').")
        ]
    if timezone.is_naive(occurred_at):
        # Comparing a naive time with an aware "now" raised a TypeError (a 500); which zone it meant is
        # unknowable here, so the caller is asked rather than guessed for.
        errors["occurred_at"] = [_("Give the time with its UTC offset (e.g. 2026-12-04T13:44:31+00:00).")]
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = [_("The time cannot be in the future.")]
    if session is not None and session.client_id != client.pk:
        errors["session"] = [_("That session belongs to another client.")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        event = AdverseEvent(
            organisation_id=client.organisation_id,
            client=client,
            session=session,
            occurred_at=occurred_at,
            what=what.strip(),
            severity=severity,
            action_taken=action_taken.strip(),
            follow_up=follow_up.strip(),
            reported_by=actor.user,
        )
        create_audited(
            actor=actor,
            obj=event,
            entity="adverse_event",
            client_id=client.pk,
            summary=f"reported a {severity} adverse event",
            changes={"what": event.what, "severity": severity, "action_taken": event.action_taken},
        )
    return event


def adverse_event_follow_up(
    *, actor: Actor, event: AdverseEvent, expected_version: int | None, follow_up: str
) -> AdverseEvent:
    actor.require(Perm.SESSION_RECORD)
    if not follow_up.strip():
        raise ValidationFailed({"follow_up": [_("Write the follow-up.")]})
    with edit_audited(
        actor=actor,
        queryset=AdverseEvent.objects.within(event).filter(client_id=event.client_id),
        pk=event.pk,
        expected_version=expected_version,
        entity="adverse_event",
        client_id=event.client_id,
        summary="added follow-up to an adverse event",
    ) as edit:
        current = edit.row
        # Kept even when the text is the same: the follow-up was written again.
        edit.changes = {"follow_up": [current.follow_up, follow_up.strip()]}
        current.follow_up = follow_up.strip()
    return current
