"""Queries of measurements: every read of measurements starts here, from a client loaded through
`kneadwell.clients.selectors.client_get` (tenancy, a caregiver's own children, and the audit row of the read)
or through `measurements_for_client`, which does that itself. Entries in error are left out unless asked
for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import NotFound
from kneadwell.outcomes import instruments
from kneadwell.outcomes.instruments import Instrument, InstrumentValidationError
from kneadwell.outcomes.models import Measurement


def measurement_queryset(
    *, client: Client, instrument_id: str | None = None, include_in_error: bool = False
) -> QuerySet[Measurement]:
    """A loaded client's measurements, newest first (the client came from `client_get`). Every read of
    measurements here starts from this one, through the scoped entry point (kneadwell.core.tenancy)."""
    qs = Measurement.objects.of_client(client)
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    if not include_in_error:
        qs = qs.filter(entered_in_error_at__isnull=True)
    return qs


def measurements_for_client(
    *, actor: Actor, client_id: int, instrument_id: str | None = None, include_in_error: bool = False
) -> QuerySet[Measurement]:
    """Tenant-scoped and audited: 404 for a client the actor may not see."""
    client = client_get(actor=actor, client_id=client_id, purpose=_("viewed measurements"))
    return measurement_queryset(client=client, instrument_id=instrument_id, include_in_error=include_in_error)


def measurement_get(*, client: Client, measurement_id: int) -> Measurement:
    try:
        return (
            measurement_queryset(client=client, include_in_error=True)
            .select_related("recorded_by", "entered_in_error_by")
            .get(pk=measurement_id)
        )
    except (Measurement.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such measurement for this client.")) from None


def measurements_in_error(*, client: Client, limit: int) -> tuple[list[Measurement], int]:
    """The latest `limit` measurements marked as entered in error (with who marked them), and how many."""
    qs = (
        measurement_queryset(client=client, include_in_error=True)
        .filter(entered_in_error_at__isnull=False)
        .select_related("entered_in_error_by")
        .order_by("-taken_at", "-id")
    )
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) if len(rows) <= limit else qs.count()


def instruments_recorded(*, client: Client) -> list[Instrument]:
    """The instruments this client has measurements of (not in error), in catalogue order, then the
    organisation's own measures (found by their id even outside a request)."""
    used = set(
        measurement_queryset(client=client).order_by().values_list("instrument_id", flat=True).distinct()
    )
    return instruments_of(used)


def instruments_of(used: set[str]) -> list[Instrument]:
    """The instruments of these ids as `instruments_recorded` lists them: in catalogue order, then the
    organisation's own measures; an id no longer known is left out."""
    found = [i for i in instruments.list_instruments() if i.id in used]
    for instrument_id in sorted(used - {i.id for i in found}):
        try:
            found.append(instruments.get_instrument(instrument_id))
        except InstrumentValidationError:
            continue  # no longer known: its rows still show what they hold
    return found


def instrument_or_404(instrument_id: str) -> Instrument:
    try:
        return instruments.get_instrument(instrument_id)
    except InstrumentValidationError:
        raise NotFound(_("No such instrument.")) from None
