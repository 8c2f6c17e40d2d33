"""Reads of organisations' own outcome measures (docs/custom-measures.md), and the resolver through which
`outcomes.instruments.get_instrument` finds them, so every page, report and export that looks an
instrument up by id treats them like catalogue instruments.

Tenancy: a measure belongs to one organisation. Inside a request the resolver answers only for the
organisation in force (another organisation's measure id is unknown: a 404 on pages and in the API);
outside one (command line, the services, tests) it answers for the organisation named in the id, and the
services check that it is the client's.

Cost: one query per request (the organisation's published versions, kept for the request in
`core.tenancy.scope_memo`); outside a request, one query per look-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import NotFound
from kneadwell.core.tenancy import active_organisation, scope_memo
from kneadwell.outcomes.instruments import Instrument, external
from kneadwell.outcomes.instruments.organisation import (
    build_instrument,
    measure_instrument_id,
    parse_measure_id,
)
from kneadwell.outcomes.models import OrganisationMeasure, OrganisationMeasureVersion

_MEMO_KEY = "outcomes.organisation_measures"


@dataclass(frozen=True)
class Entry:
    """One measure as the resolver keeps it: the instrument of its published version, and whether the
    measure is retired (readable, no longer offered for new entries)."""

    instrument: Instrument
    retired: bool


def version_instrument(version: OrganisationMeasureVersion) -> Instrument:
    """The `Instrument` of one version (published or a draft being previewed)."""
    measure = version.measure
    return build_instrument(
        instrument_id=measure_instrument_id(measure.organisation_id, measure.slug),
        version=version.number,
        definition=version.definition,
        organisation=measure.organisation.name,
    )


def _table(organisation_id: int) -> dict[str, Entry]:
    """slug -> Entry for every measure of the organisation with a published version."""
    memo = scope_memo()
    key = (_MEMO_KEY, organisation_id)
    if memo is not None and key in memo:
        found: dict[str, Entry] = memo[key]  # type: ignore[assignment]
        return found
    versions = (
        OrganisationMeasureVersion.objects.for_organisation(organisation_id)
        .filter(number=F("measure__published_number"))
        .select_related("measure__organisation")
        .order_by("measure__slug")
    )
    table = {v.measure.slug: Entry(version_instrument(v), v.measure.retired_at is not None) for v in versions}
    if memo is not None:
        memo[key] = table
    return table


def forget(organisation_id: int) -> None:
    """Drop the request's copy after a change (a new version published, a measure retired)."""
    memo = scope_memo()
    if memo is not None:
        memo.pop((_MEMO_KEY, organisation_id), None)


def measure_entry(instrument_id: str, *, organisation_id: int | None = None) -> Entry | None:
    """The entry for an organisation's measure id: None for another kind of id, an unknown measure, or
    another organisation's (the one in force inside a request, else `organisation_id` when given)."""
    parsed = parse_measure_id(instrument_id)
    if parsed is None:
        return None
    owner, slug = parsed
    allowed = active_organisation() if organisation_id is None else organisation_id
    if allowed is not None and allowed != owner:
        return None
    return _table(owner).get(slug)


def programme_measure_links(*, organisation_id: int) -> dict[str, tuple[Instrument, ...]]:
    """The programmes' measures (library `measures.yaml` ids, such as `pedsql`) that the organisation's
    published, not retired measures say they record, each with those measures."""
    out: dict[str, list[Instrument]] = {}
    for entry in _table(organisation_id).values():
        linked = str((entry.instrument.extra.get("organisation_measure") or {}).get("protocol_measure") or "")
        if linked and not entry.retired:
            out.setdefault(linked, []).append(entry.instrument)
    return {k: tuple(v) for k, v in out.items()}


