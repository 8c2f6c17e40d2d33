"""Imports of measurements from a client's earlier record: a list from an import such as a FHIR Bundle (all
or none), and a CSV file (all or none by default, or the good rows when asked for)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.selectors import client_queryset
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import ConsentRequired, ValidationFailed
from kneadwell.outcomes.csv_rows import CsvFileError, CsvRow, read_rows
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services.drafts import _check_client, _Draft, _draft, _growth_check, _save


@dataclass(frozen=True)
class ImportedMeasurement:
    """One measurement of a client's earlier record, arriving in an import (a FHIR Bundle, a CSV file)."""

    instrument_id: str
    answers: Mapping[str, Any]
    taken_at: dt.datetime | dt.date
    context: str = Measurement.Context.ROUTINE
    notes: str = ""
    confirmed: bool = False  # a possible-but-unusual value was checked and is to be kept (flagged)
    # The (instrument, scoring) versions the record says scored it: refused when today's differ.
    scored_with: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class MeasurementProblem:
    index: int  # the measurement's position in the list given
    field: str
    message: str
    unusual: bool  # possible but unusual and not confirmed (confirming keeps it); otherwise impossible


class MeasurementsRefused(ValidationFailed):
    """`measurement_import` saved nothing. `problems` lists every one by position; `errors` is keyed
    `rows.<n>.<field>` (n from 0), as for `weights_record_series`."""

    def __init__(self, problems: Sequence[MeasurementProblem]) -> None:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(f"rows.{p.index}.{p.field}", []).append(p.message)
        super().__init__(errors)
        self.problems = tuple(problems)


def measurement_import(
    *, actor: Actor, client: Client, measurements: Sequence[ImportedMeasurement], source: str
) -> list[Measurement]:
    """Save measurements from a client's earlier record brought in by an import (`source` names it, e.g.
    "a FHIR Bundle", "a CSV file"): all of them or none.

    They are scored and checked exactly like new measurements (instrument scoring and ranges, the date
    rules, growth plausibility against the reference, each other and what is saved), and a
    possible-but-unusual value is kept only when its `confirmed` is set. Unlike `measurement_record`,
    the client's consent is not required: these were taken elsewhere, earlier, and are a transfer of the
    existing record, which is why importing needs `record.import` (a clinical decision) as well as
    `measurement.record`. New measurements go through `measurement_record`. Every row is audited as
    imported, with its source.

    Raises MeasurementsRefused (nothing saved) listing every impossible value and every unconfirmed
    unusual one."""
    actor.require(Perm.MEASUREMENT_RECORD)
    actor.require(Perm.RECORD_IMPORT)
    _check_client(actor, client)
    with transaction.atomic():
        drafts = [
            _draft(
                client=client,
                instrument_id=m.instrument_id,
                answers=m.answers,
                taken_at=m.taken_at,
                context=m.context,
                notes=m.notes,
                confirm=m.confirmed,
                scored_with=m.scored_with,
            )
            for m in measurements
        ]
        _growth_check(client, drafts)
        problems: list[MeasurementProblem] = []
        for index, d in enumerate(drafts):
            problems += [
                MeasurementProblem(index, name, m, unusual=False)
                for name, messages in d.errors.items()
                for m in messages
            ]
            if not d.confirm:
                problems += [
                    MeasurementProblem(index, name, m, unusual=True)
                    for name, messages in d.unusual.items()
                    for m in messages
                ]
        if problems:
            raise MeasurementsRefused(problems)
        return _save(actor, drafts, imported_from=source.strip()[:200] or "an import")


# --- CSV import -----------------------------------------------------------------------------------

IMPORT_ALL_OR_NOTHING = "all_or_nothing"
IMPORT_GOOD_ROWS = "good_rows"
IMPORT_MODES = (IMPORT_ALL_OR_NOTHING, IMPORT_GOOD_ROWS)


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    mode: str
    rows: int
    saved: int
    problems: tuple[ImportProblem, ...]
    measurement_ids: tuple[int, ...] = ()

    @property
    def bad_lines(self) -> int:
        return len({p.line for p in self.problems})

    def as_errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(f"line {p.line}.{p.field}", []).append(p.message)
        return out


