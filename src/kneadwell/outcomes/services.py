"""The only write path for measurements. Each service checks the actor's permission and the client's
consent, scores the answers with `outcomes.instruments`, checks growth measurements with
`outcomes.growth.plausibility`, and saves with its audit rows in one transaction.

Plausibility policy (docs/outcomes.md):

* impossible (outside what the instrument can record, |SDS| beyond rcpchgrowth's error bound, a date before
  birth, a weight change over 20% a day) -> `ValidationFailed` naming the field; nothing is saved;
* possible but unusual (outside the instrument's usual range, a WHO implausibility flag, a head that shrank,
  a weight change over 5% a day) -> `UnusualValue` unless the person confirmed; a confirmed value is saved
  with `confirmed_unusual=True` and the messages they saw in `confirmed_warnings`.

Measurements are never deleted: `measurement_mark_in_error` records who, when and why, and the row drops out
of charts and summaries."""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action, snapshot
from kneadwell.audit.writes import audit_action, create_audited, edit_audited
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.selectors import client_queryset
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import (
    ConsentRequired,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from kneadwell.outcomes import instruments
from kneadwell.outcomes.csv_rows import CsvFileError, CsvRow, read_rows
from kneadwell.outcomes.growth import Finding, Observation, check_plausibility
from kneadwell.outcomes.instruments import ConfirmationRequired, Instrument, InstrumentValidationError, Kind
from kneadwell.outcomes.measures import velocity_instrument
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.scores import ScoreColumns, score_columns, to_json

CONFIRM_FIELD = "confirm_unusual"
CONFIRM_MESSAGE = (
    "Possible, but unusual: check it (re-measure, look at the unit). To keep it, confirm that you checked "
    "it (on the page: tick “I have checked this value”; in the API: send confirm_unusual=true); it is then "
    "kept and flagged as unusual."
)
# A clock a few minutes fast on a phone should not refuse a weight taken just now.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_NOTES = 5000
MAX_REASON = 2000
MAX_SERIES_ROWS = 62  # two months of daily weights in one form
MEASUREMENT_FIELDS = (
    "instrument_id",
    "taken_at",
    "context",
    "value",
    "unit",
    "total",
    "band",
    "site",
    "side",
    "confirmed_unusual",
)


class UnusualValue(ValidationFailed):
    """Every problem is a possible-but-unusual value the person has not confirmed yet. `errors` names the
    fields (plus `confirm_unusual`, the input that keeps them); `warnings` are the messages that will be kept
    on the record if they confirm."""

    def __init__(self, errors: dict[str, list[str]], warnings: list[str]) -> None:
        super().__init__(errors)
        self.warnings = warnings


# --- drafts: one measurement checked, not yet saved -------------------------------------------------


@dataclass
class _Draft:
    client: Client
    instrument: Instrument | None
    taken_at: dt.datetime | None
    context: str
    notes: str
    answers: dict[str, Any]
    confirm: bool
    columns: ScoreColumns | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    unusual: dict[str, list[str]] = field(default_factory=dict)
    unusual_kept: list[str] = field(default_factory=list)  # message + rule, as stored when confirmed

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def flag(self, name: str, message: str, rule: str = "") -> None:
        self.unusual.setdefault(name, []).append(message)
        self.unusual_kept.append(f"{message} (rule: {rule})" if rule else message)

    @property
    def day(self) -> dt.date:
        assert self.taken_at is not None
        return timezone.localtime(self.taken_at).date()

    @property
    def usable(self) -> bool:
        return not self.errors and self.columns is not None


def _aware(taken_at: object) -> dt.datetime | None:
    """A date becomes 12:00 local time (a day's measurement stays on that day in any display), or now for
    today before noon; a naive date-time is read as local time."""
    if isinstance(taken_at, dt.datetime):
        if timezone.is_naive(taken_at):
            return timezone.make_aware(taken_at)
        return taken_at
    if isinstance(taken_at, dt.date):
        noon = timezone.make_aware(dt.datetime.combine(taken_at, dt.time(12, 0)))
        return min(noon, timezone.now()) if taken_at == timezone.localdate() else noon
    return None


def _instrument_field(name: str) -> str:
    return "instrument_id" if name == "instrument" else name


def _draft(
    *,
    client: Client,
    instrument_id: str,
    answers: object,
    taken_at: object,
    context: str,
    notes: str,
    confirm: bool,
) -> _Draft:
    instrument: Instrument | None = None
    with contextlib.suppress(InstrumentValidationError):
        instrument = instruments.get_instrument(str(instrument_id))
    try:
        when = _aware(taken_at)
        if when is not None and not 1900 <= timezone.localtime(when).year <= 2200:
            when = None
    except (OverflowError, ValueError):  # the far edges of the calendar cannot be put in a time zone
        when = None
    draft = _Draft(
        client=client,
        instrument=instrument,
        taken_at=when,
        context=context,
        notes=notes,
        answers={},
        confirm=confirm,
    )
    if instrument is None:
        shown = ", ".join(i.id for i in instruments.list_instruments())
        draft.error(
            "instrument_id", f"Unknown instrument {str(instrument_id)[:64]!r}. Choose one of: {shown}."
        )
    if context not in Measurement.Context.values:
        draft.error("context", f"Choose one of: {', '.join(Measurement.Context.values)}.")
    if len(notes) > MAX_NOTES:
        draft.error("notes", f"Notes are limited to {MAX_NOTES} characters.")
    if when is None:
        draft.error("taken_at", "Enter when the measurement was taken, as a date and time from 1900 to 2200.")
    elif when > timezone.now() + FUTURE_TOLERANCE:
        draft.error("taken_at", "The time the measurement was taken is in the future.")
    elif timezone.localtime(when).date() < client.birth_date:
        draft.error(
            "taken_at",
            f"The measurement is dated before {client.given_name}'s date of birth "
            f"({client.birth_date:%d %b %Y}).",
        )
    if not isinstance(answers, Mapping):
        draft.error("answers", "Give the answers as an object of item ids and values.")
        return draft
    # Confirmation is the service's decision (the `confirm_unusual` input), never an answer sent along.
    draft.answers = {str(k): v for k, v in answers.items() if k != "confirmed"}
    if instrument is not None:
        _score(draft, instrument)
    return draft


def _score(draft: _Draft, instrument: Instrument) -> None:
    answers = draft.answers
    try:
        try:
            score = instruments.score(instrument.id, answers)
        except ConfirmationRequired as unusual:
            for name, message in unusual.errors:
                draft.flag(_instrument_field(name), _sentence(message))
            # Score it as confirmed to learn the values (growth checks need them); kept only if confirmed.
            score = instruments.score(instrument.id, {**answers, "confirmed": True})
            if draft.confirm:
                draft.answers = {**answers, "confirmed": True}
    except InstrumentValidationError as exc:
        for name, message in exc.errors:
            draft.error(_instrument_field(name), _sentence(message))
        if instrument.growth is not None and "value" in draft.errors:
            hint = _unit_hint(draft, instrument)
            if hint:
                draft.errors["value"].append(hint)
        return
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError):
        # Answers of the wrong shape (a list where a number belongs ...) that the scorer did not name.
        draft.error(
            "answers",
            f"The answers are not in the shape {instrument.name} takes (see the instrument's items).",
        )
        return
    draft.columns = score_columns(instrument, score)


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _unit_hint(draft: _Draft, instrument: Instrument) -> str:
    """For a weight, length or head circumference refused as impossible: would the number be ordinary in the
    instrument's other unit (grams typed as kilograms, or the reverse)?"""
    if instrument.growth is None:
        return ""
    method = instrument.growth.method
    try:
        number = float(str(draft.answers.get("value", "")).strip())
    except ValueError:
        return ""
    units = {str(u["unit"]): float(u["factor"]) for u in instrument.extra["units"]}
    entered = str(draft.answers.get("unit") or instrument.extra["canonical_unit"])
    if entered not in units or draft.taken_at is None:
        return ""
    client = draft.client
    for other, factor in units.items():
        if other == entered:
            continue
        canonical = number * factor
        findings = check_plausibility(
            [Observation(draft.day, method, canonical)],
            sex=client.sex,
            birth_date=client.birth_date,
            gestation_weeks=client.gestation_weeks,
            gestation_days=client.gestation_days,
        )
        if not findings and canonical > 0:
            return f"It looks like the value is in {other}: did you mean {number:g} {other}?"
    return ""


