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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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


class StudyTableError(ValueError):
    """The file or one of its rows cannot be used; the message says where and why."""


@dataclass(frozen=True)
class StudyRow:
    line: int  # physical line in the file (header is line 1)
    label: str
    values: dict[str, float]


def _layout_for(measure: Measure, columns: set[str]) -> tuple[str, tuple[str, ...]]:
    raw = BINARY_COLUMNS if measure.is_binary else CONTINUOUS_COLUMNS
    kind = "binary" if measure.is_binary else "continuous"
    if set(raw) <= columns:
        return kind, raw
    if set(GENERIC_COLUMNS) <= columns:
        return "generic", GENERIC_COLUMNS
    other_raw = CONTINUOUS_COLUMNS if measure.is_binary else BINARY_COLUMNS
    hint = ""
    if set(other_raw) <= columns:
        other = "continuous" if measure.is_binary else "binary"
        fits = "MD or SMD" if measure.is_binary else "RR, OR or RD"
        hint = f" The file has {other} columns, which fit --measure {fits}."
    missing = [c for c in raw if c not in columns]
    raise StudyTableError(
        f"--measure {measure} needs the {kind} columns study, {', '.join(raw)} "
        f"(missing: {', '.join(missing)}) or the generic columns study, yi, vi.{hint}"
    )


def _parse(value: str, column: str, line: int, label: str) -> float:
    where = f"line {line} (study '{label}'), column '{column}'"
    text = value.strip()
    if text == "":
        raise StudyTableError(f"{where}: the cell is empty; expected a number")
    try:
        number = float(text)
    except ValueError:
        raise StudyTableError(f"{where}: expected a number, got '{text}'") from None
    if not math.isfinite(number):
        raise StudyTableError(f"{where}: expected a finite number, got '{text}'")
    if column in _COUNT_COLUMNS:
        if number != int(number):
            raise StudyTableError(f"{where}: expected a whole number of people, got '{text}'")
        minimum = 0 if column.startswith("events") else 1
        if number < minimum:
            raise StudyTableError(f"{where}: expected a whole number ≥ {minimum}, got '{text}'")
    if column.startswith("sd_") and number <= 0:
        raise StudyTableError(f"{where}: a standard deviation must be greater than 0, got '{text}'")
    if column == "vi" and number <= 0:
        raise StudyTableError(f"{where}: the sampling variance must be greater than 0, got '{text}'")
    return number


def _check_row(kind: str, row: StudyRow) -> None:
    where = f"line {row.line} (study '{row.label}')"
    v = row.values
    if kind == "binary":
        for arm in ("treatment", "control"):
            if v[f"events_{arm}"] > v[f"n_{arm}"]:
                raise StudyTableError(
                    f"{where}, column 'events_{arm}': {v[f'events_{arm}']:g} events is more than "
                    f"n_{arm} = {v[f'n_{arm}']:g}"
                )
    elif kind == "continuous":
        for arm in ("treatment", "control"):
            if v[f"n_{arm}"] < 2:
                raise StudyTableError(
                    f"{where}, column 'n_{arm}': an arm needs at least 2 people to have an SD"
                )


def read_rows(lines: Iterable[str], measure: Measure) -> tuple[str, list[StudyRow]]:
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise StudyTableError("the file is empty; expected a header row and one row per study") from None
    except csv.Error as exc:
        raise StudyTableError(f"line 1: not readable as CSV ({exc})") from None
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and ";" in names[0]:
        raise StudyTableError("line 1: only one column found; the file looks semicolon-separated, "
                              "but comma-separated values are expected")
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        raise StudyTableError(f"line 1: column(s) named more than once: {', '.join(duplicates)}")
    if "study" not in names:
        raise StudyTableError("line 1: no 'study' column (one label per study is expected)")
    kind, needed = _layout_for(measure, set(names))
    index = {n: i for i, n in enumerate(names)}

    rows: list[StudyRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines and rows of empty cells, common at the end of spreadsheets
            if len(cells) != len(names):
                raise StudyTableError(
                    f"line {line}: {len(cells)} cells but the header has {len(names)} columns"
                )
            label = cells[index["study"]].strip() or f"row {len(rows) + 1}"
            values = {col: _parse(cells[index[col]], col, line, label) for col in needed}
            row = StudyRow(line, label, values)
            _check_row(kind, row)
            rows.append(row)
    except csv.Error as exc:
        raise StudyTableError(f"line {reader.line_num}: not readable as CSV ({exc})") from None
    if not rows:
        raise StudyTableError("the file has a header but no study rows")
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
        raise StudyTableError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise StudyTableError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise StudyTableError(f"{path}: not UTF-8 text; save the table as CSV (UTF-8)") from None
    except PermissionError:
        raise StudyTableError(f"{path}: permission denied") from None
    return effects_from_rows(kind, rows, measure)
