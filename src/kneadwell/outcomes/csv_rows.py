"""Read a CSV file of measurements into rows with their line numbers. Pure: no Django.

Columns (header names, any order; unknown columns are refused so a typo is not silently ignored):

* ``client_id`` or ``identifier`` (the hospital or clinic number): which client; one of them per row;
* ``instrument``: an instrument id from the catalogue (``weight``, ``nips``, ``modified_ashworth`` ...);
* ``taken_at``: ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (local time);
* ``value`` and optional ``unit``: for single measurements (weight, length, head circumference ...);
* ``answers``: a JSON object of the instrument's answers, for everything else;
* optional ``context`` (baseline, session, weekly, end, routine; default routine), ``notes``,
  ``confirmed`` (yes/true/1 keeps a possible-but-unusual value).

Problems found here (shape, dates, JSON) are reported per line; scoring and plausibility are the service's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any, Final

REQUIRED: Final = ("instrument", "taken_at")
OPTIONAL: Final = (
    "client_id",
    "identifier",
    "value",
    "unit",
    "answers",
    "context",
    "notes",
    "confirmed",
)
MAX_ROWS: Final = 5000
MAX_BYTES: Final = 2_000_000
TRUE_WORDS: Final = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS: Final = frozenset({"", "no", "n", "false", "0"})


class CsvFileError(ValueError):
    """The file as a whole cannot be read (no header, missing columns, too big)."""


@dataclass
class CsvRow:
    line: int  # line number in the file, header = 1
    client_id: int | None = None
    identifier: str = ""
    instrument: str = ""
    taken_at: dt.datetime | dt.date | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    context: str = "routine"
    notes: str = ""
    confirmed: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


def parse_taken_at(text: str) -> dt.datetime | dt.date:
    """ISO date or date-time (seconds optional). Raises ValueError with a readable message."""
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)") from None


def read_rows(text: str) -> list[CsvRow]:
    """Every data row, each with the problems found in it. Raises CsvFileError for an unusable file."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise CsvFileError(f"The file is larger than {MAX_BYTES // 1_000_000} MB; split it into parts.")
    if "\x00" in text:
        raise CsvFileError("The file is not a text CSV file (it contains NUL bytes).")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvFileError("The file is empty: it needs a header row and at least one measurement.") from None
    except csv.Error as exc:
        raise CsvFileError(f"The file is not valid CSV: {exc}.") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvFileError(f"Missing column(s): {', '.join(missing)}. Expected: {_expected()}.")
    if "client_id" not in header and "identifier" not in header:
        raise CsvFileError("Add a client_id or an identifier column to say whose measurement each row is.")
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise CsvFileError(f"Unknown column(s): {', '.join(unknown)}. Expected: {_expected()}.")
    if len(set(header)) != len(header):
        raise CsvFileError("A column name appears twice in the header.")
    rows: list[CsvRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines are not measurements
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(f"More than {MAX_ROWS} rows; split the file into parts.")
            rows.append(_row(line, header, cells))
    except csv.Error as exc:
        raise CsvFileError(f"The file is not valid CSV at line {reader.line_num}: {exc}.") from None
    if not rows:
        raise CsvFileError("The file has a header but no measurements.")
    return rows


def _expected() -> str:
    return ", ".join((*REQUIRED, *OPTIONAL))


def _row(line: int, header: list[str], cells: list[str]) -> CsvRow:
    row = CsvRow(line=line)
    if len(cells) != len(header):
        row.error("row", f"has {len(cells)} cells; the header has {len(header)}")
        return row
    values = {h: c.strip() for h, c in zip(header, cells, strict=True)}
    if values.get("client_id"):
        try:
            row.client_id = int(values["client_id"])
        except ValueError:
            row.error("client_id", f"{values['client_id']!r} is not a client number")
        else:
            if not 1 <= row.client_id <= 2**63 - 1:
                row.error("client_id", f"{values['client_id']!r} is not a client number")
    row.identifier = values.get("identifier", "")[:64]
    if row.client_id is None and not row.identifier and "client_id" not in row.errors:
        row.error("client_id", "give the client_id or the identifier (hospital or clinic number)")
    row.instrument = values.get("instrument", "")
    if not row.instrument:
        row.error("instrument", "missing")
    if not values.get("taken_at"):
        row.error("taken_at", "missing")
    else:
        try:
            row.taken_at = parse_taken_at(values["taken_at"])
        except ValueError as exc:
            row.error("taken_at", str(exc))
    row.context = values.get("context") or "routine"
    row.notes = values.get("notes", "")
    confirmed = values.get("confirmed", "").lower()
    if confirmed in TRUE_WORDS:
        row.confirmed = True
    elif confirmed not in FALSE_WORDS:
        row.error("confirmed", f"{values['confirmed']!r}: write yes or leave it empty")
    raw_answers = values.get("answers", "")
    if raw_answers:
        try:
            parsed = json.loads(raw_answers)
        except ValueError:
            row.error("answers", 'is not valid JSON (write it as a JSON object, e.g. {"face": 1})')
            parsed = None
        if parsed is not None and not isinstance(parsed, dict):
            row.error("answers", "must be a JSON object of item ids and answers")
        elif isinstance(parsed, dict):
            row.answers = parsed
    if values.get("value"):
        if row.answers:
            row.error("value", "give either value or answers, not both")
        row.answers = {**row.answers, "value": values["value"]}
        if values.get("unit"):
            row.answers["unit"] = values["unit"]
    elif values.get("unit"):
        row.error("unit", "a unit without a value")
    if not row.answers and not row.errors.get("answers"):
        row.error("value", "give a value (single measurements) or answers (a JSON object)")
    return row