# --- growth plausibility --------------------------------------------------------------------------


def _finding_key(f: Finding) -> tuple[object, ...]:
    return (f.index, f.level, f.field, f.message)


def _neighbours(
    existing: list[tuple[dt.date, float]], days: Iterable[dt.date]
) -> list[tuple[dt.date, float]]:
    """The existing measurements right before and right after each new date (by date; same-day ones count
    as before), which is all the serial checks compare a new value with."""
    dates = [d for d, _ in existing]  # sorted by the caller
    keep: set[int] = set()
    for day in days:
        cut = bisect.bisect_right(dates, day)  # existing[:cut] are on or before the day
        if cut > 0:
            keep.add(cut - 1)
        if cut < len(existing):
            keep.add(cut)
    return [existing[i] for i in sorted(keep)]


def _plausibility(client: Client, observations: list[Observation]) -> list[Finding]:
    return check_plausibility(
        observations,
        sex=client.sex,
        birth_date=client.birth_date,
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
    )


def _growth_check(client: Client, drafts: Sequence[_Draft]) -> None:
    """Check new weights, lengths and head circumferences against the reference for age and sex, against
    each other and against the client's saved measurements; add errors and flags to the drafts."""
    groups: dict[str, list[_Draft]] = {}
    for d in drafts:
        if d.usable and d.instrument is not None and d.instrument.growth is not None:
            assert d.columns is not None
            if d.columns.value is not None:
                groups.setdefault(d.instrument.id, []).append(d)
    for instrument_id, group in groups.items():
        first = group[0].instrument
        assert first is not None
        assert first.growth is not None
        method = first.growth.method
        saved = sorted(
            (timezone.localtime(t).date(), v)
            for t, v in Measurement.objects.filter(
                client_id=client.pk, instrument_id=instrument_id, entered_in_error_at__isnull=True
            ).values_list("taken_at", "value")
            if v is not None
        )
        base = [Observation(d, method, v) for d, v in _neighbours(saved, (g.day for g in group))]
        new = [Observation(g.day, method, float(g.columns.value or 0)) for g in group if g.columns]
        already = {_finding_key(f) for f in _plausibility(client, base)} if base else set()
        every = base + new
        order = sorted(range(len(every)), key=lambda i: (every[i].date, i))
        previous = {order[k]: order[k - 1] for k in range(1, len(order))}
        for finding in _plausibility(client, every):
            if finding.index is None:
                continue
            if finding.index >= len(base):
                target = group[finding.index - len(base)]
            elif _finding_key(finding) not in already and previous.get(finding.index, -1) >= len(base):
                # A saved value that now looks wrong next to the new one: the new one is the suspect.
                target = group[previous[finding.index] - len(base)]
            else:
                continue
            name = "taken_at" if finding.field == "observation_date" else "value"
            if finding.level == "impossible":
                target.error(name, finding.message)
            else:
                target.flag(name, finding.message, finding.basis)


