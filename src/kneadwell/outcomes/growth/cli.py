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
import collections
import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Final

from kneadwell.outcomes.growth import csvblocks
from kneadwell.outcomes.growth.csvblocks import (
    Block,
    CsvProblem,
    PlainText,
    csv_cell,
    joined_lines,
    plain_block,
    read_pieces,
)
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, REFERENCES

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

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

MAX_WORKERS: Final = 4  # a block costs ~0.3 s CPU to compute and a few ms to read and write: 4 keep up
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
    growth.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help=f"processes computing blocks of a large file (default: one per idle CPU, at most {MAX_WORKERS}; "
        "1 = this process only)",
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


def _size(source: IO[str]) -> int:
    """The input's size in bytes (0 for a pipe or a terminal)."""
    try:
        status = os.fstat(source.fileno())
    except (OSError, ValueError):
        return 0
    return status.st_size if stat.S_ISREG(status.st_mode) else 0


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
    return _run(lambda: growth_file(args.input, args.out, args.reference, workers=args.workers))


def default_workers() -> int:
    """One process per CPU this process may use, at most MAX_WORKERS, and no more than the CPUs the load
    average leaves idle (as ``make -l`` does); 1 means this process alone.

    Why the load: Linux gives each session a fair share of the CPUs (autogroup scheduling), so on a busy
    machine our workers only split our own share between them, and handing blocks to them (about 0.7 s
    more CPU for a million rows, 18%) makes the run slower than one process. With an idle CPU they cut
    the wall time by a quarter or more (docs/performance.md, "CLI and CSV")."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available: assume an idle machine
        load = 0.0
    return max(1, min(cpus, MAX_WORKERS, round(cpus - load)))


def growth_file(
    input_path: str,
    output_path: str | None,
    reference: str = DEFAULT_REFERENCE,
    *,
    workers: int | None = None,
    block_chars: int | None = None,
) -> None:
    """Read `input_path` in blocks and write each block's rows with their results, in order (see
    `csvblocks` for the plain-text fast way and `textbatch` for the maths on text). With `workers` > 1
    (default: :func:`default_workers`) the plain blocks are computed in that many worker processes while
    this one reads the next blocks and writes the finished ones (see `_growth_texts`); the output is the
    same text either way."""
    from kneadwell.outcomes.growth.textbatch import Parsed  # numpy: only when a file is processed

    workers = default_workers() if workers is None else max(1, workers)
    with _open_input(input_path) as source, _no_cyclic_gc():
        try:
            header, positions = _header(csv.reader(source), input_path, GROWTH_REQUIRED)
        except UnicodeDecodeError as exc:
            raise UnusableFile(f"{input_path}: not UTF-8 text (is it a CSV file?)") from exc
        except csv.Error as exc:
            raise UnusableFile(f"{input_path}: not readable as CSV ({exc})") from exc
        names = [h.strip().lower() for h in header]
        keep = [i for i, n in enumerate(names) if n not in GROWTH_ADDED]
        job = _GrowthJob(len(header), keep, positions, reference)
        with _open_output(output_path) as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow([header[i] for i in job.keep] + list(GROWTH_ADDED))
            try:
                block_chars = block_chars or csvblocks.BLOCK_CHARS
                large = _size(source) >= 2 * block_chars
                pieces = read_pieces(source, job.width, block_chars)
                for text in _growth_texts(pieces, job, Parsed(), workers, large):
                    target.write(text)
            except UnicodeDecodeError as exc:
                raise UnusableFile(f"{input_path}: not UTF-8 text (is it a CSV file?)") from exc
            except CsvProblem as exc:
                raise UnusableFile(f"{input_path}: not readable as CSV ({exc})") from exc


@dataclass(frozen=True)
class _GrowthJob:
    width: int  # fields in the header
    keep: list[int]  # the input columns written back (not the ones the results replace)
    positions: list[int]  # where each of GROWTH_REQUIRED is
    reference: str


def _growth_texts(
    pieces: Iterator[PlainText | Block], job: _GrowthJob, parsed: Parsed, workers: int, large: bool
) -> Iterator[str]:
    """The output text of each piece, in order. Plain pieces go to `workers` processes, a few at a time so
    that memory stays bounded, when there are 2 or more: from the first piece when the file is `large`
    (the reference tables are loaded here first, so that the forked workers share them), otherwise from
    the second (a small file never starts a process). A piece read by the csv module (the file's rest
    from its first quote) is computed here once the pieces before it are written."""
    pool = None
    pending: collections.deque[Future[str]] = collections.deque()
    try:
        for number, piece in enumerate(pieces):
            if isinstance(piece, Block) or workers < 2 or (number == 0 and not large):
                while pending:
                    yield pending.popleft().result()
                block = plain_block(piece, job.width) if isinstance(piece, PlainText) else piece
                yield _growth_block_text(block, job, parsed)
                continue
            if pool is None:
                _warm_up(job.reference, parsed)
                pool = _worker_pool(workers, job)
            pending.append(pool.submit(_growth_piece_text, piece.text))
            while len(pending) > 2 * workers or (pending and pending[0].done()):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _warm_up(reference: str, parsed: Parsed) -> None:
    """One row computed and a large array formatted: loads the reference's tables (cached in the module)
    and pydantic_core before the workers fork, so that they share them instead of loading each."""
    import numpy as np

    from kneadwell.outcomes.growth.textbatch import FAST_TEXTS_FROM, float_texts, growth_texts

    row = ("female", "2025-01-10", "2025-03-01", "34", "2", "weight", "2.9")
    growth_texts([[text] for text in row], reference, {}, parsed)
    float_texts(np.zeros(FAST_TEXTS_FROM))


def _worker_pool(workers: int, job: _GrowthJob) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: a worker starts with this process's modules and reference tables (no second start-up).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start, initargs=(job,))


_worker_job: _GrowthJob | None = None
_worker_parsed: Parsed | None = None


def _worker_start(job: _GrowthJob) -> None:
    import signal

    from kneadwell.outcomes.growth.textbatch import Parsed

    # Ctrl-C reaches the whole process group: the main process stops the run (and the pool) alone,
    # instead of every worker printing its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker_job, _worker_parsed
    _worker_job, _worker_parsed = job, Parsed()


def _growth_piece_text(text: str) -> str:
    """In a worker: the output text of one plain piece."""
    assert _worker_job is not None
    assert _worker_parsed is not None
    return _growth_block_text(plain_block(PlainText(text), _worker_job.width), _worker_job, _worker_parsed)


def _growth_block_text(block: Block, job: _GrowthJob, parsed: Parsed) -> str:
    from kneadwell.outcomes.growth.textbatch import growth_texts

    width, keep = job.width, job.keep
    problems: dict[int, list[str]] = {}
    wrong = block.wrong_widths()
    for i in wrong:
        # A row of the wrong length: its fields cannot be trusted to be in their columns.
        assert block.rows is not None
        problems[i] = [f"row has {len(block.rows[i])} fields but the header has {width}"]
    added = growth_texts([block.column(p) for p in job.positions], job.reference, problems, parsed)
    if block.lines is not None and not wrong and len(keep) == width:
        # Plain text, every row whole and kept: write each line back as it was read.
        errors = added[-1]
        for i in problems:
            errors[i] = csv_cell(errors[i])
        return joined_lines(block.lines, *added)
    rows = block.field_rows()
    for i in wrong:
        rows[i] = (rows[i] + [""] * width)[:width]
    if len(keep) != width:
        rows = [[row[k] for k in keep] for row in rows]
    for row, extra in zip(rows, zip(*added, strict=True), strict=True):
        row.extend(extra)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


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
