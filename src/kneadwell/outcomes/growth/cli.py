"""``kneadwell growth`` and ``kneadwell velocity``: growth files in, results out (CSV).

growth (contract in ARCHITECTURE.md): input columns ``sex, birth_date, observation_date, gestation_weeks,
gestation_days, measurement_method, observation_value``; other columns pass through unchanged, in their
order; the output adds ``chronological_age_days, corrected_age_days, chronological_sds, corrected_sds,
corrected_centile, reference, error``. (An input column with one of those names is replaced, so the
command can be run again on its own output.) Blank gestation (both columns) means term, 40+0. A bad row
gets a message in ``error`` and empty results; it never stops the file. The SDS come from the vectorised
path in :mod:`zscores`, equal to rcpchgrowth's ``Measurement`` for the same row.

velocity: input ``client_id, date, weight_g``; one output row per client (in order of first appearance):
``client_id, start_date, end_date, days, start_weight_g, end_weight_g, gain_g_per_day, velocity_g_kg_day,
method``, then our additions ``points_used, skipped, error``: ``skipped`` lists input rows that could
not be used (with the reason; the velocity uses the others), ``error`` says why a client has no
velocity (then the figures are empty).

Exit codes: 0 when the file was processed (whatever the rows held), 2 when the file itself is unusable
(missing, unreadable, not UTF-8 text, not CSV, no header, required columns missing) or the output cannot
be written; the reason goes to stderr. ``--out`` is written to a temporary file and renamed at the end,
so a failed run never leaves a half-written file.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import itertools
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

import numpy as np
from numpy.typing import NDArray

from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, METHOD_CODE, REFERENCES, SEX_CODE

GROWTH_REQUIRED: Final = (
    "sex",
    "birth_date",
    "observation_date",
    "gestation_weeks",
    "gestation_days",
    "measurement_method",
    "observation_value",
)
GROWTH_ADDED: Final = (
    "chronological_age_days",
    "corrected_age_days",
    "chronological_sds",
    "corrected_sds",
    "corrected_centile",
    "reference",
    "error",
)
VELOCITY_REQUIRED: Final = ("client_id", "date", "weight_g")
VELOCITY_COLUMNS: Final = (
    "client_id",
    "start_date",
    "end_date",
    "days",
    "start_weight_g",
    "end_weight_g",
    "gain_g_per_day",
    "velocity_g_kg_day",
    "method",
)
VELOCITY_EXTRA: Final = ("points_used", "skipped", "error")

CHUNK_ROWS: Final = 200_000  # rows held in memory at once; large files stream through in chunks


class UnusableFile(Exception):
    """The input or output file cannot be used at all (exit code 2)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    growth = subparsers.add_parser(
        "growth",
        help="SDS and centiles for a CSV file of growth measurements",
        description=(
            "Adds chronological and corrected age, SDS and centile to each row of a CSV file. Input "
            f"columns: {', '.join(GROWTH_REQUIRED)} (other columns pass through). Blank gestation = term. "
            "Values in kg, cm or kg/m²."
        ),
    )
    growth.add_argument("--in", dest="input", required=True, metavar="FILE.csv", help="input CSV file")
    growth.add_argument("--out", metavar="FILE.csv", help="output CSV file (default: standard output)")
    growth.add_argument(
        "--reference", choices=REFERENCES, default=DEFAULT_REFERENCE, help="growth reference (default uk-who)"
    )
    growth.set_defaults(func=run_growth)

    from kneadwell.outcomes.growth.velocity import VELOCITY_METHODS

    velocity = subparsers.add_parser(
        "velocity",
        help="growth velocity per client from a CSV file of weights",
        description=(
            "One row per client: gain in g/day and velocity in g/kg/day. Input columns: client_id, date, "
            "weight_g."
        ),
    )
    velocity.add_argument("--in", dest="input", required=True, metavar="FILE.csv", help="input CSV file")
    velocity.add_argument("--out", metavar="FILE.csv", help="output CSV file (default: standard output)")
    velocity.add_argument(
        "--method",
        choices=VELOCITY_METHODS,
        default="exponential",
        help="exponential (Patel, default), average-2-point, or linear (g/day only)",
    )
    velocity.add_argument(
        "--after-regain",
        action="store_true",
        help=(
            "start each client's window when birth weight is regained (each client's earliest weight is "
            "taken as the birth weight)"
        ),
    )
    velocity.set_defaults(func=run_velocity)


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _open_input(path: str) -> Iterator[IO[str]]:
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except FileNotFoundError as exc:
        raise UnusableFile(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise UnusableFile(f"{path}: is a directory, not a CSV file") from exc
    except OSError as exc:
        raise UnusableFile(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    with handle:
        yield handle


@contextlib.contextmanager
def _open_output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a temporary file renamed to ``path`` only when everything was written."""
    if path is None:
        yield sys.stdout
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kneadwell-", suffix=".csv", dir=directory)
    except OSError as exc:
        raise UnusableFile(f"{path}: cannot be written ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _header(reader: Iterator[list[str]], path: str, required: Sequence[str]) -> tuple[list[str], list[int]]:
    """The header row and the position of each required column (names matched without case or spaces)."""
    try:
        header = next(reader)
    except StopIteration as exc:
        raise UnusableFile(f"{path}: the file is empty (expected a CSV header row)") from exc
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        hint = "" if len(header) > 1 else " Is it a comma-separated CSV file with a header row?"
        raise UnusableFile(f"{path}: missing required column(s): {', '.join(missing)}.{hint}")
    return header, [names.index(c) for c in required]


def _chunks(reader: Iterator[list[str]], path: str) -> Iterator[list[list[str]]]:
    try:
        while True:
            chunk = list(itertools.islice(reader, CHUNK_ROWS))
            if not chunk:
                return
            yield chunk
    except UnicodeDecodeError as exc:
        raise UnusableFile(f"{path}: not UTF-8 text (is it a CSV file?)") from exc
    except csv.Error as exc:
        raise UnusableFile(f"{path}: not readable as CSV (line {reader_line(reader)}: {exc})") from exc


def reader_line(reader: Iterator[list[str]]) -> int | str:
    return getattr(reader, "line_num", "?")


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a chunk creates millions of small lists (no cycles), and
    collecting repeatedly over them costs more than the parsing itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(body: Callable[[], None]) -> int:
    try:
        body()
    except UnusableFile as exc:
        print(f"kneadwell: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print("kneadwell: the input is not UTF-8 text (is it a CSV file?)", file=sys.stderr)
        return 2
    return 0


# --------------------------------------------------------------------------------------------------
# Parsing helpers (fast on large files: each distinct text is parsed once)
# --------------------------------------------------------------------------------------------------


def _parse_date(text: str) -> int | None:
    """Days since 1970-01-01, or None when not an ISO date."""
    try:
        return (dt.date.fromisoformat(text.strip()) - dt.date(1970, 1, 1)).days
    except ValueError:
        return None


def _parse_whole(text: str) -> int | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return int(x) if math.isfinite(x) and x.is_integer() else None


def _parse_float(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _mapped(column: Sequence[str], parse: Callable[[str], object]) -> list[object]:
    cache = {text: parse(text) for text in set(column)}
    return [cache[text] for text in column]


def _floats(column: Sequence[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(values, ok) for a column of decimal numbers; numpy parses the whole column when it can."""
    try:
        values = np.array(column, dtype=np.str_).astype(np.float64)
        ok = np.isfinite(values)
    except ValueError:
        parsed = [_parse_float(t) for t in column]
        ok = np.array([p is not None for p in parsed], dtype=bool)
        values = np.array([p if p is not None else np.nan for p in parsed], dtype=np.float64)
    return values, ok


def _number_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# --------------------------------------------------------------------------------------------------
# growth
# --------------------------------------------------------------------------------------------------


def run_growth(args: argparse.Namespace) -> int:
    return _run(lambda: growth_file(args.input, args.out, args.reference))


def growth_file(input_path: str, output_path: str | None, reference: str = DEFAULT_REFERENCE) -> None:
    with _open_input(input_path) as source, _no_cyclic_gc():
        reader = csv.reader(source)
        try:
            header, positions = _header(reader, input_path, GROWTH_REQUIRED)
        except UnicodeDecodeError as exc:
            raise UnusableFile(f"{input_path}: not UTF-8 text (is it a CSV file?)") from exc
        except csv.Error as exc:
            raise UnusableFile(f"{input_path}: not readable as CSV ({exc})") from exc
        names = [h.strip().lower() for h in header]
        keep = [i for i, n in enumerate(names) if n not in GROWTH_ADDED]
        with _open_output(output_path) as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow([header[i] for i in keep] + list(GROWTH_ADDED))
            for chunk in _chunks(reader, input_path):
                writer.writerows(_growth_chunk(chunk, len(header), keep, positions, reference))


_BLANK: Final = -1  # gestation column left blank
_INVALID: Final = -(2**62)  # text that is not a date / whole number


def _date_or_invalid(text: str) -> int:
    day = _parse_date(text)
    return _INVALID if day is None else day


def _gestation(text: str) -> int:
    if not text.strip():
        return _BLANK
    whole = _parse_whole(text)
    return _INVALID if whole is None or whole < 0 else whole


def _codes_of(column: Sequence[str], mapping: dict[str, int]) -> NDArray[np.int8]:
    return np.array(_mapped(column, lambda t: mapping.get(t.strip().lower(), -1)), dtype=np.int8)


def _growth_chunk(
    rows: list[list[str]], width: int, keep: list[int], positions: list[int], reference: str
) -> list[list[str]]:
    from kneadwell.outcomes.growth.zscores import batch_sds

    n = len(rows)
    problems: dict[int, list[str]] = {}
    for i in [i for i, r in enumerate(rows) if len(r) != width]:
        # A row of the wrong length: its fields cannot be trusted to be in their columns.
        problems[i] = [f"row has {len(rows[i])} fields but the header has {width}"]
        rows[i] = (rows[i] + [""] * width)[:width]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    sex_col, birth_col, obs_col, gw_col, gd_col, method_col, value_col = (columns[p] for p in positions)

    sex = _codes_of(sex_col, SEX_CODE)
    method = _codes_of(method_col, METHOD_CODE)
    birth = np.array(_mapped(birth_col, _date_or_invalid), dtype=np.int64)
    observed = np.array(_mapped(obs_col, _date_or_invalid), dtype=np.int64)
    gw = np.array(_mapped(gw_col, _gestation), dtype=np.int64)
    gd = np.array(_mapped(gd_col, _gestation), dtype=np.int64)
    value, value_ok = _floats(value_col)

    checks: list[tuple[NDArray[np.bool_], Callable[[int], str]]] = [
        (sex < 0, lambda i: f"sex: '{sex_col[i]}' is not male or female"),
        (
            method < 0,
            lambda i: f"measurement_method: '{method_col[i]}' is not one of weight, height, ofc, bmi",
        ),
        (birth == _INVALID, lambda i: f"birth_date: '{birth_col[i]}' is not a date (expected YYYY-MM-DD)"),
        (
            observed == _INVALID,
            lambda i: f"observation_date: '{obs_col[i]}' is not a date (expected YYYY-MM-DD)",
        ),
        (gw == _INVALID, lambda i: f"gestation_weeks: '{gw_col[i]}' is not a whole number of weeks"),
        (gd == _INVALID, lambda i: f"gestation_days: '{gd_col[i]}' is not a whole number of days"),
        (
            (gw == _BLANK) & (gd != _BLANK),
            lambda i: "gestation_weeks: blank while gestation_days is given (leave both blank for term)",
        ),
        (~value_ok, lambda i: f"observation_value: '{value_col[i]}' is not a number"),
    ]
    for mask, message in checks:
        for i in np.flatnonzero(mask).tolist():
            if i not in problems or not problems[i][0].startswith("row has"):
                problems.setdefault(i, []).append(message(i))
    bad = np.zeros(n, dtype=bool)
    bad[list(problems)] = True

    # Blank gestation = term (40+0). Rows already known to be bad get harmless placeholders; their
    # results are discarded below.
    weeks = np.where((gw == _BLANK) | bad, 40, gw)
    days = np.where((gw == _BLANK) | (gd == _BLANK) | bad, 0, gd)
    result = batch_sds(
        np.where(bad, 0, sex),
        np.where(bad, 0, birth),
        np.where(bad, 0, observed),
        weeks,
        days,
        np.where(bad, 0, method),
        np.where(bad, 1.0, value),
        reference,
    )
    ok = result.ok & ~bad
    chrono_days = _texts(result.chronological_age_days.tolist(), ok, str)
    corrected_days = _texts(result.corrected_age_days.tolist(), ok, str)
    chrono_sds = _texts(result.chronological_sds.tolist(), ok, repr)
    corrected_sds = _texts(result.corrected_sds.tolist(), ok, repr)
    centile = _texts(result.corrected_centile.tolist(), ok, repr)
    errors = [""] * n
    for j in np.flatnonzero(~ok).tolist():
        errors[j] = "; ".join(problems[j]) if j in problems else (result.message(j) or "not computable")
    refs = itertools.repeat(reference)
    added = zip(chrono_days, corrected_days, chrono_sds, corrected_sds, centile, refs, errors, strict=False)
    if keep != list(range(width)):
        rows = [[row[k] for k in keep] for row in rows]
    for row, extra in zip(rows, added, strict=False):
        row.extend(extra)
    return rows


def _texts(values: list[Any], ok: NDArray[np.bool_], fmt: Callable[[Any], str]) -> list[str]:
    out = list(map(fmt, values))
    for i in np.flatnonzero(~ok).tolist():
        out[i] = ""
    return out


# --------------------------------------------------------------------------------------------------
# velocity
# --------------------------------------------------------------------------------------------------


@dataclass
class _Client:
    client_id: str
    points: list[tuple[dt.date, float]]
    skipped: list[str]


def run_velocity(args: argparse.Namespace) -> int:
    return _run(lambda: velocity_file(args.input, args.out, args.method, args.after_regain))


def velocity_file(input_path: str, output_path: str | None, method: str, after_regain: bool = False) -> None:
    from kneadwell.outcomes.growth.plausibility import DEFAULT_SETTINGS

    low_kg, high_kg = DEFAULT_SETTINGS.absolute_limits["weight"]
    clients: dict[str, _Client] = {}
    with _open_input(input_path) as source, _no_cyclic_gc():
        reader = csv.reader(source)
        try:
            _, (id_pos, date_pos, weight_pos) = _header(reader, input_path, VELOCITY_REQUIRED)
        except UnicodeDecodeError as exc:
            raise UnusableFile(f"{input_path}: not UTF-8 text (is it a CSV file?)") from exc
        except csv.Error as exc:
            raise UnusableFile(f"{input_path}: not readable as CSV ({exc})") from exc
        line = 1
        dates: dict[str, dt.date | None] = {}  # each distinct text is parsed once
        epoch = dt.date(1970, 1, 1)
        for chunk in _chunks(reader, input_path):
            for row in chunk:
                line += 1
                fields = row + [""] * 3
                client_id = fields[id_pos].strip()
                client = clients.get(client_id)
                if client is None:
                    client = clients[client_id] = _Client(client_id, [], [])
                text = fields[date_pos]
                if text not in dates:
                    day = _parse_date(text)
                    dates[text] = None if day is None else epoch + dt.timedelta(days=day)
                date = dates[text]
                weight = _parse_float(fields[weight_pos])
                if date is None:
                    client.skipped.append(f"row {line}: date '{fields[date_pos]}' is not a date (YYYY-MM-DD)")
                elif weight is None:
                    client.skipped.append(f"row {line}: weight_g '{fields[weight_pos]}' is not a number")
                elif weight <= low_kg * 1000 or weight > high_kg * 1000:
                    hint = f" (entered in kilograms? {weight * 1000:g} g)" if 0 < weight <= 20 else ""
                    client.skipped.append(
                        f"row {line}: weight_g {weight:g} is not a possible weight in grams{hint}"
                    )
                else:
                    client.points.append((date, weight))
    with _open_output(output_path) as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(list(VELOCITY_COLUMNS) + list(VELOCITY_EXTRA))
        for client in clients.values():
            writer.writerow(_velocity_row(client, method, after_regain))


def _velocity_row(client: _Client, method: str, after_regain: bool) -> list[str]:
    from kneadwell.outcomes.growth.velocity import VelocityError, WeightPoint, velocity

    skipped = "; ".join(client.skipped)
    if not client.client_id:
        return [""] * 8 + [method, "", skipped, "client_id is blank"]
    try:
        result = velocity(
            [WeightPoint(d, w) for d, w in client.points],
            method,  # type: ignore[arg-type]
            start_after_regain=after_regain,
        )
    except VelocityError as exc:
        return [client.client_id] + [""] * 7 + [method, "", skipped, str(exc)]
    return [
        client.client_id,
        result.start_date.isoformat(),
        result.end_date.isoformat(),
        str(result.days),
        _number_text(result.start_weight_g),
        _number_text(result.end_weight_g),
        repr(result.gain_g_per_day),
        "" if result.velocity_g_kg_day is None else repr(result.velocity_g_kg_day),
        result.method,
        str(result.points_used),
        skipped,
        "",
    ]
