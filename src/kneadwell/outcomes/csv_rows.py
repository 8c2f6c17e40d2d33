"""The measurements CSV file: one column set, read by the measurement import (`/measurements/import/`,
`POST /api/v1/measurements/import`) and by the organisation's CSV import (`interop`), and written by the
organisation's CSV export. Pure: no Django.

Columns (header names in any order and any case; unknown columns are refused so a typo is not ignored):

* ``client_ref``: the client's id in the organisation that wrote the file. The measurement import finds
  the client by it in this organisation (so an exported file goes back to the same clients); in the
  organisation import it links the row to a row of the clients file;
* ``identifier``: the hospital or clinic number. The measurement import accepts it instead of
  ``client_ref`` (with both, they must name the same client); the export writes it;
* ``instrument``: an instrument id from the catalogue (``weight``, ``nips``, ``modified_ashworth`` ...);
* ``taken_at``: ``YYYY-MM-DD``, or an ISO date and time, with its UTC offset (as exported) or without
  (local time);
* ``context`` (baseline, session, weekly, end, routine; default routine);
* ``value`` and ``unit``: a single measurement typed by hand (weight, length, head circumference ...),
  the same as ``answers`` ``{"value": ..., "unit": ...}``;
* ``answers``: a JSON object of the instrument's answers (the export writes every measurement this way);
* ``notes``; ``confirmed`` (yes/true/1 keeps a possible-but-unusual value that was checked);
* ``instrument_version``, ``scoring_version``: the versions that scored it (the export writes them). When
  given, the import refuses a row that would now be scored with other versions, rather than record a
  different result for the same answers unseen (docs/outcomes.md, "Versions"); leave them empty to score
  the answers with today's versions.

Old header: files made for the measurement import before December 2026 name ``client_ref`` ``client_id``;
that header is still read, as ``client_ref``. Spreadsheet safety: the export writes ``identifier`` and
``notes`` protected (`core.csvcells.protect`); reading unprotects them, so the round trip is exact.

Problems found here (shape, dates, JSON) are reported per line and column; scoring and plausibility are
the services'.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from kneadwell.core.csvcells import unprotect
from kneadwell.core.marking import gettext as _

COLUMNS: Final = (
    "client_ref",
    "identifier",
    "instrument",
    "taken_at",
    "context",
    "value",
    "unit",
    "answers",
    "notes",
    "confirmed",
    "instrument_version",
    "scoring_version",
)
REQUIRED: Final = ("instrument", "taken_at")
OLD_NAMES: Final = {"client_id": "client_ref"}
TEXT_COLUMNS: Final = frozenset({"identifier", "notes"})  # typed by people: protected against formulas
MAX_ROWS: Final = 5000
MAX_BYTES: Final = 2_000_000
TRUE_WORDS: Final = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS: Final = frozenset({"", "no", "n", "false", "0"})


class CsvFileError(ValueError):
    """The file as a whole cannot be read (no header, missing columns, too big)."""


@dataclass
class CsvRow:
    line: int  # line number in the file, header = 1
    client_id: int | None = None  # client_ref read as a client number (the measurement import's use)
    identifier: str = ""
    instrument: str = ""
    taken_at: dt.datetime | dt.date | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    context: str = "routine"
    notes: str = ""
    confirmed: bool = False
    instrument_version: str = ""
    scoring_version: str = ""
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
        raise ValueError(
            _("%(text)s is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)")
            % {"text": repr(text)}
        ) from None


def read_rows(text: str) -> list[CsvRow]:
    """Every data row, each with the problems found in it. Raises CsvFileError for an unusable file."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise CsvFileError(
            _("The file is larger than %(max_bytes)s MB; split it into parts.")
            % {"max_bytes": MAX_BYTES // 1_000_000}
        )
    if "\x00" in text:
        raise CsvFileError(_("The file is not a text CSV file (it contains NUL bytes)."))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = header_names(next(reader))
    except StopIteration:
        raise CsvFileError(
            _("The file is empty: it needs a header row and at least one measurement.")
        ) from None
    except csv.Error as exc:
        raise CsvFileError(_("The file is not valid CSV: %(exc)s.") % {"exc": exc}) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvFileError(
            _("Missing column(s): %(missing)s. Expected: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": _expected()}
        )
    if "client_ref" not in header and "identifier" not in header:
        raise CsvFileError(
            _("Add a client_ref or an identifier column to say whose measurement each row is.")
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CsvFileError(
            _("Unknown column(s): %(unknown)s. Expected: %(expected)s.")
            % {"unknown": ", ".join(unknown), "expected": _expected()}
        )
    if len(set(header)) != len(header):
        raise CsvFileError(_("A column name appears twice in the header."))
    rows: list[CsvRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines are not measurements
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(
                    _("More than %(max_rows)s rows; split the file into parts.") % {"max_rows": MAX_ROWS}
                )
            rows.append(_row(line, header, cells))
    except csv.Error as exc:
        raise CsvFileError(
            _("The file is not valid CSV at line %(line_num)s: %(exc)s.")
            % {"line_num": reader.line_num, "exc": exc}
        ) from None
    if not rows:
        raise CsvFileError(_("The file has a header but no measurements."))
    return rows


def header_names(cells: list[str]) -> list[str]:
    """The header's column names: without case or surrounding spaces, old names read as today's."""
    names = [h.strip().lower() for h in cells]
    return [OLD_NAMES.get(h, h) for h in names]


def _expected() -> str:
    return ", ".join(COLUMNS)


def _row(line: int, header: list[str], cells: list[str]) -> CsvRow:
    row = CsvRow(line=line)
    if len(cells) != len(header):
        counts = {"cells": len(cells), "columns": len(header)}
        row.error("row", _("has %(cells)s cells; the header has %(columns)s") % counts)
        return row
    values = {h: unprotect(c) if h in TEXT_COLUMNS else c for h, c in zip(header, cells, strict=True)}
    ref = values.get("client_ref", "").strip()
    if ref:
        try:
            row.client_id = int(ref)
        except ValueError:
            row.error("client_ref", _("“%(ref)s” is not a client number") % {"ref": ref})
        else:
            if not 1 <= row.client_id <= 2**63 - 1:
                row.error("client_ref", _("“%(ref)s” is not a client number") % {"ref": ref})
    row.identifier = values.get("identifier", "").strip()[:64]
    if row.client_id is None and not row.identifier and "client_ref" not in row.errors:
        row.error("client_ref", _("give the client_ref or the identifier (hospital or clinic number)"))
    read_measurement(row, values)
    return row


def read_measurement(row: CsvRow, raw: Mapping[str, str]) -> None:
    """The measurement columns of one row (`raw`: column -> cell, text columns already unprotected) into
    `row`, each problem under its column. Shared by every reader of the file."""
    values = {h: c.strip() for h, c in raw.items()}
    row.instrument = values.get("instrument", "")
    if not row.instrument:
        row.error("instrument", _("missing"))
    if not values.get("taken_at"):
        row.error("taken_at", _("missing"))
    else:
        try:
            row.taken_at = parse_taken_at(values["taken_at"])
        except ValueError as exc:
            row.error("taken_at", str(exc))
    row.context = values.get("context") or "routine"
    row.notes = raw.get("notes", "")  # as written: the export's round trip keeps spaces
    for column in ("instrument_version", "scoring_version"):
        text = values.get(column, "")
        if len(text) > 20:
            row.error(column, _("is longer than a version (at most %(limit)s characters)") % {"limit": 20})
        setattr(row, column, text[:20])
    confirmed = values.get("confirmed", "").lower()
    if confirmed in TRUE_WORDS:
        row.confirmed = True
    elif confirmed not in FALSE_WORDS:
        row.error("confirmed", _("“%(text)s”: write yes or leave it empty") % {"text": values["confirmed"]})
    raw_answers = values.get("answers", "")
    if raw_answers:
        try:
            parsed = json.loads(raw_answers)
        except ValueError:
            row.error("answers", _('is not valid JSON (write it as a JSON object, e.g. {"face": 1})'))
            parsed = None
        if parsed is not None and not isinstance(parsed, dict):
            row.error("answers", _("must be a JSON object of item ids and answers"))
        elif isinstance(parsed, dict):
            row.answers = parsed
    if values.get("value"):
        if row.answers:
            row.error("value", _("give either value or answers, not both"))
        row.answers = {**row.answers, "value": values["value"]}
        if values.get("unit"):
            row.answers["unit"] = values["unit"]
    elif values.get("unit"):
        row.error("unit", _("a unit without a value"))
    if not row.answers and not row.errors.get("answers"):
        row.error("value", _("give a value (single measurements) or answers (a JSON object)"))
