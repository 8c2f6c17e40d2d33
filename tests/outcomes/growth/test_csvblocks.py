"""Reading CSV in blocks gives exactly the rows the csv module reads, whichever way a block is read
(plain text split on commas, or the csv module from the first quote on), and writing lines back gives
what csv.writer writes (outcomes/growth/csvblocks.py)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneadwell.outcomes.growth.csvblocks import CsvProblem, csv_cell, read_blocks, write_lines

PLAIN_FIELD = st.text(alphabet=st.characters(blacklist_characters=',"\r\n', blacklist_categories=("Cs",)))
ANY_FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


def csv_module_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def block_rows(text: str, width: int, block_chars: int) -> list[list[str]]:
    source = io.StringIO(text, newline="")
    rows: list[list[str]] = []
    for block in read_blocks(source, width, block_chars=block_chars):
        block_fields = block.field_rows()
        assert len(block_fields) == block.size
        rows.extend(block_fields)
    return rows


def written_by_csv_module(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(1, 5),
    data=st.data(),
    line_ending=st.sampled_from(["\n", "\r\n"]),
    final_ending=st.booleans(),
    block_chars=st.integers(1, 40),
)
def test_plain_text_is_read_as_the_csv_module_reads_it(
    width: int, data: st.DataObject, line_ending: str, final_ending: bool, block_chars: int
) -> None:
    rows = data.draw(st.lists(st.lists(PLAIN_FIELD, min_size=0, max_size=width + 1), max_size=12))
    text = line_ending.join(",".join(r) for r in rows) + (line_ending if final_ending and rows else "")
    assert block_rows(text, width, block_chars) == csv_module_rows(text)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(ANY_FIELD, min_size=1, max_size=4), min_size=1, max_size=12),
    block_chars=st.integers(1, 40),
)
def test_quoted_fields_anywhere_are_read_as_the_csv_module_reads_them(
    rows: list[list[str]], block_chars: int
) -> None:
    text = written_by_csv_module(rows)  # quotes commas, quotes and line breaks wherever they are
    assert block_rows(text, 4, block_chars) == csv_module_rows(text)


def test_a_quoted_line_break_across_a_block_boundary_stays_one_field() -> None:
    text = 'a,b\n1,2\n3,"four\nlines"\n5,6\n'
    for block_chars in range(1, len(text) + 2):
        assert block_rows(text, 2, block_chars) == [["a", "b"], ["1", "2"], ["3", "four\nlines"], ["5", "6"]]


def test_a_plain_block_keeps_its_lines_and_gives_columns_as_slices() -> None:
    blocks = list(read_blocks(io.StringIO("1,a,x\r\n2,b,y\r\n3,c,z", newline=""), 3))
    assert [b.lines for b in blocks] == [["1,a,x", "2,b,y"], ["3,c,z"]]
    assert blocks[0].column(1) == ["a", "b"]
    assert blocks[0].wrong_widths() == []


def test_rows_of_the_wrong_width_and_blank_lines_are_found() -> None:
    (block,) = read_blocks(io.StringIO("1,2\n\n3\n4,5,6\n", newline=""), 2)
    assert block.field_rows() == [["1", "2"], [], ["3"], ["4", "5", "6"]]
    assert block.wrong_widths() == [1, 2, 3]
    assert block.column(1) == ["2", "", "", "5"]


def test_broken_csv_names_the_line() -> None:
    # The csv module refuses a field longer than its limit. Lines count from the header (line 1, read
    # before the blocks), so the third data row is line 4.
    text = '1,2\n3,4\n5,"' + "x" * (csv.field_size_limit() + 1) + '"\n'
    with pytest.raises(CsvProblem) as caught:
        list(read_blocks(io.StringIO(text, newline=""), 2))
    assert caught.value.line == 4


NO_LONE_CR = st.text(alphabet=st.characters(blacklist_characters="\r", blacklist_categories=("Cs",)))


@given(fields=st.lists(NO_LONE_CR, min_size=2, max_size=5))  # one empty field alone is a row rule
def test_a_cell_is_quoted_as_csv_writer_quotes_it(fields: list[str]) -> None:
    assert ",".join(csv_cell(f) for f in fields) + "\n" == written_by_csv_module([fields])


def test_a_lone_carriage_return_is_quoted_so_that_it_reads_back_as_text() -> None:
    assert csv_module_rows("a," + csv_cell("x\ry") + "\n") == [["a", "x\ry"]]


def test_lines_are_written_with_their_added_fields() -> None:
    out = io.StringIO()
    write_lines(out, ["a,b", "c,d"], ["1", "2"], ["x", csv_cell('say "hi", then go')])
    assert out.getvalue() == 'a,b,1,x\nc,d,2,"say ""hi"", then go"\n'
    with pytest.raises(ValueError, match="one field per line"):
        write_lines(out, ["a"], ["1", "2"])
