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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from kneadwell.core.marking import gettext
from kneadwell.evidence.meta.csv_input import (
    BINARY_COLUMNS,
    CONTINUOUS_COLUMNS,
    GENERIC_COLUMNS,
    StudyRow,
    StudyTableError,
    effects_from_rows,
    line_words,
    read_rows,
    study_at,
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


def _finish(kind: str, parsed: list[StudyRow], measure: Measure, place: Callable[[int], str]) -> list[Row]:
    if len(parsed) > MAX_ROWS:
        raise StudyTableError(
            gettext("%(count)s studies; at most %(limit)s can be pooled in one analysis")
            % {"count": len(parsed), "limit": MAX_ROWS}
        )
    for row in parsed:
        where = study_at(place(row.line), row.label)
        if len(row.label) > MAX_LABEL:
            raise StudyTableError(
                gettext(
                    "%(where)s, column 'study': the label is %(length)s characters long; at most %(limit)s"
                )
                % {"where": where, "length": len(row.label), "limit": MAX_LABEL}
            )
        if any(not ch.isprintable() for ch in row.label):
            raise StudyTableError(
                gettext("%(where)s, column 'study': the label contains control characters") % {"where": where}
            )
    with np.errstate(over="ignore", invalid="ignore"):  # a non-finite effect is reported below
        effects = effects_from_rows(kind, parsed, measure)
    for label, y, v in zip(effects.labels, effects.yi, effects.vi, strict=True):
        if not (math.isfinite(float(y)) and math.isfinite(float(v)) and v > 0):
            raise StudyTableError(
                gettext(
                    "study '%(label)s': these numbers give an effect size that is not a finite number; "
                    "check the row for a typing error"
                )
                % {"label": label}
            )
    if effects.k == 0:
        raise StudyTableError(
            gettext("no study has information on this measure (every study had no events in either arm)")
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
        raise StudyTableError(
            gettext("the table is %(length)s characters long; at most %(limit)s")
            % {"length": len(text), "limit": MAX_CSV_CHARS}
        )
    if "\x00" in text:
        raise StudyTableError(
            gettext("the table contains a NUL character; save it as plain CSV text (UTF-8)")
        )
    text = text.removeprefix("\ufeff")
    kind, parsed = read_rows(io.StringIO(text, newline=""), measure, web=True)
    return _finish(kind, parsed, measure, line_words)


def _row_words(number: int) -> str:
    return gettext("row %(row)s") % {"row": number}


def rows_from_table(
    table: Sequence[Mapping[str, Any]], measure: Measure | str, layout: str | None = None
) -> list[Row]:
    """Rows typed into a form or sent to the API: one mapping of column → value per row (rows left
    entirely empty are skipped). With `layout` None, the columns are those that hold a value in some
    row. Messages name the row as the form numbers it (row 1 is the first)."""
    measure = Measure(measure)
    if layout is not None and layout not in LAYOUTS:
        raise StudyTableError(
            gettext("unknown layout '%(layout)s'; expected one of %(layouts)s")
            % {"layout": layout, "layouts": ", ".join(LAYOUTS)}
        )
    if len(table) > MAX_ROWS * 2:
        raise StudyTableError(
            gettext("%(count)s rows; at most %(limit)s studies can be pooled in one analysis")
            % {"count": len(table), "limit": MAX_ROWS}
        )
    known = ("study", *dict.fromkeys(c for cols in LAYOUTS.values() for c in cols))
    for number, cells in enumerate(table, start=1):
        unknown = sorted(str(k) for k in cells if k not in known)
        if unknown:
            raise StudyTableError(
                gettext("%(place)s: unknown column(s) %(columns)s")
                % {"place": _row_words(number), "columns": ", ".join(unknown)}
            )
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
                    gettext("%(place)s, column '%(column)s': contains a line break or control character")
                    % {"place": _row_words(number), "column": column}
                )
        writer.writerow(values)
        form_row[len(form_row) + 2] = number  # CSV line 1 is the header
    if not form_row:
        raise StudyTableError(gettext("no rows entered; fill in at least one study"))

    def place(line: int) -> str:  # the form's row number, not the generated CSV's line
        return _row_words(form_row.get(line, line))

    kind, parsed = read_rows(io.StringIO(buffer.getvalue(), newline=""), measure, place=place, web=True)
    return _finish(kind, parsed, measure, place)


def layout_of(rows: Sequence[Mapping[str, Any]]) -> str:
    """The layout of stored rows (from the first row's columns)."""
    if not rows:
        raise StudyTableError(gettext("no study rows"))
    keys = set(rows[0]) - {"study"}
    for kind, columns in LAYOUTS.items():
        if keys == set(columns):
            return kind
    raise StudyTableError(
        gettext("the stored rows have unexpected columns: %(columns)s") % {"columns": ", ".join(sorted(keys))}
    )


def _filled(value: Any) -> bool:
    return value is not None and value != ""


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        raise StudyTableError(gettext("a cell holds true/false where a number is expected"))
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
        raise AnalysisError(
            gettext("%(reason)s. Choose DL (DerSimonian-Laird) or PM (Paule-Mandel) instead.")
            % {"reason": exc.reason}
        ) from None
    except (OverflowError, FloatingPointError, ValueError) as exc:
        raise AnalysisError(gettext("these numbers cannot be pooled (%(error)s)") % {"error": exc}) from None
    if not all(math.isfinite(x) for x in numbers) or not np.all(np.isfinite(result.pooled.weights)):
        raise AnalysisError(
            gettext(
                "these numbers are too extreme to pool reliably (a result is not a finite number); check the "
                "rows for a typing error"
            )
        )
    return result
