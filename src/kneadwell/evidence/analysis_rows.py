"""Study rows for a researcher's own meta-analysis, in the same shapes as `kneadwell meta` reads them.
Pure: no Django.

Rows are stored as JSON, one object per study with the CLI's column names:
- binary:     {"study", "events_treatment", "n_treatment", "events_control", "n_control"}
- continuous: {"study", "mean_treatment", "sd_treatment", "n_treatment", "mean_control", "sd_control",
               "n_control"}
- generic:    {"study", "yi", "vi"}   (yi as a log ratio for RR and OR)

Pasted or uploaded CSV and rows typed into a form all go through the CLI's own reader
(`meta.csv_input.read_rows`), so the web accepts exactly what the command accepts and gives the same
messages, naming the line (or, for typed rows, the row), the study and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kneadwell.evidence.meta.csv_input import (
    BINARY_COLUMNS,
    CONTINUOUS_COLUMNS,
    GENERIC_COLUMNS,
    StudyRow,
    StudyTableError,
    effects_from_rows,
    read_rows,
)
from kneadwell.evidence.meta.effect_sizes import EffectSizes, Measure
from kneadwell.evidence.meta.pooling import ConvergenceError, MetaResult, Method, meta_analyse

LAYOUTS: dict[str, tuple[str, ...]] = {
    "binary": BINARY_COLUMNS,
    "continuous": CONTINUOUS_COLUMNS,
    "generic": GENERIC_COLUMNS,
}
COUNT_COLUMNS = frozenset({"events_treatment", "n_treatment", "events_control", "n_control"})
MAX_ROWS = 200  # studies in one analysis; far more than any massage meta-analysis needs
MAX_LABEL = 100  # characters in a study label
MAX_CSV_CHARS = 200_000

Row = dict[str, Any]


class AnalysisError(ValueError):
    """The rows are fine but cannot be pooled (extreme numbers, τ² did not converge)."""


def _web_words(message: str) -> str:
    # The CLI's reader speaks of its --measure option; on a page or in the API it is the measure field.
    return message.replace("--measure ", "the measure ").replace("The file has", "The table has")


def _finish(kind: str, parsed: list[StudyRow], measure: Measure, where: Mapping[int, str]) -> list[Row]:
    if len(parsed) > MAX_ROWS:
        raise StudyTableError(f"{len(parsed)} studies; at most {MAX_ROWS} can be pooled in one analysis")
    for row in parsed:
        if len(row.label) > MAX_LABEL:
            raise StudyTableError(
                f"{where[row.line]}, column 'study': the label is {len(row.label)} characters long; "
                f"at most {MAX_LABEL}"
            )
        if any(not ch.isprintable() for ch in row.label):
            raise StudyTableError(f"{where[row.line]}, column 'study': the label contains control characters")
    with np.errstate(over="ignore", invalid="ignore"):  # a non-finite effect is reported below
        effects = effects_from_rows(kind, parsed, measure)
    for label, y, v in zip(effects.labels, effects.yi, effects.vi, strict=True):
        if not (math.isfinite(float(y)) and math.isfinite(float(v)) and v > 0):
            raise StudyTableError(
                f"study '{label}': these numbers give an effect size that is not a finite number; "
                "check the row for a typing error"
            )
    if effects.k == 0:
        raise StudyTableError(
            "no study has information on this measure (every study had no events in either arm)"
        )
    columns = LAYOUTS[kind]
    return [
        {
            "study": row.label,
            **{c: int(row.values[c]) if c in COUNT_COLUMNS else row.values[c] for c in columns},
        }
        for row in parsed
    ]


def rows_from_csv(text: str, measure: Measure | str) -> list[Row]:
    """Rows from CSV text (a header row, then one row per study), or StudyTableError naming the line,
    study and column of the first problem."""
    measure = Measure(measure)
    if len(text) > MAX_CSV_CHARS:
        raise StudyTableError(f"the table is {len(text)} characters long; at most {MAX_CSV_CHARS}")
    if "\x00" in text:
        raise StudyTableError("the table contains a NUL character; save it as plain CSV text (UTF-8)")
    text = text.removeprefix("\ufeff")
    try:
        kind, parsed = read_rows(io.StringIO(text, newline=""), measure)
        return _finish(kind, parsed, measure, {r.line: f"line {r.line} (study '{r.label}')" for r in parsed})
    except StudyTableError as exc:
        raise StudyTableError(_web_words(str(exc))) from None


_LINE = re.compile(r"\bline (\d+)")


def rows_from_table(
    table: Sequence[Mapping[str, Any]], measure: Measure | str, layout: str | None = None
) -> list[Row]:
    """Rows typed into a form or sent to the API: one mapping of column → value per row (rows left
    entirely empty are skipped). With `layout` None, the columns are those that hold a value in some
    row. Messages name the row as the form numbers it (row 1 is the first)."""
    measure = Measure(measure)
    if layout is not None and layout not in LAYOUTS:
        raise StudyTableError(f"unknown layout '{layout}'; expected one of {', '.join(LAYOUTS)}")
    if len(table) > MAX_ROWS * 2:
        raise StudyTableError(f"{len(table)} rows; at most {MAX_ROWS} studies can be pooled in one analysis")
    known = ("study", *dict.fromkeys(c for cols in LAYOUTS.values() for c in cols))
    for number, cells in enumerate(table, start=1):
        unknown = sorted(str(k) for k in cells if k not in known)
        if unknown:
            raise StudyTableError(f"row {number}: unknown column(s) {', '.join(unknown)}")
    if layout is not None:
        columns: tuple[str, ...] = ("study", *LAYOUTS[layout])
    else:
        columns = tuple(c for c in known if c == "study" or any(_filled(cells.get(c)) for cells in table))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    form_row: dict[int, int] = {}
    for number, cells in enumerate(table, start=1):
        values = [_cell(cells.get(c)).strip() if _filled(cells.get(c)) else "" for c in columns]
        if not any(values):
            continue
        for column, value in zip(columns, values, strict=True):
            if any(not ch.isprintable() for ch in value):
                raise StudyTableError(
                    f"row {number}, column '{column}': contains a line break or control character"
                )
        writer.writerow(values)
        form_row[len(form_row) + 2] = number  # CSV line 1 is the header
    if not form_row:
        raise StudyTableError("no rows entered; fill in at least one study")

    def renumber(message: str) -> str:
        return _LINE.sub(lambda m: f"row {form_row.get(int(m.group(1)), m.group(1))}", message)

    try:
        kind, parsed = read_rows(io.StringIO(buffer.getvalue(), newline=""), measure)
        where = {r.line: f"row {form_row[r.line]} (study '{r.label}')" for r in parsed}
        return _finish(kind, parsed, measure, where)
    except StudyTableError as exc:
        raise StudyTableError(_web_words(renumber(str(exc)))) from None


def layout_of(rows: Sequence[Mapping[str, Any]]) -> str:
    """The layout of stored rows (from the first row's columns)."""
    if not rows:
        raise StudyTableError("no study rows")
    keys = set(rows[0]) - {"study"}
    for kind, columns in LAYOUTS.items():
        if keys == set(columns):
            return kind
    raise StudyTableError(f"the stored rows have unexpected columns: {', '.join(sorted(keys))}")


def _filled(value: Any) -> bool:
    return value is not None and value != ""


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        raise StudyTableError("a cell holds true/false where a number is expected")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def rows_to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as CSV text that `kneadwell meta --in` reads (and that pasting back gives the same rows)."""
    columns = ("study", *LAYOUTS[layout_of(rows)])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c, "")) for c in columns])
    return buffer.getvalue()


def effects_for(rows: Sequence[Mapping[str, Any]], measure: Measure | str) -> EffectSizes:
    """Effect sizes for stored rows, through the CLI's reader (the same checks as on entry)."""
    measure = Measure(measure)
    kind, parsed = read_rows(io.StringIO(rows_to_csv(rows), newline=""), measure)
    return effects_from_rows(kind, parsed, measure)


def analyse(effects: EffectSizes, method: Method | str) -> MetaResult:
    """`meta_analyse`, with every number checked to be finite (AnalysisError otherwise, including when
    the τ² iteration does not converge), so pages and the API never show inf or NaN."""
    try:
        result = meta_analyse(effects, method)
        numbers = [
            result.estimate,
            result.ci_low,
            result.ci_high,
            result.pooled.se,
            result.pooled.p_value,
            result.pooled.q,
        ]
        numbers += [x for x in (result.pooled.tau2, result.pooled.i2) if x is not None]
        numbers += [v for row in result.study_intervals() for v in row[1:]]
    except ConvergenceError as exc:
        reason = str(exc).split("; try --method")[0]
        raise AnalysisError(
            f"{reason}. Choose DL (DerSimonian-Laird) or PM (Paule-Mandel) instead."
        ) from None
    except (OverflowError, FloatingPointError, ValueError) as exc:
        raise AnalysisError(f"these numbers cannot be pooled ({exc})") from None
    if not all(math.isfinite(x) for x in numbers) or not np.all(np.isfinite(result.pooled.weights)):
        raise AnalysisError(
            "these numbers are too extreme to pool reliably (a result is not a finite number); check the "
            "rows for a typing error"
        )
    return result
