"""Reading and writing large CSV files in blocks, fast enough that the growth command's 1,000,000 rows
take seconds (issue 11). Pure: no Django, no numpy.

Most files people hand to ``kneadwell growth`` are plain: no field is quoted. A stretch of such a file is
just lines of fields joined by commas, so one ``str.split`` over the block gives every field, a column is
a slice of that list, and each line can be written back as it was read. From the first block that holds
a double quote or a lone carriage return on, the rest of the file goes through the ``csv`` module, which
reads quoted commas and line breaks. Both ways give the same rows (a test compares them), and writing a
plain line back unchanged gives the text ``csv.writer`` would write for its fields. Windows line endings
(CR LF) count as plain.

A blank line is a row with no fields (as the ``csv`` module reads it), not a row with one empty field.

:func:`read_pieces` gives a plain stretch as its text (:class:`PlainText`), not yet split, so that the
growth command can hand it to a worker process cheaply (one string to copy, not a list of fields).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Final

BLOCK_CHARS: Final = 2_000_000  # about 80,000 growth rows of ~50 characters: ~0.1 GB of fields in memory
CSV_BLOCK_ROWS: Final = 80_000
_NEEDS_QUOTES: Final = frozenset(',"\r\n')


class CsvProblem(Exception):
    """The text is not readable as CSV; `line` is the file's line number (the header is line 1)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class Block:
    """Consecutive data rows. `lines` holds the text of each row when the block was plain (fields never
    quoted, line endings removed); `flat` holds every field in order when every row also had exactly
    `width` fields; otherwise `rows` holds each row's fields."""

    width: int
    size: int
    lines: list[str] | None = None
    flat: list[str] | None = None
    rows: list[list[str]] | None = None

    def column(self, i: int) -> Sequence[str]:
        if self.flat is not None:
            return self.flat[i :: self.width]
        assert self.rows is not None
        return [r[i] if i < len(r) else "" for r in self.rows]

    def wrong_widths(self) -> list[int]:
        """Rows (positions in the block) whose number of fields is not the header's."""
        if self.flat is not None:
            return []
        assert self.rows is not None
        return [i for i, r in enumerate(self.rows) if len(r) != self.width]

    def field_rows(self) -> list[list[str]]:
        """Every row's fields (a new list per row, safe to change)."""
        if self.rows is not None:
            return [list(r) for r in self.rows]
        assert self.flat is not None
        w = self.width
        return [self.flat[k : k + w] for k in range(0, len(self.flat), w)]


@dataclass(frozen=True)
class PlainText:
    """Consecutive data rows that hold no double quote and no lone carriage return: `text` is their lines,
    each ending in a line feed (CR LF already turned into LF). Cheap to hand to another process, which
    splits it with :func:`plain_block`."""

    text: str


def read_blocks(source: IO[str], width: int, block_chars: int | None = None) -> Iterator[Block]:
    """The data rows of `source` (opened with ``newline=""``, header already read) in blocks of about
    `block_chars` characters (default BLOCK_CHARS). Raises CsvProblem (line numbers count from the
    header, line 1) and UnicodeDecodeError."""
    for piece in read_pieces(source, width, block_chars):
        yield plain_block(piece, width) if isinstance(piece, PlainText) else piece


def read_pieces(source: IO[str], width: int, block_chars: int | None = None) -> Iterator[PlainText | Block]:
    """As :func:`read_blocks`, but a plain stretch comes as its text, not yet split into fields."""
    block_chars = block_chars or BLOCK_CHARS
    line = 1  # lines read so far
    carry = ""  # the start of a line whose end is in the next read
    while True:
        text = source.read(block_chars)
        if not text:
            break
        text = carry + text
        cut = text.rfind("\n")
        if cut < 0:
            carry = text
            continue
        body, carry = text[: cut + 1], text[cut + 1 :]
        plain = body.replace("\r\n", "\n") if "\r" in body else body
        if '"' in plain or "\r" in plain:
            # The rest of the file through the csv module, starting at this block; the partial last line
            # is completed first so that no line is cut in two.
            pending = body + carry + source.readline()
            yield from _csv_blocks(itertools.chain(io.StringIO(pending, newline=""), source), width, line)
            return
        line += plain.count("\n")
        yield PlainText(plain)
    if carry:  # the last line had no line ending
        if '"' in carry or "\r" in carry:
            yield from _csv_blocks(io.StringIO(carry, newline=""), width, line)
        else:
            yield PlainText(carry + "\n")


def plain_block(piece: PlainText, width: int) -> Block:
    return _plain_block(piece.text[:-1].split("\n"), width)


def _plain_block(lines: list[str], width: int) -> Block:
    commas = width - 1
    regular = list(map(str.count, lines, itertools.repeat(","))).count(commas) == len(lines)
    if regular and (commas or "" not in lines):  # a blank line is a row of no fields, never of one
        return Block(width, len(lines), lines=lines, flat=",".join(lines).split(","))
    return Block(width, len(lines), lines=lines, rows=[s.split(",") if s else [] for s in lines])


def _csv_blocks(text_lines: Iterator[str], width: int, lines_before: int) -> Iterator[Block]:
    reader = csv.reader(text_lines)
    while True:
        try:
            rows = list(itertools.islice(reader, CSV_BLOCK_ROWS))
        except csv.Error as exc:
            raise CsvProblem(lines_before + reader.line_num, str(exc)) from exc
        if not rows:
            return
        yield Block(width, len(rows), rows=rows)


def csv_cell(text: str) -> str:
    """`text` as one CSV field, quoted only when it must be: when it holds a comma, a double quote or a
    line break, as ``csv.writer`` does, and also for a lone carriage return, which ``csv.writer`` leaves
    bare although its reader then takes it for the end of the line."""
    if _NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def write_lines(target: IO[str], lines: Sequence[str], *columns: Sequence[str]) -> None:
    """Each of `lines` (CSV text) followed by its fields from `columns` (CSV text already), one per line."""
    target.write(joined_lines(lines, *columns))


def joined_lines(lines: Sequence[str], *columns: Sequence[str]) -> str:
    """The text :func:`write_lines` writes. The pieces are laid out in one list by slice assignment and
    joined once: about four times faster than joining each row on its own."""
    n = len(lines)
    if any(len(c) != n for c in columns):
        raise ValueError("every column needs one field per line")
    if not n:
        return ""
    step = 2 * len(columns) + 2  # line, then "," and a field per column, then the line ending
    parts: list[str] = [","] * (step * n)
    parts[0::step] = lines
    for j, column in enumerate(columns):
        parts[2 * j + 2 :: step] = column
    parts[step - 1 :: step] = ["\n"] * n
    return "".join(parts)
