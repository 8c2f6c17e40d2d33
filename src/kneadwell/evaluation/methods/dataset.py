"""The analysis dataset as files for R, Stata or a spreadsheet: one row per randomised participant, and a
data dictionary (one row per variable: name, label, type, unit, coded values). Names are lower-case with
underscores, at most 32 characters (Stata's limit), so `read.csv` and `import delimited` take them as they
are. Numbers are written in full precision; an empty cell is missing. No Django import."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from kneadwell.core.csvcells import defuse

Cell = str | int | float | None
DICTIONARY_HEADER: Final = ("variable", "label", "type", "unit", "values")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str  # "string", "integer", "number", "category"
    unit: str = ""
    values: str = ""  # "code=label; code=label" for categories and 0/1 flags


def _cell(value: Cell) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    return defuse(value)  # type: ignore[return-value]


def data_csv(columns: Sequence[Column], rows: Sequence[Mapping[str, Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.name)) for c in columns])
    return out.getvalue()


def dictionary_csv(columns: Sequence[Column]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DICTIONARY_HEADER)
    for c in columns:
        writer.writerow([c.name, defuse(c.label), c.type, c.unit, defuse(c.values)])
    return out.getvalue()