# --- saving ---------------------------------------------------------------------------------------


def _check_client(actor: Actor, client: Client) -> None:
    """The client must be one the actor may see (their organisation; a caregiver's own child)."""
    if not client_queryset(actor=actor, include_archived=True).filter(pk=client.pk).exists():
        raise NotFound("No such client.")
    if client.archived_at is not None:
        raise DomainError("This client's record is archived; nothing new can be recorded for them.")


def _collect(drafts: Sequence[tuple[str, _Draft]]) -> None:
    """Raise for the drafts as a whole: errors first (with any unusual values, so everything is seen at
    once), then unusual values not yet confirmed."""
    errors: dict[str, list[str]] = {}
    unusual: dict[str, list[str]] = {}
    kept: list[str] = []
    for prefix, d in drafts:
        for name, messages in d.errors.items():
            errors.setdefault(prefix + name, []).extend(messages)
        if not d.confirm:
            for name, messages in d.unusual.items():
                unusual.setdefault(prefix + name, []).extend(messages)
            kept.extend(d.unusual_kept)
    if errors:
        for name, messages in unusual.items():
            errors.setdefault(name, []).extend(messages)
        raise ValidationFailed(errors)
    if unusual:
        raise UnusualValue({**unusual, CONFIRM_FIELD: [CONFIRM_MESSAGE]}, kept)


def _summary(draft: _Draft) -> str:
    inst = draft.instrument
    cols = draft.columns
    assert inst is not None
    assert cols is not None
    if inst.kind is Kind.MEASUREMENT:
        entered = cols.details.get("entered_value")
        unit = cols.details.get("entered_unit", cols.unit)
        what = f"{entered:g} {unit}" if isinstance(entered, int | float) else f"{cols.value} {cols.unit}"
    elif cols.total is not None:
        what = f"total {cols.total:g}"
    else:
        what = f"{len(cols.subscores) or 'its'} item(s)"
    return f"recorded {inst.name}: {what}"[:500]


