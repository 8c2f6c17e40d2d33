"""Checks shared by the plan, session and note services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.clients.models import Client
from kneadwell.core.errors import Conflict, ValidationFailed
from kneadwell.library import selectors as library_selectors
from kneadwell.library import services as library_services
from kneadwell.library.models import ReadinessCheck
from kneadwell.library.screening import Action as ScreeningAction
from kneadwell.library.screening import Verdict


def check_rescreen(
    *,
    actor: Actor,
    check: ReadinessCheck,
    client: Client,
    now: dt.datetime,
    max_age: dt.timedelta,
    same_day: bool = True,
) -> Verdict:
    """Screen the current record again with the check's answers, as the person acting now, and refuse a
    check that blocked, is stale (another day, too old, record changed: 409) or would now block (422).

    Call it inside the transaction that writes, after locking the client row, so no change to the record
    can slip in between the screening and the write. Returns the fresh verdict, tightened by the saved
    one (a start is never less cautious than the check the person saw)."""
    if check.client_id != client.pk:
        raise ValidationFailed({"check": [_("That check belongs to another client.")]})
    if check.blocks:
        raise ValidationFailed({"check": [_("Today's check did not allow a session: see its reasons.")]})
    stale = library_selectors.check_stale_reason(
        check=check, client=client, now=now, max_age=max_age, same_day=same_day
    )
    if stale:
        raise Conflict(stale, field="check")
    screened = library_services.screened_or_errors(
        client=client, protocol_id=check.protocol_id, today=check.answers, actor=actor, now=now
    )
    fresh = screened.verdict
    if screened.record_hash != check.record_hash:
        raise Conflict(_(library_selectors.ERR_RECORD_CHANGED), field="check")
    if fresh.blocks:
        blocking = [r for r in fresh.active_reasons if r.action.rank >= ScreeningAction.NEEDS_RELEASE.rank]
        why = "; ".join(f"{r.title}" + (f" ({r.note})" if r.note else "") for r in blocking)
        message = _("Screened again on the current record, a session is not allowed: %(why)s.") % {"why": why}
        raise ValidationFailed({"check": [message]})
    return fresh


def lock_client(client: Client) -> None:
    """Take the client's row lock for this transaction: record changes and session starts queue here."""
    Client.objects.select_for_update().filter(pk=client.pk).first()


def valid_regions(ids: Iterable[str], field: str) -> list[str]:
    lib = library_selectors.library()
    out = sorted(set(ids))
    bad = [r for r in out if r not in lib.regions or lib.regions[r].kind not in ("area", "group")]
    if bad:
        raise ValidationFailed({field: [_("Unknown body region(s): %(bad)s.") % {"bad": ", ".join(bad)}]})
    return out
