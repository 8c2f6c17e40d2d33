"""Read a study table for `kneadwell meta` from CSV, checking every cell before anything is computed.

Three layouts are accepted (ARCHITECTURE.md, `kneadwell meta` contract); column names are matched
case-insensitively and other columns are ignored:
- binary:     study, events_treatment, n_treatment, events_control, n_control   (RR, OR, RD)
- continuous: study, mean_treatment, sd_treatment, n_treatment, mean_control, sd_control, n_control
                                                                                 (MD, SMD)
- generic:    study, yi, vi   (any measure; for RR and OR, yi is the natural log of the ratio)
When a file has both raw columns and yi/vi, the raw columns for the chosen measure win.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kneadwell.core.marking import gettext, gettext_noop
from kneadwell.evidence.meta.effect_sizes import (
    EffectSizeError,
    EffectSizes,
    Measure,
    binary_effects,
    continuous_effects,
    generic_effects,
)

BINARY_COLUMNS = ("events_treatment", "n_treatment", "events_control", "n_control")
CONTINUOUS_COLUMNS = (
    "mean_treatment", "sd_treatment", "n_treatment", "mean_control", "sd_control", "n_control",
)
GENERIC_COLUMNS = ("yi", "vi")
# Integer columns (counts of people) versus real-valued ones.
_COUNT_COLUMNS = {"events_treatment", "n_treatment", "events_control", "n_control"}
# The layouts in words (messages are translated through core/marking; the column names stay as typed).
_KIND_WORDS = {"binary": gettext_noop("binary"), "continuous": gettext_noop("continuous")}


def line_words(line: int) -> str:
    """Where a problem is, for the command's file: "line 3". Pages name the row instead (analysis_rows)."""
    return gettext("line %(line)s") % {"line": line}


def study_at(place: str, label: str) -> str:
    return gettext("%(place)s (study '%(label)s')") % {"place": place, "label": label}


class StudyTableError(ValueError):
    """The file or one of its rows cannot be used; the message says where and why."""


@dataclass(frozen=True)
class StudyRow:
    line: int  # physical line in the file (header is line 1)
    label: str
    values: dict[str, float]


def _layout_for(measure: Measure, columns: set[str], *, web: bool) -> tuple[str, tuple[str, ...]]:
    raw = BINARY_COLUMNS if measure.is_binary else CONTINUOUS_COLUMNS
    kind = "binary" if measure.is_binary else "continuous"
    if set(raw) <= columns:
        return kind, raw
    if set(GENERIC_COLUMNS) <= columns:
        return "generic", GENERIC_COLUMNS
    other_raw = CONTINUOUS_COLUMNS if measure.is_binary else BINARY_COLUMNS
    hint = ""
    if set(other_raw) <= columns:
        other = gettext(_KIND_WORDS["continuous" if measure.is_binary else "binary"])
        fits = gettext("MD or SMD") if measure.is_binary else gettext("RR, OR or RD")
        if web:  # a page or the API: the measure is a field, the CSV a table
            hint = gettext("The table has %(kind)s columns, which fit the measure %(fits)s.")
        else:
            hint = gettext("The file has %(kind)s columns, which fit --measure %(fits)s.")
        hint = " " + hint % {"kind": other, "fits": fits}
    missing = [c for c in raw if c not in columns]
    if web:
        message = gettext(
            "the measure %(measure)s needs the %(kind)s columns study, %(columns)s (missing: %(missing)s) "
            "or the generic columns study, yi, vi."
        )
    else:
        message = gettext(
            "--measure %(measure)s needs the %(kind)s columns study, %(columns)s (missing: %(missing)s) "
            "or the generic columns study, yi, vi."
        )
    values = {"measure": measure, "kind": gettext(_KIND_WORDS[kind]), "columns": ", ".join(raw)}
    raise StudyTableError(message % {**values, "missing": ", ".join(missing)} + hint)


def _parse(value: str, column: str, where: str) -> float:
    where = gettext("%(where)s, column '%(column)s'") % {"where": where, "column": column}
    text = value.strip()
    problem = ""
    number = math.nan
    if text == "":
        problem = gettext("the cell is empty; expected a number")
    else:
        try:
            number = float(text)
        except ValueError:
            problem = gettext("expected a number, got '%(text)s'")
    if not problem and not math.isfinite(number):
        problem = gettext("expected a finite number, got '%(text)s'")
    elif not problem and column in _COUNT_COLUMNS:
        minimum = 0 if column.startswith("events") else 1
        if number != int(number):
            problem = gettext("expected a whole number of people, got '%(text)s'")
        elif number < minimum:
            problem = gettext("expected a whole number ≥ %(minimum)s, got '%(text)s'")
    elif not problem and column.startswith("sd_") and number <= 0:
        problem = gettext("a standard deviation must be greater than 0, got '%(text)s'")
    elif not problem and column == "vi" and number <= 0:
        problem = gettext("the sampling variance must be greater than 0, got '%(text)s'")
    if problem:
        minimum = 0 if column.startswith("events") else 1
        raise StudyTableError(f"{where}: " + problem % {"text": text, "minimum": minimum})
    return number