def _save(actor: Actor, drafts: Sequence[_Draft], *, imported_from: str = "") -> list[Measurement]:
    saved = []
    for d in drafts:
        assert d.instrument is not None
        assert d.columns is not None
        assert d.taken_at is not None
        cols = d.columns
        m = Measurement(
            organisation_id=d.client.organisation_id,
            client=d.client,
            instrument_id=d.instrument.id,
            taken_at=d.taken_at,
            context=d.context,
            answers=to_json(d.answers),
            value=cols.value,
            unit=cols.unit,
            total=cols.total,
            subscores=cols.subscores,
            band=cols.band[:40],
            band_label=cols.band_label[:200],
            details=cols.details,
            warnings=cols.warnings,
            site=cols.site[:64],
            side=cols.side[:8],
            confirmed_unusual=bool(d.unusual_kept),
            confirmed_warnings=d.unusual_kept,
            notes=d.notes,
            recorded_by=actor.user,
        )
        changes = snapshot(m, MEASUREMENT_FIELDS)
        summary = _summary(d) + (" (unusual, confirmed)" if m.confirmed_unusual else "")
        if imported_from:
            changes["imported_from"] = imported_from
            summary = f"{summary} — imported from {imported_from}"[:500]
        create_audited(
            actor=actor,
            obj=m,
            entity="measurement",
            client_id=d.client.pk,
            summary=summary,
            changes=changes,
        )
        saved.append(m)
    return saved


# --- public services ------------------------------------------------------------------------------


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
        consent_require(client=client, scope=Scope.MEASUREMENTS, what="recording measurements")
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
        raise ValidationFailed({"rows": ["Enter at least one weight."]})
    if len(weights) > MAX_SERIES_ROWS:
        raise ValidationFailed({"rows": [f"Enter at most {MAX_SERIES_ROWS} weights at once."]})
    with transaction.atomic():
        consent_require(client=client, scope=Scope.MEASUREMENTS, what="recording measurements")
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


@dataclass(frozen=True)
class ImportedMeasurement:
    """One measurement of a client's earlier record, arriving in an import (a FHIR Bundle, a CSV file)."""

    instrument_id: str
    answers: Mapping[str, Any]
    taken_at: dt.datetime | dt.date
    context: str = Measurement.Context.ROUTINE
    notes: str = ""
    confirmed: bool = False  # a possible-but-unusual value was checked and is to be kept (flagged)


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


def measurement_mark_in_error(
    *, actor: Actor, measurement: Measurement, reason: str, expected_version: int | None
) -> Measurement:
    """Mark a measurement as entered in error (never deleted). Parents may mark only what they entered."""
    actor.require(Perm.MEASUREMENT_RECORD)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": ["Say what was wrong (e.g. 'weighed with the blanket')."]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": [f"Keep the reason under {MAX_REASON} characters."]})
    if not client_queryset(actor=actor, include_archived=True).filter(pk=measurement.client_id).exists():
        raise NotFound("No such measurement.")
    if actor.is_caregiver and measurement.recorded_by_id != actor.user.pk:
        raise PermissionDenied(
            "Parents can mark only the measurements they entered themselves; ask the care team to "
            "correct this one."
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
            raise DomainError("This measurement is already marked as entered in error.")
        current.entered_in_error_at = timezone.now()
        current.entered_in_error_by = actor.user
        current.entered_in_error_reason = reason
        edit.summary = (
            f"marked {current.instrument_id} of {timezone.localtime(current.taken_at):%Y-%m-%d} "
            f"as entered in error: {reason}"[:500]
        )
        edit.changes = {"entered_in_error_reason": reason}
    return current


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
            chosen = by_id.get(r.client_id) or f"no client {r.client_id} that you can record for"
            if isinstance(chosen, Client) and r.identifier and chosen.identifier != r.identifier:
                chosen = f"client {r.client_id} has number {chosen.identifier!r}, not {r.identifier!r}"
        else:
            matches = by_identifier.get(r.identifier, [])
            if len(matches) == 1:
                chosen = matches[0]
            elif matches:
                chosen = f"{len(matches)} clients have the number {r.identifier!r}; use client_ref instead"
            else:
                chosen = f"no client with the number {r.identifier!r} that you can record for"
        out[r.line] = chosen
    return out


def measurements_import_csv(*, actor: Actor, text: str, mode: str = IMPORT_ALL_OR_NOTHING) -> ImportReport:
    """Import measurements from CSV text (columns: see `outcomes.csv_rows`). Every row is checked first and
    every problem reported with its line number. Default (safer): if any row is bad, nothing is saved, so a
    file is never half-imported and can be corrected and sent again whole. `mode="good_rows"` saves the good
    rows and reports the rest, when asked for explicitly."""
    actor.require(Perm.MEASUREMENT_RECORD)
    if mode not in IMPORT_MODES:
        raise ValidationFailed({"mode": [f"Choose {' or '.join(IMPORT_MODES)}."]})
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
                        consent_require(client=client, scope=Scope.MEASUREMENTS, what="measurements")
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
                    ),
                )
            )
        by_client: dict[int, list[_Draft]] = {}
        for _, d in drafts:
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
                        row.error(name, f"{message} If it is right, write yes in the confirmed column.")
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
