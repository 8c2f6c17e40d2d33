"""Rows of a researcher's meta-analysis: the CLI's reader, with messages naming the line or row."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneadwell.evidence.analysis_rows import (
    AnalysisError,
    analyse,
    effects_for,
    layout_of,
    rows_from_csv,
    rows_from_table,
    rows_to_csv,
)
from kneadwell.evidence.meta import Measure, meta_analyse
from kneadwell.evidence.meta.csv_input import StudyTableError, read_study_table

BINARY = (
    "study,events_treatment,n_treatment,events_control,n_control\n"
    "Aronson 1948,4,123,11,139\nFerguson & Simes 1949,6,306,29,303\nRosenthal 1960,3,231,11,220\n"
)


def test_csv_rows_are_stored_in_the_cli_shape_and_pool_as_the_cli_does(tmp_path: Path) -> None:
    rows = rows_from_csv(BINARY, "RR")
    assert rows[0] == {
        "study": "Aronson 1948",
        "events_treatment": 4,
        "n_treatment": 123,
        "events_control": 11,
        "n_control": 139,
    }
    assert layout_of(rows) == "binary"
    path = tmp_path / "bcg.csv"
    path.write_text(BINARY, encoding="utf-8")
    cli = meta_analyse(read_study_table(path, Measure.RR), "REML")
    assert analyse(effects_for(rows, "RR"), "REML").to_json_dict() == cli.to_json_dict()


def test_stored_rows_written_back_as_csv_read_the_same() -> None:
    rows = rows_from_csv(BINARY, "OR")
    assert rows_from_csv(rows_to_csv(rows), "OR") == rows


def test_a_bad_cell_names_the_line_the_study_and_the_column() -> None:
    text = "study,yi,vi\nA,0.1,0.2\nB,abc,0.3\n"
    with pytest.raises(
        StudyTableError, match=r"line 3 \(study 'B'\), column 'yi': expected a number, got 'abc'"
    ):
        rows_from_csv(text, "MD")


def test_typed_rows_are_numbered_as_the_form_numbers_them_skipping_empty_rows() -> None:
    table = [
        {"study": "A", "yi": "0.1", "vi": "0.2"},
        {"study": "", "yi": "", "vi": ""},
        {"study": "B", "yi": "0.3", "vi": "-1"},
    ]
    with pytest.raises(StudyTableError, match=r"row 3 \(study 'B'\), column 'vi'"):
        rows_from_table(table, "SMD", "generic")


def test_typed_rows_without_a_layout_use_the_columns_that_hold_values() -> None:
    rows = rows_from_table(
        [{"study": "A", "yi": 0.1, "vi": 0.2}, {"study": "B", "yi": -0.2, "vi": 0.1}], "MD"
    )
    assert rows == [{"study": "A", "yi": 0.1, "vi": 0.2}, {"study": "B", "yi": -0.2, "vi": 0.1}]


def test_the_measure_must_fit_the_columns_and_the_message_speaks_of_the_measure_not_the_cli_option() -> None:
    with pytest.raises(StudyTableError) as exc:
        rows_from_csv(BINARY, "MD")
    assert "--measure" not in str(exc.value)
    assert "the measure MD needs the continuous columns" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("study,yi,vi\nA,1,0.1\n" + "x" * 10, "1 cells but the header has 3 columns"),
        ("study,yi,vi\n" + "A" * 101 + ",1,0.1\n", "at most 100"),
        ("study,yi,vi\nA\x00,1,0.1\n", "NUL character"),
        ("study,yi,vi\n", "no study rows"),
        ("study;yi;vi\nA;1;0.1\n", "semicolon-separated"),
    ],
)
def test_unusable_tables_say_why(text: str, message: str) -> None:
    with pytest.raises(StudyTableError, match=message):
        rows_from_csv(text, "MD")


def test_a_line_break_inside_a_typed_label_is_refused() -> None:
    with pytest.raises(StudyTableError, match="row 1, column 'study': contains a line break"):
        rows_from_table([{"study": "A\nB", "yi": "1", "vi": "1"}], "MD", "generic")


def test_numbers_too_extreme_to_pool_are_refused_not_shown_as_infinity() -> None:
    rows = rows_from_csv("study,yi,vi\nA,800,0.1\nB,801,0.2\n", "RR")  # exp(800) overflows
    with pytest.raises(AnalysisError, match=r"cannot be pooled|too extreme"):
        analyse(effects_for(rows, "RR"), "REML")


def test_an_effect_that_is_not_finite_is_named() -> None:
    text = (
        "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
        "A,1e308,1,10,-1e308,1,10\nB,1,1,10,0,1,10\n"
    )
    with pytest.raises(StudyTableError, match=r"study 'A'.*not a finite number"):
        rows_from_csv(text, "MD")
