"""CSV import service: clients, with their measurements and finished sessions, created from the CSV
files that `export_csv` writes; every row checked through the domain services, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.care import services as care_services
from kneadwell.care.models import StepLog
from kneadwell.clients.models import Client
from kneadwell.clients.services import client_create
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.interop import csv_io
from kneadwell.interop.services.common import MeasurementIn, _import_measurements, _Rollback
from kneadwell.interop.services.export_csv import CSV_FILES, _minutes
from kneadwell.outcomes import csv_rows
from kneadwell.outcomes import services as outcomes_services

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
        row.error("birth_date", _("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": birth[:20]})
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
        label=_("measurements line %(line)s") % {"line": row.line},
        instrument_id=parsed.instrument,
        answers=parsed.answers,
        taken_at=parsed.taken_at,
        context=parsed.context,
        notes=parsed.notes,
        confirmed=parsed.confirmed,
        scored_with=(parsed.instrument_version, parsed.scoring_version),
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
            row.error(
                name,
                _("“%(text)s” is not an ISO date and time (e.g. 2026-03-01T09:30:00+00:00).")
                % {"text": text[:40]},
            )
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
                row.error(
                    name,
                    _("says “%(text)s” but the steps column gives %(counted)s.")
                    % {"text": text[:20], "counted": counted},
                )
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
        _steps, index, part = [*name.split(".", 2), "", ""][:3]
        number = int(index) + 1 if index.isdigit() else index
        return "steps", _("step %(n)s (%(part)s): ") % {"n": number, "part": part}
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
        what=_("clients"),
    )
    measurement_rows = (
        _read(
            measurements_csv,
            columns=csv_io.MEASUREMENT_COLUMNS,
            required=("client_ref", "instrument", "taken_at"),
            max_rows=csv_io.MAX_MEASUREMENT_ROWS,
            what=_("measurements"),
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
            what=_("sessions"),
        )
        if sessions_csv.strip()
        else []
    )
    if not client_rows:
        raise ValidationFailed({"clients_csv": [_("The clients file has a header but no clients.")]})
    refs: dict[str, csv_io.CsvRow] = {}
    for row in client_rows:
        ref = row.values.get("client_ref", "").strip()
        if not ref:
            row.error(
                "client_ref", _("is missing; every client needs a reference the measurements can use.")
            )
        elif ref in refs:
            row.error(
                "client_ref",
                _("“%(ref)s” appears twice (first on line %(line)s).")
                % {"ref": ref[:40], "line": refs[ref].line},
            )
        else:
            refs[ref] = row
    by_ref: dict[str, list[tuple[csv_io.CsvRow, MeasurementIn]]] = {}
    for row in measurement_rows:
        ref = row.values.get("client_ref", "").strip()
        if ref not in refs:
            row.error(
                "client_ref", _("“%(ref)s” is not a client_ref in the clients file.") % {"ref": ref[:40]}
            )
        elif (number := row.values.get("identifier", "").strip()) and number != refs[ref].values.get(
            "identifier", ""
        ).strip():
            row.error(
                "identifier",
                _("“%(number)s” is not the identifier of client_ref “%(ref)s”.")
                % {"number": number[:40], "ref": ref[:40]},
            )
        item = _measurement_fields(row)
        if item is not None and not row.errors:
            by_ref.setdefault(ref, []).append((row, item))
    sessions_by_ref: dict[str, list[tuple[csv_io.CsvRow, _SessionIn]]] = {}
    for row in session_rows:
        ref = row.values.get("client_ref", "").strip()
        if ref not in refs:
            row.error(
                "client_ref", _("“%(ref)s” is not a client_ref in the clients file.") % {"ref": ref[:40]}
            )
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
                        _import_measurements(actor, client, [item for _r, item in pairs], source="a CSV file")
                    )
                except outcomes_services.MeasurementsRefused as refused:
                    for p in refused.problems:
                        hint = (
                            " " + _("If it is right, write yes in the confirmed column.") if p.unusual else ""
                        )
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
