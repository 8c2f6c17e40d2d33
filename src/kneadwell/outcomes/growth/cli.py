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
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Final

from kneadwell.outcomes.growth.csvblocks import Block, CsvProblem, csv_cell, read_blocks, write_lines
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, REFERENCES

if TYPE_CHECKING:
    from kneadwell.outcomes.growth.textbatch import Parsed

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

CHUNK_ROWS: Final = 200_000  # velocity: rows held in memory at once; large files stream through in chunks


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
# growth
# --------------------------------------------------------------------------------------------------


def run_growth(args: argparse.Namespace) -> int:
    return _run(lambda: growth_file(args.input, args.out, args.reference))


def growth_file(input_path: str, output_path: str | None, reference: str = DEFAULT_REFERENCE) -> None:
    """Read `input_path` in blocks and write each block's rows with their results before reading the
    next (see `csvblocks` for the plain-text fast way and `textbatch` for the maths on text)."""
    from kneadwell.outcomes.growth.textbatch import Parsed  # numpy: only when a file is processed

    parsed = Parsed()
    with _open_input(input_path) as source, _no_cyclic_gc():
        try:
            header, positions = _header(csv.reader(source), input_path, GROWTH_REQUIRED)
        except UnicodeDecodeError as exc:
            raise UnusableFile(f"{input_path}: not UTF-8 text (is it a CSV file?)") from exc
        except csv.Error as exc:
            raise UnusableFile(f"{input_path}: not readable as CSV ({exc})") from exc
        width = len(header)
        names = [h.strip().lower() for h in header]
        keep = [i for i, n in enumerate(names) if n not in GROWTH_ADDED]
        with _open_output(output_path) as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow([header[i] for i in keep] + list(GROWTH_ADDED))
            try:
                for block in read_blocks(source, width):
                    _growth_block(block, keep, positions, reference, parsed, target, writer)
            except UnicodeDecodeError as exc:
                raise UnusableFile(f"{input_path}: not UTF-8 text (is it a CSV file?)") from exc
            except CsvProblem as exc:
                raise UnusableFile(f"{input_path}: not readable as CSV ({exc})") from exc


def _growth_block(
    block: Block,
    keep: list[int],
    positions: list[int],
    reference: str,
    parsed: Parsed,
    target: IO[str],
    writer: Any,
) -> None:
    from kneadwell.outcomes.growth.textbatch import growth_texts

    width = block.width
    problems: dict[int, list[str]] = {}
    wrong = block.wrong_widths()
    for i in wrong:
        # A row of the wrong length: its fields cannot be trusted to be in their columns.
        assert block.rows is not None
        problems[i] = [f"row has {len(block.rows[i])} fields but the header has {width}"]
    added = growth_texts([block.column(p) for p in positions], reference, problems, parsed)
    if block.lines is not None and not wrong and len(keep) == width:
        # Plain text, every row whole and kept: write each line back as it was read.
        errors = added[-1]
        for i in problems:
            errors[i] = csv_cell(errors[i])
        write_lines(target, block.lines, *added)
        return
    rows = block.field_rows()
    for i in wrong:
        rows[i] = (rows[i] + [""] * width)[:width]
    if len(keep) != width:
        rows = [[row[k] for k in keep] for row in rows]
    for row, extra in zip(rows, zip(*added, strict=True), strict=True):
        row.extend(extra)
    writer.writerows(rows)


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
    from kneadwell.outcomes.growth.textbatch import parse_date, parse_float

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
                    day = parse_date(text)
                    dates[text] = None if day is None else epoch + dt.timedelta(days=day)
                date = dates[text]
                weight = parse_float(fields[weight_pos])
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


def _number_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


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
