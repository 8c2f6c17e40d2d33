"""`kneadwell growth` and `kneadwell velocity` as a user runs them (through kneadwell.cli.main)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from kneadwell.cli import main
from kneadwell.outcomes.growth.zscores import measurement_sds

HEADER = "sex,birth_date,observation_date,gestation_weeks,gestation_days,measurement_method,observation_value"
ADDED = [
    "chronological_age_days",
    "corrected_age_days",
    "chronological_sds",
    "corrected_sds",
    "corrected_centile",
    "reference",
    "error",
]


def _run(tmp_path: Path, text: str, *args: str) -> tuple[int, list[dict[str, str]], list[str]]:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    code = main(["growth", "--in", str(source), "--out", str(out), *args])
    if not out.exists():
        return code, [], []
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return code, rows, list(reader.fieldnames or [])


def test_good_rows_get_ages_sds_and_centile_equal_to_rcpchgrowth(tmp_path: Path) -> None:
    text = "\n".join(
        [
            HEADER,
            "male,2026-01-01,2026-03-01,30,2,weight,2.0",
            "female,2025-02-10,2026-02-10,,,height,74.5",
            "female,2019-06-01,2026-03-01,,,bmi,15.2",
            "male,2024-05-05,2025-05-05,34,6,ofc,45.1",
        ]
    )
    code, rows, fields = _run(tmp_path, text)
    assert code == 0
    assert fields == HEADER.split(",") + ADDED
    assert [r["error"] for r in rows] == ["", "", "", ""]
    assert rows[0]["chronological_age_days"] == "59"
    assert rows[0]["corrected_age_days"] == "-9"
    for r in rows:
        assert r["reference"] == "uk-who"
        birth = dt.date.fromisoformat(r["birth_date"])
        seen = dt.date.fromisoformat(r["observation_date"])
        weeks = int(r["gestation_weeks"]) if r["gestation_weeks"] else None
        days = int(r["gestation_days"]) if r["gestation_days"] else None
        expected = measurement_sds(
            r["sex"], birth, seen, weeks, days, r["measurement_method"], float(r["observation_value"])
        )
        assert expected.ok
        assert float(r["corrected_sds"]) == pytest.approx(expected.corrected_sds, abs=1e-9)
        assert float(r["chronological_sds"]) == pytest.approx(expected.chronological_sds, abs=1e-9)
        assert float(r["corrected_centile"]) == pytest.approx(expected.corrected_centile, abs=1e-9)
        assert int(r["corrected_age_days"]) == expected.corrected_age_days


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("male,2026-02-30,2026-03-01,,,weight,4.0", "birth_date: '2026-02-30' is not a date"),
        ("male,2026-01-01,01/03/2026,,,weight,4.0", "observation_date: '01/03/2026' is not a date"),
        ("male,2026-01-01,2026-03-01,,,weight,4,5", "row has 8 fields"),
        ("male,2026-01-01,2026-03-01,,,weight,four", "observation_value: 'four' is not a number"),
        ("male,2026-01-01,2026-03-01,thirty,,weight,4.0", "gestation_weeks: 'thirty' is not a whole number"),
        ("male,2026-03-01,2026-01-01,,,weight,4.0", "observation_date is 59 days before birth_date"),
        ("boy,2026-01-01,2026-03-01,,,weight,4.0", "sex: 'boy' is not male or female"),
        ("male,2026-01-01,2026-03-01,,,length,55", "measurement_method: 'length' is not one of"),
        ("male,2026-01-01,2026-03-01,,,weight,0", "observation_value: 0 must be greater than 0"),
        ("male,2026-01-01,2026-03-01,,,weight,-4.2", "observation_value: -4.2 must be greater than 0"),
        ("male,2026-01-01,2026-03-01,21,3,weight,0.6", "gestation_weeks: 21 is outside 22-44 weeks"),
        ("male,2026-01-01,2026-03-01,45,0,weight,4.0", "gestation_weeks: 45 is outside 22-44 weeks"),
        ("male,2026-01-01,2026-03-01,40,9,weight,4.0", "gestation_days: 9 is outside 0-6"),
        ("male,2026-01-01,2026-03-01,,4,weight,4.0", "gestation_weeks: blank while gestation_days is given"),
        ("male,2000-01-01,2026-03-01,,,weight,70", "past the end of the UK-WHO weight data (20 years)"),
        ("male,2026-01-01,2026-01-03,40,0,bmi,12", "before the start of the UK-WHO BMI data"),
    ],
)
def test_each_kind_of_bad_row_gets_a_message_and_empty_results(tmp_path: Path, row: str, words: str) -> None:
    good = "female,2025-02-10,2026-02-10,,,height,74.5"
    code, rows, _ = _run(tmp_path, "\n".join([HEADER, good, row, good]))
    assert code == 0
    assert len(rows) == 3
    assert rows[0]["error"] == rows[2]["error"] == ""
    assert rows[0]["corrected_sds"]
    assert rows[2]["corrected_sds"]
    assert words in rows[1]["error"]
    for column in ADDED[:5]:
        assert rows[1][column] == ""


def test_other_columns_pass_through_unchanged_and_in_order(tmp_path: Path) -> None:
    text = (
        "client,note,"
        + HEADER
        + '\nA-17,"weighed after feed, nappy on",male,2026-01-01,2026-03-01,30,2,weight,2.0\n'
    )
    code, rows, fields = _run(tmp_path, text)
    assert code == 0
    assert fields[:2] == ["client", "note"]
    assert rows[0]["client"] == "A-17"
    assert rows[0]["note"] == "weighed after feed, nappy on"
    assert rows[0]["observation_value"] == "2.0"


def test_quoted_fields_and_windows_line_endings_give_the_same_results_as_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small blocks, so that a file is read partly as plain text and partly by the csv module (from the
    # first quote on), and some block ends between a carriage return and its line feed.
    from kneadwell.outcomes.growth import csvblocks

    monkeypatch.setattr(csvblocks, "BLOCK_CHARS", 61)
    fields = [
        f"c{i},male,2026-01-01,2026-03-{i + 1:02d},{30 + i % 9},{i % 7},weight,{2 + i / 10}".split(",")
        for i in range(24)
    ]
    fields[14][1] = "sideways"  # a bad row: its message holds commas and quotes

    def text(quote_from: int, ending: str) -> str:
        lines = [",".join(f if i < quote_from else f'"{f}"' for f in row) for i, row in enumerate(fields)]
        return ending.join(["client," + HEADER, *lines]) + ending

    _, expected, columns = _run(tmp_path, text(len(fields), "\n"))  # plain text only
    assert "sideways" in expected[14]["error"]
    assert expected[14]["corrected_sds"] == ""
    assert all(r["corrected_sds"] for i, r in enumerate(expected) if i != 14)
    for quote_from, ending in ((len(fields), "\r\n"), (10, "\n"), (10, "\r\n"), (0, "\n")):
        code, rows, got_columns = _run(tmp_path, text(quote_from, ending))
        assert (code, got_columns) == (0, columns)
        assert rows == expected


def test_a_field_with_a_comma_and_a_line_break_passes_through(tmp_path: Path) -> None:
    row = '"c9, twin\nB",male,2026-01-01,2026-03-01,,,weight,3'
    code, rows, _ = _run(tmp_path, "client," + HEADER + "\n" + row + "\n")
    assert code == 0
    assert rows[0]["client"] == "c9, twin\nB"
    assert rows[0]["corrected_sds"]


def test_running_again_on_its_own_output_replaces_the_results(tmp_path: Path) -> None:
    code, first, _ = _run(tmp_path, HEADER + "\nmale,2026-01-01,2026-03-01,30,2,weight,2.0\n")
    again = (tmp_path / "out.csv").read_text(encoding="utf-8")
    code2, second, fields = _run(tmp_path, again, "--reference", "uk-who")
    assert code == code2 == 0
    assert fields == HEADER.split(",") + ADDED
    assert second == first


def test_the_reference_can_be_chosen(tmp_path: Path) -> None:
    code, rows, _ = _run(
        tmp_path, HEADER + "\nfemale,2025-02-10,2026-02-10,,,height,74.5\n", "--reference", "who"
    )
    assert code == 0
    assert rows[0]["reference"] == "who"
    expected = measurement_sds(
        "female", dt.date(2025, 2, 10), dt.date(2026, 2, 10), None, None, "height", 74.5, "who"
    )
    assert float(rows[0]["corrected_sds"]) == pytest.approx(expected.corrected_sds, abs=1e-9)


def test_output_goes_to_standard_output_without_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "\nmale,2026-01-01,2026-03-01,30,2,weight,2.0\n", encoding="utf-8")
    assert main(["growth", "--in", str(source)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("reference,error")
    assert lines[1].startswith("male,2026-01-01,2026-03-01,30,2,weight,2.0,59,-9,")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ("", "empty"),
        ("name,age\nAna,3\n", "missing required column(s): sex, birth_date"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe binary", "not UTF-8"),
        ("sex\tbirth_date\tobservation_date\n", "Is it a comma-separated CSV file"),
    ],
)
def test_an_unusable_file_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, reason: str
) -> None:
    source = tmp_path / "in.csv"
    if isinstance(content, bytes):
        source.write_bytes(content)
    elif content is not None:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["growth", "--in", str(source), "--out", str(out)]) == 2
    assert reason in capsys.readouterr().err
    assert not out.exists()  # nothing half-written
    assert list(tmp_path.iterdir()) == ([source] if content is not None else [])


# --------------------------------------------------------------------------------------------------
# velocity
# --------------------------------------------------------------------------------------------------

VELOCITY_COLUMNS = [
    "client_id",
    "start_date",
    "end_date",
    "days",
    "start_weight_g",
    "end_weight_g",
    "gain_g_per_day",
    "velocity_g_kg_day",
    "method",
]

WEIGHTS = """client_id,date,weight_g
a,2026-01-01,1000
b,2026-01-01,3500
a,2026-01-15,1300
b,2026-01-03,3300
b,2026-01-08,3450
b,2026-01-12,3600
b,2026-01-20,3900
c,2026-01-01,2.5
c,2026-01-05,abc
c,2026-01-09,2600
"""


def _velocity(tmp_path: Path, *args: str, text: str = WEIGHTS) -> tuple[int, list[dict[str, str]], list[str]]:
    source = tmp_path / "w.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "v.csv"
    code = main(["velocity", "--in", str(source), "--out", str(out), *args])
    if not out.exists():
        return code, [], []
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return code, list(reader), list(reader.fieldnames or [])


def test_velocity_gives_one_row_per_client_with_the_contract_columns_first(tmp_path: Path) -> None:
    code, rows, fields = _velocity(tmp_path)
    assert code == 0
    assert fields[:9] == VELOCITY_COLUMNS
    assert fields[9:] == ["points_used", "skipped", "error"]
    assert [r["client_id"] for r in rows] == ["a", "b", "c"]
    a = rows[0]
    # 1000 g -> 1300 g in 14 days: 1000 · ln(1.3) / 14 = 18.7403 g/kg/day; 300 / 14 = 21.4286 g/day.
    assert (a["start_date"], a["end_date"], a["days"]) == ("2026-01-01", "2026-01-15", "14")
    assert (a["start_weight_g"], a["end_weight_g"]) == ("1000", "1300")
    assert float(a["velocity_g_kg_day"]) == pytest.approx(18.740304604820790)
    assert float(a["gain_g_per_day"]) == pytest.approx(21.428571428571427)
    assert a["method"] == "exponential"


def test_velocity_reports_bad_rows_and_clients_without_a_result(tmp_path: Path) -> None:
    _, rows, _ = _velocity(tmp_path)
    c = rows[2]
    assert (
        "row 9: weight_g 2.5 is not a possible weight in grams (entered in kilograms? 2500 g)" in c["skipped"]
    )
    assert "row 10: weight_g 'abc' is not a number" in c["skipped"]
    assert c["error"] == "needs weights on at least two different dates"
    assert c["velocity_g_kg_day"] == c["gain_g_per_day"] == ""


@pytest.mark.parametrize(
    ("method", "expected"),
    [("average-2-point", "18.633540372670808"), ("linear", "")],
)
def test_velocity_method_is_chosen_and_reported(tmp_path: Path, method: str, expected: str) -> None:
    _, rows, _ = _velocity(tmp_path, "--method", method)
    assert rows[0]["method"] == method
    assert rows[0]["velocity_g_kg_day"] == expected


def test_velocity_can_start_after_birth_weight_is_regained(tmp_path: Path) -> None:
    _, rows, _ = _velocity(tmp_path, "--after-regain")
    b = rows[1]
    # Client b regains 3500 g on 12 Jan (3600 g); to 3900 g on 20 Jan: 1000 · ln(3900/3600) / 8 = 10.0053.
    assert (b["start_date"], b["days"]) == ("2026-01-12", "8")
    assert float(b["velocity_g_kg_day"]) == pytest.approx(10.005338459192044)


def test_velocity_with_missing_columns_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _velocity(tmp_path, text="client,day,grams\na,1,1000\n")
    assert code == 2
    assert "missing required column(s): client_id, date, weight_g" in capsys.readouterr().err