class _Resolver:
    """What `outcomes.instruments.external` consults (installed by OutcomesConfig.ready)."""

    def resolve(self, instrument_id: str) -> Instrument | None:
        entry = measure_entry(instrument_id)
        return entry.instrument if entry is not None else None

    def known(self) -> tuple[Instrument, ...]:
        organisation_id = active_organisation()
        if organisation_id is None:
            return ()
        return tuple(e.instrument for e in _table(organisation_id).values())

    def listed(self) -> tuple[Instrument, ...]:
        organisation_id = active_organisation()
        if organisation_id is None:
            return ()
        return tuple(e.instrument for e in _table(organisation_id).values() if not e.retired)


def install_resolver() -> None:
    external.install(_Resolver())


def instrument_as_scored(instrument: Instrument, version: str) -> Instrument:
    """The instrument as it was when a measurement was scored: an organisation's measure at that version
    (its items and labels may have changed since); a catalogue instrument as it is now (the catalogue
    keeps one version; pages say when the measurement's differs)."""
    parsed = parse_measure_id(instrument.id)
    if parsed is None or not version.isdigit() or version == instrument.version:
        return instrument
    owner, slug = parsed
    try:
        row = (
            OrganisationMeasureVersion.objects.for_organisation(owner)
            .select_related("measure__organisation")
            .get(measure__slug=slug, number=int(version), published_at__isnull=False)
        )
    except OrganisationMeasureVersion.DoesNotExist:
        return instrument
    return version_instrument(row)


# --- the builder's reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureSummary:
    measure: OrganisationMeasure
    instrument_id: str
    name: str
    published: int  # the version recorded with now (0: none yet)
    draft: int  # a draft version's number (0: none)
    retired: bool


def organisation_measures(*, actor: Actor) -> QuerySet[OrganisationMeasure]:
    """The actor's organisation's measures (any member may read the definitions; defining them is
    `Perm.MEASURE_DEFINE`)."""
    actor.require(Perm.LIBRARY_VIEW)
    return OrganisationMeasure.objects.for_organisation(actor.organisation_id)


def organisation_measure_list(*, actor: Actor) -> list[MeasureSummary]:
    """Every measure of the organisation with its newest version's name, in name order."""
    measures = list(organisation_measures(actor=actor))
    latest: dict[int, OrganisationMeasureVersion] = {}
    for v in OrganisationMeasureVersion.objects.for_organisation(actor.organisation_id).order_by("number"):
        latest[v.measure_id] = v
    out = []
    for m in measures:
        newest = latest.get(m.pk)
        draft = newest.number if newest is not None and not newest.published else 0
        name = str(newest.definition.get("name", m.slug)) if newest is not None else m.slug
        iid = measure_instrument_id(m.organisation_id, m.slug)
        out.append(MeasureSummary(m, iid, name, m.published_number, draft, m.retired_at is not None))
    return sorted(out, key=lambda s: s.name.lower())


def organisation_measure_get(*, actor: Actor, slug: str) -> OrganisationMeasure:
    try:
        return organisation_measures(actor=actor).get(slug=slug)
    except OrganisationMeasure.DoesNotExist:
        raise NotFound(_("No such measure in your organisation.")) from None


def measure_versions(*, measure: OrganisationMeasure) -> list[OrganisationMeasureVersion]:
    """Every version, newest first, with who made and published it."""
    return list(
        OrganisationMeasureVersion.objects.within(measure)
        .filter(measure=measure)
        .select_related("measure__organisation", "created_by", "published_by")
        .order_by("-number")
    )


def measure_version_get(*, measure: OrganisationMeasure, number: int) -> OrganisationMeasureVersion:
    try:
        return (
            OrganisationMeasureVersion.objects.within(measure)
            .select_related("measure__organisation")
            .get(measure=measure, number=number)
        )
    except (OrganisationMeasureVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such version of this measure.")) from None


def definition_for_form(version: OrganisationMeasureVersion | None) -> dict[str, Any]:
    """A version's definition as the builder form starts from (empty for a new measure)."""
    return dict(version.definition) if version is not None else {}
