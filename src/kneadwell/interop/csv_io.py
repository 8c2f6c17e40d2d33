"""The CSV files Kneadwell exports and imports: their columns, writing, and reading rows with line numbers.
Pure: no Django import. Services (`interop.services`) check each row through the domain services.

Files (UTF-8, header row, comma-separated, RFC 4180 quoting):

* clients — `client_ref` (the exporting organisation's client id; links the other files to a client),
  `given_name`, `family_name`, `birth_date` (YYYY-MM-DD), `sex` (female|male), `gestation_weeks`,
  `gestation_days`, `birth_weight_g`, `conditions` (condition codes separated by `;`), `identifier`,
  `notes`;
* measurements — the one measurements file of `outcomes.csv_rows` (the measurement import reads it too):
  `client_ref`, `identifier`, `instrument`, `taken_at` (written as an ISO date-time with its UTC offset),
  `context`, `value` and `unit` (left empty by the export), `answers` (the answers as a JSON object,
  exactly as recorded), `notes`, `confirmed` (yes when a possible-but-unusual value was checked and
  kept). In this import `client_ref` links a row to the clients file, and `identifier`, when given, must
  be that client's identifier there;
* sessions (finished ones: completed or stopped) — `client_ref`, `protocol` (the content library's
  protocol id), `population`, `status` (completed|stopped), `started_at` and `ended_at` (ISO date-times
  with their UTC offsets), `steps_done`, `steps_skipped`, `minutes` (the time in the steps, pauses left
  out, 2 decimals), `stop_reason`, and `steps`: a JSON list, one object per step in order, with
  `technique`, `regions` (a list of body-region ids), `phase`, `outcome` (done|skipped), `seconds` and,
  for a skipped step, `skip_reason`. The three counts are for reading in a spreadsheet; on import they
  may be left empty, and if given they must agree with `steps`.

Round trip: exporting, importing the files into another organisation and exporting again gives the same
rows apart from `client_ref`. Measurements entered in error are not exported (they are out of the
record's summaries and exports; the FHIR export and the backup keep them), nor are sessions still in
progress (not a finished record yet; the FHIR export has them as in-progress Procedures).

Spreadsheet safety: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return would run as a
formula in a spreadsheet, so it is written with one extra leading `'`; reading removes exactly one
leading `'` from a cell that starts with `'` followed by those characters (or by more `'`), so the round
trip stays exact.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from kneadwell.core.csvcells import protect as protect  # re-exported: the cell rules live in core
from kneadwell.core.csvcells import unprotect as unprotect
from kneadwell.core.marking import gettext as _
from kneadwell.outcomes import csv_rows

MAX_BYTES: Final = 5_000_000
MAX_CLIENT_ROWS: Final = 5_000
MAX_MEASUREMENT_ROWS: Final = 20_000
MAX_SESSION_ROWS: Final = 20_000

CLIENT_COLUMNS: Final = (
    "client_ref",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "gestation_weeks",
    "gestation_days",
    "birth_weight_g",
    "conditions",
    "identifier",
    "notes",
)
MEASUREMENT_COLUMNS: Final = csv_rows.COLUMNS
SESSION_COLUMNS: Final = (
    "client_ref",
    "protocol",
    "population",
    "status",
    "started_at",
    "ended_at",
    "steps_done",
    "steps_skipped",
    "minutes",
    "stop_reason",
    "steps",
)
# Columns that hold free text typed by people: the ones a spreadsheet could mistake for formulas.
TEXT_COLUMNS: Final = frozenset(
    {"given_name", "family_name", "identifier", "notes", "conditions", "stop_reason"}
)
CONDITION_SEPARATOR: Final = ";"
YES: Final = "yes"
TRUE_WORDS: Final = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS: Final = frozenset({"", "no", "n", "false", "0"})

class CsvFileError(ValueError):
    """The file as a whole cannot be read."""


def write_csv(columns: tuple[str, ...], rows: Iterable[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for name in columns:
            value = row.get(name)
            text = "" if value is None else str(value)
            cells.append(protect(text) if name in TEXT_COLUMNS else text)
        writer.writerow(cells)
    return out.getvalue()


@dataclass
class CsvRow:
    line: int  # line number in the file, the header being line 1
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


def read_csv(
    text: str, *, columns: tuple[str, ...], required: tuple[str, ...], max_rows: int, what: str
) -> list[CsvRow]:
    """Every non-blank data row with its line number. Raises CsvFileError for an unusable file."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise CsvFileError(
            _(
                "The %(what)s file is larger than %(mb)s MB; split it into parts."
            ) % {"what": what, "mb": MAX_BYTES // 1_000_000}
        )
    if "\x00" in text:
        raise CsvFileError(_(
            "The %(what)s file contains NUL characters; it is not a text CSV file."
        ) % {"what": what})
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvFileError(_("The %(what)s file is empty: it needs a header row.") % {"what": what}) from None
    except csv.Error as exc:
        raise CsvFileError(_(
            "The %(what)s file is not valid CSV: %(error)s."
        ) % {"what": what, "error": exc}) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvFileError(
            _(
                "The %(what)s file lacks column(s) %(missing)s; expected %(columns)s."
            ) % {"what": what, "missing": ', '.join(missing), "columns": ', '.join(columns)}
        )
    unknown = [h for h in header if h not in columns]
    if unknown:
        shown = ", ".join(h[:40] for h in unknown[:5])
        raise CsvFileError(_(
            "The %(what)s file has unknown column(s) %(shown)s; expected %(columns)s."
        ) % {"what": what, "shown": shown, "columns": ', '.join(columns)})
    if len(set(header)) != len(header):
        raise CsvFileError(_("A column name appears twice in the %(what)s file's header.") % {"what": what})
    rows: list[CsvRow] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise CsvFileError(
                    _("The %(what)s file has more than %(max_rows)s rows; split it into parts.")
                    % {"what": what, "max_rows": max_rows}
                )
            row = CsvRow(line=reader.line_num, values={})
            if len(cells) != len(header):
                row.error(
                    "row",
                    _("has %(cells)s cells; the header has %(columns)s.")
                    % {"cells": len(cells), "columns": len(header)},
                )
            else:
                for name, cell in zip(header, cells, strict=True):
                    row.values[name] = unprotect(cell) if name in TEXT_COLUMNS else cell
            rows.append(row)
    except csv.Error as exc:
        raise CsvFileError(
            _("The %(what)s file is not valid CSV at line %(line)s: %(error)s.")
            % {"what": what, "line": reader.line_num, "error": exc}
        ) from None
    return rows


