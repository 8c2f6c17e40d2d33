"""Reading a measurements CSV (pure): columns, per-line problems, and the limits of a whole file."""

from __future__ import annotations

import datetime as dt

import pytest

from kneadwell.outcomes.csv_rows import COLUMNS, MAX_ROWS, CsvFileError, parse_taken_at, read_rows

HEADER = "client_ref,identifier,instrument,taken_at,value,unit,answers,context,notes,confirmed"


def test_a_value_row_and_an_answers_row_are_read() -> None:
    rows = read_rows(
        HEADER
        + "\n7,,weight,2026-11-20,1450,g,,routine,,\n"
        + ',NICU-1,nips,2026-11-20T08:30,,,"{""face"": 1}",session,crying at start,yes\n'
    )
    first, second = rows
    assert (first.line, first.client_id, first.answers, first.taken_at) == (
        2,
        7,
        {"value": "1450", "unit": "g"},
        dt.date(2026, 11, 20),
    )
    assert not first.errors
    assert second.identifier == "NICU-1"
    assert second.client_id is None
    assert second.answers == {"face": 1}
    assert second.context == "session"
    assert second.confirmed
    assert second.taken_at == dt.datetime(2026, 11, 20, 8, 30)
    assert second.notes == "crying at start"


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("x,,weight,2026-11-20,1450,g,,,,", "client_ref"),
        (",,weight,2026-11-20,1450,g,,,,", "client_ref"),
        ("7,,,2026-11-20,1450,g,,,,", "instrument"),
        ("7,,weight,20/11/2026,1450,g,,,,", "taken_at"),
        ("7,,nips,2026-11-20,,,{face: 1},,,", "answers"),
        ('7,,nips,2026-11-20,,,"[1, 2]",,,', "answers"),
        ('7,,nips,2026-11-20,1,,"{""face"": 1}",,,', "value"),
        ("7,,weight,2026-11-20,,g,,,,", "unit"),
        ("7,,weight,2026-11-20,,,,,,", "value"),
        ("7,,weight,2026-11-20,1450,g,,,,perhaps", "confirmed"),
        ("7,,weight,2026-11-20,1450", "row"),
    ],
)
def test_each_problem_is_named_by_its_column(line: str, column: str) -> None:
    (row,) = read_rows(HEADER + "\n" + line + "\n")
    assert column in row.errors, row.errors


def test_a_byte_order_mark_and_header_case_are_accepted() -> None:
    (row,) = read_rows("\ufeffClient_ID,Instrument,Taken_At,Value\n3,weight,2026-11-20,1.5\n")
    assert row.client_id == 3
    assert row.answers == {"value": "1.5"}


def test_too_many_rows_is_refused_as_a_whole() -> None:
    text = "client_id,instrument,taken_at,value\n" + "1,weight,2026-11-20,1.5\n" * (MAX_ROWS + 1)
    with pytest.raises(CsvFileError, match="split the file"):
        read_rows(text)


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(CsvFileError, match="NUL"):
        read_rows("client_id,instrument,taken_at,value\n1,weight,2026-11-20,1\x00\n")


def test_dates_and_times_are_iso() -> None:
    assert parse_taken_at(" 2026-11-20 ") == dt.date(2026, 11, 20)
    assert parse_taken_at("2026-11-20T08:30") == dt.datetime(2026, 11, 20, 8, 30)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_taken_at("20.11.2026")


def test_the_old_client_id_header_is_read_as_client_ref() -> None:
    (row,) = read_rows("client_id,instrument,taken_at,value\n3,weight,2026-11-20,1.5\n")
    assert row.client_id == 3
    assert not row.errors


def test_protected_text_cells_are_read_back_as_written() -> None:
    # The export writes identifier and notes with one leading apostrophe before formula-like text.
    (row,) = read_rows(
        "client_ref,identifier,instrument,taken_at,value,notes\n"
        "3,'=NICU-1,weight,2026-11-20,1.5,\"'=SUM(A1), then ''this'' \"\n"
    )
    assert (row.identifier, row.notes) == ("=NICU-1", "=SUM(A1), then ''this'' ")


def test_every_column_of_the_file_is_known_to_the_export() -> None:
    from kneadwell.interop import csv_io

    assert csv_io.MEASUREMENT_COLUMNS == COLUMNS
