"""Export and import services: a client's record as FHIR, a client created from a FHIR Bundle, and the
organisation's clients and measurements as CSV files. Each checks the actor's permission, reads through
the tenant-scoped selectors, writes through the domain services (so the same validation applies as on
the pages) and audits, all or nothing in one transaction.

Imported measurements and consent: consent gates *recording new* care data. Measurements arriving in an
import were taken elsewhere, earlier; they are a transfer of the existing record. They are therefore
checked and scored exactly like new measurements (instrument scoring, growth plausibility, the date
rules) but not refused for want of consent, and the imported client has no consent until one is
recorded here, so nothing new can be recorded for them until then (the result page says so).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.care import services as care_services
from kneadwell.care.models import Session, StepLog
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_get, client_queryset
from kneadwell.clients.services import client_create
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.interop import csv_io
from kneadwell.interop.fhir_export import ExportResult, export_client
from kneadwell.interop.fhir_import import BundleRejected, ImportPlan, read_bundle
from kneadwell.outcomes import csv_rows
from kneadwell.outcomes import services as outcomes_services
from kneadwell.outcomes.models import Measurement

CONSENT_NOTE = (
    "{name} has no consent recorded here yet. The imported measurements are kept as part of the record, "
    "but no session or new measurement can be recorded until a parent or guardian (or the client, if an "
    "adult) gives consent and it is recorded on the client's page."
)
CONFIRM_MESSAGE = (
    "Some values are possible but unusual (listed). If they are right, confirm them and import again; "
    "they will be kept and flagged as unusual."
)


class NeedsConfirmation(ValidationFailed):
    """Only possible-but-unusual values stand in the way; `warnings` lists them for the person to check."""

    def __init__(self, errors: dict[str, list[str]], warnings: list[str]) -> None:
        super().__init__(errors)
        self.warnings = warnings


class _Rollback(Exception):
    """Leave the transaction without saving (a dry run, or an import with problems)."""


# --- measurements, checked and saved by the outcomes import service -----------------------------------


@dataclass(frozen=True)
class MeasurementIn:
    label: str  # how a problem names the row ("line 4", "Observation 3 (...)")
    instrument_id: str
    answers: dict[str, Any]
    taken_at: dt.datetime | dt.date
    context: str = Measurement.Context.ROUTINE
    notes: str = ""
    confirmed: bool = False


def _import_measurements(
    actor: Actor, client: Client, items: Sequence[MeasurementIn], *, source: str, confirm_all: bool = False
) -> list[Measurement]:
    """Score, check and save the items through `outcomes.services.measurement_import` (the same checks
    as a new measurement, no consent needed for an earlier record; module docstring). Raises its
    MeasurementsRefused, saving nothing, when any item has a problem."""
    return outcomes_services.measurement_import(
        actor=actor,
        client=client,
        measurements=[
            outcomes_services.ImportedMeasurement(
                instrument_id=item.instrument_id,
                answers=item.answers,
                taken_at=item.taken_at,
                context=item.context,
                notes=item.notes,
                confirmed=item.confirmed or confirm_all,
            )
            for item in items
        ],
        source=source,
    )


# --- FHIR export -------------------------------------------------------------------------------------


def fhir_export(*, actor: Actor, client_id: int) -> ExportResult:
    """The client's record as a FHIR R4B Bundle; audited as an export on the actor's channel."""
    actor.require(Perm.RECORD_EXPORT)
    client = client_get(actor=actor, client_id=client_id, purpose="opened the record to export it (FHIR)")
    with transaction.atomic():
        result = export_client(client)
        total = sum(result.counts.values())
        audit_action(
            actor=actor,
            action=Action.EXPORT,
            entity="client",
            entity_id=client.pk,
            client_id=client.pk,
            summary=f"exported the record as a FHIR R4B Bundle ({total} resources)",
            changes={"format": "FHIR R4B Bundle (collection)", "resources": result.counts},
        )
    return result


# --- FHIR import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FhirImportResult:
    plan: ImportPlan
    client: Client | None  # None for a dry run
    measurements: int
    dry_run: bool
    warnings: tuple[str, ...] = ()  # unusual values that were confirmed (kept and flagged)

    @property
    def consent_note(self) -> str:
        return CONSENT_NOTE.format(name=self.plan.display_name)


def fhir_plan(raw: bytes | str) -> ImportPlan:
    """Read a Bundle into an import plan; a Bundle that cannot be imported is a ValidationFailed on
    `bundle`, with every reason."""
    try:
        return read_bundle(raw)
    except BundleRejected as exc:
        raise ValidationFailed({"bundle": exc.reasons}) from None


def _client_values(plan: ImportPlan) -> dict[str, Any]:
    return {
        "given_name": plan.given_name,
        "family_name": plan.family_name,
        "birth_date": dt.date.fromisoformat(plan.birth_date),
        "sex": plan.sex,
        "gestation_weeks": plan.gestation_weeks,
        "gestation_days": plan.gestation_days,
        "birth_weight_g": plan.birth_weight_g,
        "identifier": plan.identifier,
    }


def _when(text: str) -> dt.datetime | dt.date:
    return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)


def fhir_import(
    *, actor: Actor, plan: ImportPlan, confirm_unusual: bool = False, dry_run: bool = False
) -> FhirImportResult:
    """Create the client and its measurements from a plan (see `fhir_plan`), all or nothing. Raises
    ValidationFailed (field `bundle`) for anything refused, NeedsConfirmation when the only problems are
    unusual values not yet confirmed. `dry_run` checks everything and saves nothing."""
    actor.require(Perm.RECORD_IMPORT)
    actor.require(Perm.MEASUREMENT_RECORD)
    items = [
        MeasurementIn(
            label=m.label, instrument_id=m.instrument_id, answers=dict(m.answers), taken_at=_when(m.taken_at)
        )
        for m in plan.measurements
    ]
    result: FhirImportResult | None = None
    try:
        with transaction.atomic():
            try:
                client = client_create(actor=actor, **_client_values(plan))
            except ValidationFailed as exc:
                raise ValidationFailed(
                    {
                        "bundle": [
                            f"Patient {name.replace('_', ' ')}: {m}"
                            for name, ms in exc.errors.items()
                            for m in ms
                        ]
                    }
                ) from None
            try:
                saved = _import_measurements(
                    actor, client, items, source="a FHIR Bundle", confirm_all=confirm_unusual
                )
            except outcomes_services.MeasurementsRefused as refused:
                errors = [p for p in refused.problems if not p.unusual]
                unusual = [f"{items[p.index].label}: {p.message}" for p in refused.problems if p.unusual]
                if errors:
                    reasons = [f"{items[p.index].label}: {p.message}" for p in errors] + unusual
                    raise ValidationFailed({"bundle": reasons}) from None
                raise NeedsConfirmation(
                    {"bundle": unusual, "confirm_unusual": [CONFIRM_MESSAGE]}, unusual
                ) from None
            kept = tuple(w for m in saved for w in m.confirmed_warnings)
            audit_action(
                actor=actor,
                action=Action.CREATE,
                entity="fhir_import",
                entity_id=client.pk,
                client_id=client.pk,
                summary=f"created {client.display_name} from a FHIR Bundle with {len(saved)} measurement(s)",
                changes={"measurements": len(saved), "skipped": list(plan.skipped)[:50]},
            )
            result = FhirImportResult(plan, None if dry_run else client, len(saved), dry_run, kept)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result


# --- CSV export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvExport:
    files: dict[str, str]  # name (clients, measurements) -> CSV text
    counts: dict[str, int]


def _clients_for_export(actor: Actor) -> QuerySet[Client]:
    # Names, then birth date and number: an order that does not depend on ids, so a re-import exports in
    # the same order (ids break ties only between otherwise identical rows).
    return client_queryset(actor=actor).order_by(
        "family_name", "given_name", "birth_date", "identifier", "id"
    )


def _client_row(c: Client) -> dict[str, object]:
    return {
        "client_ref": c.pk,
        "given_name": c.given_name,
        "family_name": c.family_name,
        "birth_date": c.birth_date.isoformat(),
        "sex": c.sex,
        "gestation_weeks": c.gestation_weeks,
        "gestation_days": c.gestation_days,
        "birth_weight_g": c.birth_weight_g,
        "conditions": csv_io.join_conditions(c.conditions),
        "identifier": c.identifier,
        "notes": c.notes,
    }


def _measurement_row(m: Measurement) -> dict[str, object]:
    answers = {k: v for k, v in (m.answers or {}).items() if k != "confirmed"}
    return {
        "client_ref": m.client_id,
        "identifier": m.client.identifier,
        "instrument": m.instrument_id,
        "taken_at": timezone.localtime(m.taken_at).isoformat(),
        "context": m.context,
        "answers": json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        "notes": m.notes,
        "confirmed": csv_io.YES if m.confirmed_unusual else "",
    }


def _measurements_for_export(actor: Actor) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(
            organisation_id=actor.organisation_id,
            client__in=client_queryset(actor=actor),
            entered_in_error_at__isnull=True,
        )
        .order_by(
            "client__family_name",
            "client__given_name",
            "client__birth_date",
            "client__identifier",
            "client_id",
            "taken_at",
            "instrument_id",
            "id",
        )
        .select_related("client")
        .only(
            "client_id",
            "client__identifier",
            "instrument_id",
            "taken_at",
            "context",
            "answers",
            "notes",
            "confirmed_unusual",
        )
    )


def _session_row(s: Session) -> dict[str, object]:
    logs: list[StepLog] = list(s.step_logs.all())
    assert s.ended_at is not None  # finished sessions only
    return {
        "client_ref": s.client_id,
        "protocol": s.protocol_id,
        "population": s.population,
        "status": s.status,
        "started_at": timezone.localtime(s.started_at).isoformat(),
        "ended_at": timezone.localtime(s.ended_at).isoformat(),
        "steps_done": sum(1 for x in logs if x.outcome == StepLog.Outcome.DONE),
        "steps_skipped": sum(1 for x in logs if x.outcome == StepLog.Outcome.SKIPPED),
        "minutes": _minutes(x.seconds for x in logs),
        "stop_reason": s.stop_reason,
        "steps": csv_io.steps_json(
            csv_io.StepCell(
                technique=x.technique_id,
                regions=tuple(x.regions),
                outcome=x.outcome,
                seconds=x.seconds,
                phase=x.phase,
                skip_reason=x.skip_reason,
            )
            for x in logs
        ),
    }


def _minutes(seconds: Iterable[float]) -> str:
    return f"{sum(seconds) / 60:.2f}"


def _sessions_for_export(actor: Actor) -> QuerySet[Session]:
    """Finished sessions (completed or stopped) of the exported clients, in an order that does not
    depend on ids (as for measurements). Two queries: the sessions, then their steps."""
    return (
        Session.objects.filter(
            organisation_id=actor.organisation_id,
            client__in=client_queryset(actor=actor),
            status__in=(Session.Status.COMPLETED, Session.Status.STOPPED),
        )
        .order_by(
            "client__family_name",
            "client__given_name",
            "client__birth_date",
            "client__identifier",
            "client_id",
            "started_at",
            "id",
        )
        .prefetch_related("step_logs")
    )


CSV_FILES = ("clients", "measurements", "sessions")


def csv_export(*, actor: Actor, files: Sequence[str] = CSV_FILES) -> CsvExport:
    """Every (not archived) client of the organisation, their measurements and their finished sessions,
    as CSV files (`files` chooses which). Audited as one export naming the clients."""
    actor.require(Perm.EXPORT_DATA)
    unknown = sorted(set(files) - set(CSV_FILES))
    if unknown:
        raise ValidationFailed({"files": [f"Choose from {', '.join(CSV_FILES)}."]})
    out: dict[str, str] = {}
    counts: dict[str, int] = {}
    with transaction.atomic():
        clients = list(_clients_for_export(actor))
        if "clients" in files:
            out["clients"] = csv_io.write_csv(csv_io.CLIENT_COLUMNS, (_client_row(c) for c in clients))
            counts["clients"] = len(clients)
        if "measurements" in files:
            rows = [_measurement_row(m) for m in _measurements_for_export(actor).iterator(chunk_size=2000)]
            out["measurements"] = csv_io.write_csv(csv_io.MEASUREMENT_COLUMNS, rows)
            counts["measurements"] = len(rows)
        if "sessions" in files:
            sessions = [_session_row(s) for s in _sessions_for_export(actor)]
            out["sessions"] = csv_io.write_csv(csv_io.SESSION_COLUMNS, sessions)
            counts["sessions"] = len(sessions)
        what = " and ".join(f"{n} {name}" for name, n in counts.items())
        audit_action(
            actor=actor,
            action=Action.EXPORT,
            entity="client",
            summary=f"exported {what} as CSV",
            changes={"format": "CSV", "counts": counts, "client_ids": [c.pk for c in clients]},
        )
    return CsvExport(files=out, counts=counts)


# --- CSV import -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvProblem:
    file: str
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class CsvImportReport:
    clients: int
    measurements: int
    problems: tuple[CsvProblem, ...]
    client_ids: tuple[int, ...] = ()
    sessions: int = 0

    @property
    def saved(self) -> bool:
        return not self.problems

    def as_errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(f"{p.file} line {p.line}.{p.field}", []).append(p.message)
        return out


def _read(
    text: str, *, columns: tuple[str, ...], required: tuple[str, ...], max_rows: int, what: str
) -> list[csv_io.CsvRow]:
    try:
        return csv_io.read_csv(text, columns=columns, required=required, max_rows=max_rows, what=what)
    except csv_io.CsvFileError as exc:
        raise ValidationFailed({f"{what}_csv": [str(exc)]}) from None


def _client_fields(row: csv_io.CsvRow) -> dict[str, Any]:
    v = row.values
    values: dict[str, Any] = {
        "given_name": v.get("given_name", ""),
        "family_name": v.get("family_name", ""),
        "sex": v.get("sex", "").strip(),
        "gestation_weeks": csv_io.optional_int(row, "gestation_weeks"),
        "gestation_days": csv_io.optional_int(row, "gestation_days"),
        "birth_weight_g": csv_io.optional_int(row, "birth_weight_g"),
        "conditions": csv_io.split_conditions(v.get("conditions", "")),
        "identifier": v.get("identifier", ""),
        "notes": v.get("notes", ""),
    }
    birth = v.get("birth_date", "").strip()
    try:
        values["birth_date"] = dt.date.fromisoformat(birth)
    except ValueError:
        row.error("birth_date", f"{birth[:20]!r} is not a date (YYYY-MM-DD).")
    return values


def _measurement_fields(row: csv_io.CsvRow) -> MeasurementIn | None:
    """A measurements row read by the one reader of that file (`outcomes.csv_rows`)."""
    parsed = csv_rows.CsvRow(line=row.line)
    csv_rows.read_measurement(parsed, row.values)
    for name, messages in parsed.errors.items():
        for message in messages:
            row.error(name, message)
    if row.errors or parsed.taken_at is None:
        return None
    return MeasurementIn(
        label=f"measurements line {row.line}",
        instrument_id=parsed.instrument,
        answers=parsed.answers,
        taken_at=parsed.taken_at,
        context=parsed.context,
        notes=parsed.notes,
        confirmed=parsed.confirmed,
    )


@dataclass(frozen=True)
class _SessionIn:
    protocol_id: str
    population: str
    status: str
    started_at: dt.datetime
    ended_at: dt.datetime
    steps: tuple[care_services.PastStep, ...]
    stop_reason: str


def _session_fields(row: csv_io.CsvRow) -> _SessionIn | None:
    """A sessions row read and checked for shape; what the care service checks (protocol, times, steps
    against the library) it reports itself, per field."""
    v = row.values
    times: dict[str, dt.datetime] = {}
    for name in ("started_at", "ended_at"):
        text = v.get(name, "").strip()
        try:
            times[name] = dt.datetime.fromisoformat(text)
        except ValueError:
            row.error(name, f"{text[:40]!r} is not an ISO date and time (e.g. 2026-03-01T09:30:00+00:00).")
    try:
        cells = csv_io.read_steps(v.get("steps", ""))
    except ValueError as exc:
        row.error("steps", str(exc))
        cells = []
    done = sum(1 for c in cells if c.outcome == StepLog.Outcome.DONE)
    given: list[tuple[str, str]] = [
        ("steps_done", str(done)),
        ("steps_skipped", str(sum(1 for c in cells if c.outcome == StepLog.Outcome.SKIPPED))),
        ("minutes", _minutes(c.seconds for c in cells)),
    ]
    for name, counted in given:
        text = v.get(name, "").strip()
        if text and not row.errors.get("steps"):
            try:
                agrees = abs(float(text) - float(counted)) < 0.006  # minutes are written with 2 decimals
            except ValueError:
                agrees = False
            if not agrees:
                row.error(name, f"says {text[:20]!r} but the steps column gives {counted}.")
    if row.errors:
        return None
    return _SessionIn(
        protocol_id=v.get("protocol", "").strip(),
        population=v.get("population", "").strip(),
        status=v.get("status", "").strip(),
        started_at=times["started_at"],
        ended_at=times["ended_at"],
        steps=tuple(
            care_services.PastStep(
                technique_id=c.technique,
                regions=c.regions,
                outcome=c.outcome,
                seconds=c.seconds,
                phase=c.phase,
                skip_reason=c.skip_reason,
            )
            for c in cells
        ),
        stop_reason=v.get("stop_reason", ""),
    )


def _session_column(name: str) -> tuple[str, str]:
    """(column, prefix for the message) for a field the care service named: its fields are the file's
    columns, and a step's `steps.<n>.<field>` (n from 0) is the steps column's step n + 1."""
    if name.startswith("steps."):
        _, index, part = [*name.split(".", 2), "", ""][:3]
        number = int(index) + 1 if index.isdigit() else index
        return "steps", f"step {number} ({part}): "
    return name, ""


def _import_session(actor: Actor, client: Client, row: csv_io.CsvRow, item: _SessionIn) -> bool:
    try:
        with transaction.atomic():
            care_services.session_import(
                actor=actor,
                client=client,
                protocol_id=item.protocol_id,
                status=item.status,
                started_at=item.started_at,
                ended_at=item.ended_at,
                steps=item.steps,
                stop_reason=item.stop_reason,
                population=item.population,
                source="a CSV file",
            )
    except ValidationFailed as exc:
        for name, messages in exc.errors.items():
            column, prefix = _session_column(name)
            for message in messages:
                row.error(column, prefix + message)
        return False
    except DomainError as exc:  # consent, an archived client: about the client, not a cell
        row.error("client_ref", exc.message)
        return False
    return True


def _problems(file: str, rows: Iterable[csv_io.CsvRow]) -> list[CsvProblem]:
    return [CsvProblem(file, r.line, name, m) for r in rows for name, ms in r.errors.items() for m in ms]


def csv_import(
    *, actor: Actor, clients_csv: str, measurements_csv: str = "", sessions_csv: str = ""
) -> CsvImportReport:
    """Create the clients of a clients file, with their measurements and their finished sessions from the
    measurements and sessions files (linked by `client_ref`). Every row is checked through the client,
    outcomes and care services (`measurement_import`, `session_import`: an earlier record arriving with
    its client); if any row has a problem, nothing is saved and every problem is reported with its file
    and line number."""
    actor.require(Perm.EXPORT_DATA)
    actor.require(Perm.CLIENT_ADD)
    actor.require(Perm.MEASUREMENT_RECORD)
    if measurements_csv.strip() or sessions_csv.strip():
        actor.require(Perm.RECORD_IMPORT)
    if sessions_csv.strip():
        actor.require(Perm.SESSION_RECORD)
    client_rows = _read(
        clients_csv,
        columns=csv_io.CLIENT_COLUMNS,
        required=("client_ref", "given_name", "family_name", "birth_date", "sex"),
        max_rows=csv_io.MAX_CLIENT_ROWS,
        what="clients",
    )
    measurement_rows = (
        _read(
            measurements_csv,
            columns=csv_io.MEASUREMENT_COLUMNS,
            required=("client_ref", "instrument", "taken_at"),
            max_rows=csv_io.MAX_MEASUREMENT_ROWS,
            what="measurements",
        )
        if measurements_csv.strip()
        else []
    )
    session_rows = (
        _read(
            sessions_csv,
            columns=csv_io.SESSION_COLUMNS,
            required=("client_ref", "protocol", "status", "started_at", "ended_at", "steps"),
            max_rows=csv_io.MAX_SESSION_ROWS,
            what="sessions",
        )
        if sessions_csv.strip()
        else []
    )
    if not client_rows:
        raise ValidationFailed({"clients_csv": ["The clients file has a header but no clients."]})
    refs: dict[str, csv_io.CsvRow] = {}
    for row in client_rows:
        ref = row.values.get("client_ref", "").strip()
        if not ref:
            row.error("client_ref", "is missing; every client needs a reference the measurements can use.")
        elif ref in refs:
            row.error("client_ref", f"{ref[:40]!r} appears twice (first on line {refs[ref].line}).")
        else:
            refs[ref] = row
    by_ref: dict[str, list[tuple[csv_io.CsvRow, MeasurementIn]]] = {}
    for row in measurement_rows:
        ref = row.values.get("client_ref", "").strip()
        if ref not in refs:
            row.error("client_ref", f"{ref[:40]!r} is not a client_ref in the clients file.")
        elif (number := row.values.get("identifier", "").strip()) and number != refs[ref].values.get(
            "identifier", ""
        ).strip():
            row.error("identifier", f"{number[:40]!r} is not the identifier of client_ref {ref[:40]!r}.")
        item = _measurement_fields(row)
        if item is not None and not row.errors:
            by_ref.setdefault(ref, []).append((row, item))
    sessions_by_ref: dict[str, list[tuple[csv_io.CsvRow, _SessionIn]]] = {}
    for row in session_rows:
        ref = row.values.get("client_ref", "").strip()
        if ref not in refs:
            row.error("client_ref", f"{ref[:40]!r} is not a client_ref in the clients file.")
        session = _session_fields(row)
        if session is not None and not row.errors:
            sessions_by_ref.setdefault(ref, []).append((row, session))

    report: CsvImportReport | None = None
    try:
        with transaction.atomic():
            created: dict[str, Client] = {}
            for row in client_rows:
                values = _client_fields(row)
                if row.errors:
                    continue
                try:
                    with transaction.atomic():
                        created[row.values["client_ref"].strip()] = client_create(actor=actor, **values)
                except ValidationFailed as exc:
                    for name, messages in exc.errors.items():
                        for message in messages:
                            row.error(name, message)
            saved = 0
            for ref, pairs in by_ref.items():
                client = created.get(ref)
                if client is None:
                    continue  # its client row has problems; those are reported there
                try:
                    saved += len(
                        _import_measurements(actor, client, [item for _, item in pairs], source="a CSV file")
                    )
                except outcomes_services.MeasurementsRefused as refused:
                    for p in refused.problems:
                        hint = " If it is right, write yes in the confirmed column." if p.unusual else ""
                        pairs[p.index][0].error(p.field, p.message + hint)
            sessions = 0
            for ref, session_pairs in sessions_by_ref.items():
                client = created.get(ref)
                if client is None:
                    continue  # its client row has problems; those are reported there
                sessions += sum(_import_session(actor, client, row, item) for row, item in session_pairs)
            order = {name: n for n, name in enumerate(CSV_FILES)}
            problems = sorted(
                _problems("clients", client_rows)
                + _problems("measurements", measurement_rows)
                + _problems("sessions", session_rows),
                key=lambda p: (order[p.file], p.line, p.field),
            )
            if problems:
                report = CsvImportReport(0, 0, tuple(problems))
                raise _Rollback
            audit_action(
                actor=actor,
                action=Action.CREATE,
                entity="csv_import",
                summary=f"imported {len(created)} client(s), {saved} measurement(s) and {sessions} "
                "session(s) from CSV files",
                changes={
                    "clients": len(created),
                    "measurements": saved,
                    "sessions": sessions,
                    "client_ids": [c.pk for c in created.values()],
                },
            )
            report = CsvImportReport(
                len(created), saved, (), tuple(c.pk for c in created.values()), sessions=sessions
            )
    except _Rollback:
        pass
    assert report is not None
    return report
