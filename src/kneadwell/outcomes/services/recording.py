"""Recording new measurements: one at a time, or a series of daily weights saved all or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.outcomes.measures import velocity_instrument
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services.drafts import (
    MAX_SERIES_ROWS,
    _check_client,
    _collect,
    _draft,
    _growth_check,
    _save,
)


def measurement_record(
    *,
    actor: Actor,
    client: Client,
    instrument_id: str,
    answers: Mapping[str, Any],
    taken_at: dt.datetime | dt.date,
    context: str = Measurement.Context.ROUTINE,
    confirm_unusual: bool = False,
    notes: str = "",
) -> Measurement:
    """Score and save one measurement. Raises ConsentRequired, ValidationFailed (impossible values, each
    naming its field) or UnusualValue (possible but unusual, not yet confirmed)."""
    actor.require(Perm.MEASUREMENT_RECORD)
    _check_client(actor, client)
    with transaction.atomic():
        return _record_one(actor, client, instrument_id, answers, taken_at, context, confirm_unusual, notes)


def measurement_record_assessed(
    *,
    actor: Actor,
    client: Client,
    instrument_id: str,
    answers: Mapping[str, Any],
    taken_at: dt.datetime | dt.date,
    context: str = Measurement.Context.ROUTINE,
    confirm_unusual: bool = False,
    notes: str = "",
) -> Measurement:
    """`measurement_record` for a study's outcome assessor (programme evaluation, issue 13). A blinded
    assessor holds no client-record permission (the record would show the arm), so the caller,
    `evaluation.services.assessment`, has already checked `Perm.OUTCOME_ASSESS` and that the client is a
    participant of a study in the actor's organisation due this measurement; the same consent, scoring
    and plausibility checks and the same audit row follow. Call it inside the caller's transaction."""
    actor.require(Perm.OUTCOME_ASSESS)
    if client.organisation_id != actor.organisation_id:
        raise NotFound(_("No such client."))
    if client.archived_at is not None:
        raise DomainError(_("This client's record is archived; nothing new can be recorded for them."))
    with transaction.atomic():
        return _record_one(actor, client, instrument_id, answers, taken_at, context, confirm_unusual, notes)


def _record_one(
    actor: Actor,
    client: Client,
    instrument_id: str,
    answers: Mapping[str, Any],
    taken_at: dt.datetime | dt.date,
    context: str,
    confirm_unusual: bool,
    notes: str,
) -> Measurement:
    consent_require(client=client, scope=Scope.MEASUREMENTS, what=gettext_noop("recording measurements"))
    draft = _draft(
        client=client,
        instrument_id=instrument_id,
        answers=answers,
        taken_at=taken_at,
        context=context,
        notes=notes,
        confirm=confirm_unusual,
    )
    _growth_check(client, [draft])
    _collect([("", draft)])
    (measurement,) = _save(actor, [draft])
    return measurement


def weights_record_series(
    *,
    actor: Actor,
    client: Client,
    weights: Sequence[tuple[dt.datetime | dt.date, object]],
    unit: str = "g",
    context: str = Measurement.Context.ROUTINE,
    confirm_unusual: bool = False,
    notes: str = "",
) -> list[Measurement]:
    """Several weights at once (quick daily-weight entry): all are saved or none. Errors are keyed
    `rows.<n>.value` / `rows.<n>.taken_at`, n counting from 0 in the order given."""
    actor.require(Perm.MEASUREMENT_RECORD)
    _check_client(actor, client)
    if not weights:
        raise ValidationFailed({"rows": [_("Enter at least one weight.")]})
    if len(weights) > MAX_SERIES_ROWS:
        raise ValidationFailed(
            {
                "rows": [
                    _("Enter at most %(max_series_rows)s weights at once.")
                    % {"max_series_rows": MAX_SERIES_ROWS}
                ]
            }
        )
    with transaction.atomic():
        consent_require(client=client, scope=Scope.MEASUREMENTS, what=gettext_noop("recording measurements"))
        drafts = [
            _draft(
                client=client,
                instrument_id=velocity_instrument().id,
                answers={"value": value, "unit": unit},
                taken_at=taken_at,
                context=context,
                notes=notes,
                confirm=confirm_unusual,
            )
            for taken_at, value in weights
        ]
        _growth_check(client, drafts)
        _collect([(f"rows.{i}.", d) for i, d in enumerate(drafts)])
        saved = _save(actor, drafts)
    return saved