def _check_row(kind: str, row: StudyRow, where: str) -> None:
    v = row.values
    if kind == "binary":
        for arm in ("treatment", "control"):
            if v[f"events_{arm}"] > v[f"n_{arm}"]:
                raise StudyTableError(
                    gettext("%(where)s, column '%(column)s': %(events)s events is more than %(n)s = %(size)s")
                    % {
                        "where": where,
                        "column": f"events_{arm}",
                        "events": f"{v[f'events_{arm}']:g}",
                        "n": f"n_{arm}",
                        "size": f"{v[f'n_{arm}']:g}",
                    }
                )
    elif kind == "continuous":
        for arm in ("treatment", "control"):
            if v[f"n_{arm}"] < 2:
                raise StudyTableError(
                    gettext("%(where)s, column '%(column)s': an arm needs at least 2 people to have an SD")
                    % {"where": where, "column": f"n_{arm}"}
                )


def read_rows(
    lines: Iterable[str], measure: Measure, *, place: Callable[[int], str] = line_words, web: bool = False
) -> tuple[str, list[StudyRow]]:
    """The study rows of a CSV table. `place` words where a line is (the command names the file's line,
    a page the form's row); `web` words the messages for a page or the API (the measure is a field)."""
    reader = csv.reader(lines)
    first = place(1)
    try:
        header = next(reader)
    except StopIteration:
        raise StudyTableError(
            gettext("the file is empty; expected a header row and one row per study")
        ) from None
    except csv.Error as exc:
        raise StudyTableError(
            gettext("%(place)s: not readable as CSV (%(error)s)") % {"place": first, "error": exc}
        ) from None
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and ";" in names[0]:
        raise StudyTableError(
            gettext(
                "%(place)s: only one column found; the file looks semicolon-separated, but comma-separated "
                "values are expected"
            )
            % {"place": first}
        )
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        raise StudyTableError(
            gettext("%(place)s: column(s) named more than once: %(columns)s")
            % {"place": first, "columns": ", ".join(duplicates)}
        )
    if "study" not in names:
        raise StudyTableError(
            gettext("%(place)s: no 'study' column (one label per study is expected)") % {"place": first}
        )
    kind, needed = _layout_for(measure, set(names), web=web)
    index = {n: i for i, n in enumerate(names)}

    rows: list[StudyRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines and rows of empty cells, common at the end of spreadsheets
            if len(cells) != len(names):
                raise StudyTableError(
                    gettext("%(place)s: %(cells)s cells but the header has %(columns)s columns")
                    % {"place": place(line), "cells": len(cells), "columns": len(names)}
                )
            # a study without a label is named by its row; the name is stored with the rows, so English
            label = cells[index["study"]].strip() or f"row {len(rows) + 1}"
            where = study_at(place(line), label)
            values = {col: _parse(cells[index[col]], col, where) for col in needed}
            row = StudyRow(line, label, values)
            _check_row(kind, row, where)
            rows.append(row)
    except csv.Error as exc:
        raise StudyTableError(
            gettext("%(place)s: not readable as CSV (%(error)s)")
            % {"place": place(reader.line_num), "error": exc}
        ) from None
    if not rows:
        raise StudyTableError(gettext("the file has a header but no study rows"))
    return kind, rows


def effects_from_rows(kind: str, rows: list[StudyRow], measure: Measure) -> EffectSizes:
    labels = [r.label for r in rows]

    def col(name: str) -> list[float]:
        return [r.values[name] for r in rows]

    try:
        if kind == "binary":
            return binary_effects(measure, col("events_treatment"), col("n_treatment"),
                                  col("events_control"), col("n_control"), labels)
        if kind == "continuous":
            return continuous_effects(measure, col("mean_treatment"), col("sd_treatment"),
                                      col("n_treatment"), col("mean_control"), col("sd_control"),
                                      col("n_control"), labels)
        return generic_effects(measure, col("yi"), col("vi"), labels)
    except EffectSizeError as exc:
        raise StudyTableError(str(exc)) from None


def read_study_table(path: Path, measure: Measure) -> EffectSizes:
    """Effect sizes for every row of a CSV file, or StudyTableError naming the first problem."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            kind, rows = read_rows(handle, measure)
    except FileNotFoundError:
        raise StudyTableError(gettext("%(path)s: no such file") % {"path": path}) from None
    except IsADirectoryError:
        raise StudyTableError(gettext("%(path)s: is a directory, not a CSV file") % {"path": path}) from None
    except UnicodeDecodeError:
        raise StudyTableError(
            gettext("%(path)s: not UTF-8 text; save the table as CSV (UTF-8)") % {"path": path}
        ) from None
    except PermissionError:
        raise StudyTableError(gettext("%(path)s: permission denied") % {"path": path}) from None
    return effects_from_rows(kind, rows, measure)