def optional_int(row: CsvRow, column: str) -> int | None:
    text = row.values.get(column, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        row.error(column, _("“%(text)s” is not a whole number.") % {"text": text[:20]})
        return None


def yes_no(row: CsvRow, column: str) -> bool:
    text = row.values.get(column, "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text not in FALSE_WORDS:
        row.error(column, _("“%(text)s”: write yes or leave it empty.") % {"text": text[:20]})
    return False


def split_conditions(text: str) -> list[str]:
    return [c.strip() for c in text.split(CONDITION_SEPARATOR) if c.strip()]


def join_conditions(codes: Iterable[str]) -> str:
    return CONDITION_SEPARATOR.join(codes)


@dataclass(frozen=True)
class StepCell:
    """One step of the sessions file's `steps` column."""

    technique: str
    regions: tuple[str, ...]
    outcome: str
    seconds: float
    phase: str = ""
    skip_reason: str = ""


_STEP_KEYS: Final = frozenset({"technique", "regions", "phase", "outcome", "seconds", "skip_reason"})


def steps_json(steps: Iterable[StepCell]) -> str:
    """The `steps` cell: compact JSON, keys sorted, floats as their shortest exact repr (so a re-export
    of the imported rows gives the same text); `skip_reason` only for a skipped step."""
    out = []
    for s in steps:
        item: dict[str, object] = {
            "technique": s.technique,
            "regions": list(s.regions),
            "phase": s.phase,
            "outcome": s.outcome,
            "seconds": s.seconds,
        }
        if s.skip_reason:
            item["skip_reason"] = s.skip_reason
        out.append(item)
    return json.dumps(out, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def read_steps(text: str) -> list[StepCell]:
    """The `steps` cell as steps; ValueError with a message a person understands when it is not a JSON
    list of step objects."""
    try:
        data = json.loads(text or "[]")
    except ValueError:
        raise ValueError(_("is not JSON: write a list of steps, e.g. [] for none.")) from None
    if not isinstance(data, list):
        raise ValueError(_("must be a JSON list of steps."))
    steps = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValueError(
                _("step %(n)s is not an object with technique, regions, outcome and seconds.") % {"n": n}
            )
        unknown = sorted(set(item) - _STEP_KEYS)
        if unknown:
            raise ValueError(
                _("step %(n)s has unknown key(s) %(keys)s.")
                % {"n": n, "keys": ", ".join(k[:30] for k in unknown[:5])}
            )
        technique, regions, outcome = item.get("technique"), item.get("regions", []), item.get("outcome")
        seconds, phase, reason = item.get("seconds"), item.get("phase", ""), item.get("skip_reason", "")
        if not isinstance(technique, str) or not technique:
            raise ValueError(_("step %(n)s needs a technique id.") % {"n": n})
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise ValueError(_("step %(n)s: regions must be a list of body-region ids.") % {"n": n})
        if not isinstance(outcome, str):
            raise ValueError(_("step %(n)s needs an outcome: done or skipped.") % {"n": n})
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(_("step %(n)s needs its time in seconds, as a number.") % {"n": n})
        if not isinstance(phase, str) or not isinstance(reason, str):
            raise ValueError(_("step %(n)s: phase and skip_reason are text.") % {"n": n})
        steps.append(StepCell(technique, tuple(regions), outcome, float(seconds), phase, reason))
    return steps