def _import_clients(actor: Actor, rows: Sequence[CsvRow]) -> dict[int, Client | str]:
    """Line -> client, or -> the reason none was found. One query for every client in the file."""
    ids = {r.client_id for r in rows if r.client_id is not None}
    identifiers = {r.identifier for r in rows if r.identifier}
    found = list(
        client_queryset(actor=actor).filter(Q(pk__in=ids) | Q(identifier__in=identifiers)).distinct()
    )
    by_id = {c.pk: c for c in found}
    by_identifier: dict[str, list[Client]] = {}
    for c in found:
        if c.identifier:
            by_identifier.setdefault(c.identifier, []).append(c)
    out: dict[int, Client | str] = {}
    for r in rows:
        chosen: Client | str
        if r.client_id is not None:
            chosen = by_id.get(r.client_id) or _("no client %(client)s that you can record for") % {
                "client": r.client_id
            }
            if isinstance(chosen, Client) and r.identifier and chosen.identifier != r.identifier:
                chosen = _("client %(client)s has number %(number)s, not %(given)s") % {
                    "client": r.client_id,
                    "number": repr(chosen.identifier),
                    "given": repr(r.identifier),
                }
        else:
            matches = by_identifier.get(r.identifier, [])
            if len(matches) == 1:
                chosen = matches[0]
            elif matches:
                chosen = _("%(count)s clients have the number %(number)s; use client_ref instead") % {
                    "count": len(matches),
                    "number": repr(r.identifier),
                }
            else:
                chosen = _("no client with the number %(number)s that you can record for") % {
                    "number": repr(r.identifier)
                }
        out[r.line] = chosen
    return out


def measurements_import_csv(*, actor: Actor, text: str, mode: str = IMPORT_ALL_OR_NOTHING) -> ImportReport:
    """Import measurements from CSV text (columns: see `outcomes.csv_rows`). Every row is checked first and
    every problem reported with its line number. Default (safer): if any row is bad, nothing is saved, so a
    file is never half-imported and can be corrected and sent again whole. `mode="good_rows"` saves the good
    rows and reports the rest, when asked for explicitly."""
    actor.require(Perm.MEASUREMENT_RECORD)
    if mode not in IMPORT_MODES:
        raise ValidationFailed({"mode": [_("Choose %(modes)s.") % {"modes": " or ".join(IMPORT_MODES)}]})
    try:
        rows = read_rows(text)
    except CsvFileError as exc:
        raise ValidationFailed({"file": [str(exc)]}) from None
    problems: list[ImportProblem] = []
    with transaction.atomic():
        clients = _import_clients(actor, [r for r in rows if not r.errors.get("client_ref")])
        consent: dict[int, str] = {}
        drafts: list[tuple[CsvRow, _Draft]] = []
        for row in rows:
            client = clients.get(row.line)
            if isinstance(client, str):
                row.error("client_ref", client)
            elif client is not None:
                if client.pk not in consent:
                    try:
                        consent_require(
                            client=client, scope=Scope.MEASUREMENTS, what=gettext_noop("measurements")
                        )
                        consent[client.pk] = ""
                    except ConsentRequired as exc:
                        consent[client.pk] = exc.message
                if consent[client.pk]:
                    row.error("client_ref", consent[client.pk])
            if row.errors or not isinstance(client, Client):
                continue
            drafts.append(
                (
                    row,
                    _draft(
                        client=client,
                        instrument_id=row.instrument,
                        answers=row.answers,
                        taken_at=row.taken_at,
                        context=row.context,
                        notes=row.notes,
                        confirm=row.confirmed,
                        scored_with=(row.instrument_version, row.scoring_version),
                    ),
                )
            )
        by_client: dict[int, list[_Draft]] = {}
        for _line, d in drafts:
            by_client.setdefault(d.client.pk, []).append(d)
        for group in by_client.values():
            _growth_check(group[0].client, group)
        good: list[_Draft] = []
        for row, d in drafts:
            for name, messages in d.errors.items():
                for message in messages:
                    row.error(name, message)
            if not d.confirm:
                for name, messages in d.unusual.items():
                    for message in messages:
                        row.error(
                            name,
                            _("%(message)s If it is right, write yes in the confirmed column.")
                            % {"message": message},
                        )
            if not row.errors:
                good.append(d)
        for row in rows:
            for name, messages in row.errors.items():
                problems.extend(ImportProblem(row.line, name, m) for m in messages)
        problems.sort(key=lambda p: (p.line, p.field))
        if problems and mode == IMPORT_ALL_OR_NOTHING:
            return ImportReport(mode, len(rows), 0, tuple(problems))
        saved = _save(actor, good)
        if saved:
            audit_action(
                actor=actor,
                action=Action.CREATE,
                entity="measurement_import",
                summary=f"imported {len(saved)} measurement(s) from a CSV file of {len(rows)} row(s)"
                + (f"; {len({p.line for p in problems})} bad row(s) left out" if problems else ""),
                changes={"mode": mode, "rows": len(rows), "saved": len(saved)},
            )
    return ImportReport(mode, len(rows), len(saved), tuple(problems), tuple(m.pk for m in saved))
