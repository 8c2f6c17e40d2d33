"""`kneadwell meta` end to end through the real entry point, `kneadwell.cli.main`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from kneadwell.cli import main
from kneadwell.evidence.meta import pooling
from kneadwell.evidence.meta.pooling import ConvergenceError

CONTRACT_KEYS = [
    "k",
    "measure",
    "method",
    "estimate",
    "ci_low",
    "ci_high",
    "log_estimate",
    "se",
    "tau2",
    "i2",
    "q",
    "p_value",
]


def write(tmp_path: Path, text: str, name: str = "studies.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bcg_csv(tmp_path: Path, bcg: Any) -> Path:
    lines = ["study,events_treatment,n_treatment,events_control,n_control"]
    for row in zip(
        bcg.labels, bcg.events_treatment, bcg.n_treatment, bcg.events_control, bcg.n_control, strict=True
    ):
        lines.append(",".join(f'"{v}"' if isinstance(v, str) else str(v) for v in row))
    return write(tmp_path, "\n".join(lines) + "\n")


def run_ok(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["meta", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == CONTRACT_KEYS
    return out


def run_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["meta", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_it_prints_the_published_bcg_reml_result_as_json(
    bcg_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_ok(capsys, "--in", str(bcg_csv), "--measure", "RR")
    # metafor REML on dat.bcg (Viechtbauer 2010): -0.7145 (se 0.1798), tau² 0.3132, I² 92.22%, Q 152.2330.
    assert out["k"] == 13
    assert out["measure"] == "RR"
    assert out["method"] == "REML"  # the documented default
    assert out["log_estimate"] == pytest.approx(-0.7145, abs=5e-5)
    assert isinstance(out["log_estimate"], float)
    assert out["estimate"] == pytest.approx(math.exp(out["log_estimate"]))
    assert out["ci_low"] == pytest.approx(math.exp(-1.0669), rel=1e-4)
    assert out["ci_high"] == pytest.approx(math.exp(-0.3622), rel=1e-4)
    assert out["se"] == pytest.approx(0.1798, abs=5e-5)
    assert out["tau2"] == pytest.approx(0.3132, abs=5e-5)
    assert out["i2"] == pytest.approx(92.22, abs=5e-3)
    assert out["q"] == pytest.approx(152.2330, abs=5e-5)
    assert isinstance(out["p_value"], float)
    assert out["p_value"] < 1e-4


def test_method_and_measure_are_case_insensitive_and_dl_matches_metafor(
    bcg_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_ok(capsys, "--in", str(bcg_csv), "--measure", "rr", "--method", "dl")
    assert out["method"] == "DL"
    assert out["tau2"] == pytest.approx(0.3088, abs=5e-5)
    assert out["estimate"] == pytest.approx(0.4896, abs=5e-5)


def test_paule_mandel_runs_from_the_command_line(bcg_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, "--in", str(bcg_csv), "--measure", "RR", "--method", "PM")
    assert out["tau2"] == pytest.approx(0.3181, abs=5e-5)


def test_a_continuous_table_gives_mean_differences_with_no_log_estimate(
    tmp_path: Path, normand: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["Study,Mean_Treatment,SD_Treatment,N_Treatment,Mean_Control,SD_Control,N_Control,notes"]
    for row in zip(
        normand.labels,
        normand.mean_treatment,
        normand.sd_treatment,
        normand.n_treatment,
        normand.mean_control,
        normand.sd_control,
        normand.n_control,
        strict=True,
    ):
        lines.append(",".join(str(v) for v in row) + ",ignored column")
    path = write(tmp_path, "\n".join(lines))
    out = run_ok(capsys, "--in", str(path), "--measure", "MD")
    assert out["k"] == 9
    assert out["log_estimate"] is None
    assert out["q"] == pytest.approx(238.9158, abs=5e-5)  # metadat documentation of dat.normand1999
    smd = run_ok(capsys, "--in", str(path), "--measure", "SMD")
    assert isinstance(smd["estimate"], float)
    assert smd["estimate"] < 0


def test_generic_yi_vi_for_a_ratio_are_read_as_log_ratios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "study,yi,vi\nA,-0.6931471805599453,0.04\nB,-0.6931471805599453,0.09\n")
    out = run_ok(capsys, "--in", str(path), "--measure", "OR")
    assert out["estimate"] == pytest.approx(0.5)
    assert out["log_estimate"] == pytest.approx(math.log(0.5))
    assert out["tau2"] == 0.0


def test_one_study_reports_no_heterogeneity_rather_than_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "study,yi,vi\nOnly,1.5,0.25\n")
    out = run_ok(capsys, "--in", str(path), "--measure", "MD")
    assert out["k"] == 1
    assert out["estimate"] == 1.5
    assert out["tau2"] is None
    assert out["i2"] is None
    assert out["q"] == 0.0


def test_zero_cells_are_corrected_and_said_so_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "study,events_treatment,n_treatment,events_control,n_control\n"
        "A,0,20,5,20\nB,3,25,8,24\nC,0,15,0,15\n",
    )
    assert main(["meta", "--in", str(path), "--measure", "RR"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["k"] == 2
    assert "0.5 added" in captured.err
    assert "A" in captured.err
    assert "left out" in captured.err
    assert "C" in captured.err


def test_blank_trailing_rows_from_spreadsheets_are_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "\ufeffstudy,yi,vi\nA,0.1,0.04\nB,0.3,0.05\n,,\n\n")
    assert run_ok(capsys, "--in", str(path), "--measure", "SMD")["k"] == 2


@pytest.mark.parametrize(
    ("content", "measure", "expected"),
    [
        ("", "RR", "the file is empty"),
        ("study,yi,vi\n", "RR", "no study rows"),
        ("name,yi,vi\nA,1,1\n", "RR", "no 'study' column"),
        ("study;yi;vi\nA;1;1\n", "RR", "semicolon"),
        ("study,yi,yi,vi\nA,1,1,1\n", "RR", "more than once: yi"),
        ("study,events_treatment,n_treatment\nA,1,10\n", "RR", "missing: events_control, n_control"),
        (
            "study,events_treatment,n_treatment,events_control,n_control\nA,1,10,2,10\n",
            "MD",
            "fit --measure RR, OR or RD",
        ),
        (
            "study,yi,vi\nA,0.1,0.04\nB,abc,0.05\n",
            "SMD",
            "line 3 (study 'B'), column 'yi': expected a number, got 'abc'",
        ),
        ("study,yi,vi\nA,0.1,0.04\nB,0.2,\n", "SMD", "line 3 (study 'B'), column 'vi': the cell is empty"),
        ("study,yi,vi\nA,0.1,-0.04\n", "SMD", "column 'vi': the sampling variance must be greater than 0"),
        ("study,yi,vi\nA,nan,0.04\n", "SMD", "expected a finite number"),
        ("study,yi,vi\nA,0.1,0.04,extra\n", "SMD", "line 2: 4 cells but the header has 3 columns"),
        (
            "study,events_treatment,n_treatment,events_control,n_control\nA,12,10,2,10\n",
            "OR",
            "line 2 (study 'A'), column 'events_treatment': 12 events is more than n_treatment = 10",
        ),
        (
            "study,events_treatment,n_treatment,events_control,n_control\nA,1,0,2,10\n",
            "OR",
            "column 'n_treatment': expected a whole number ≥ 1",
        ),
        (
            "study,events_treatment,n_treatment,events_control,n_control\nA,1.5,10,2,10\n",
            "RD",
            "column 'events_treatment': expected a whole number of people, got '1.5'",
        ),
        (
            "study,events_treatment,n_treatment,events_control,n_control\nA,0,10,0,10\n",
            "RR",
            "no study has information",
        ),
        (
            "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
            "A,1,0,10,2,1,10\n",
            "MD",
            "column 'sd_treatment': a standard deviation must be greater than 0",
        ),
        (
            "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
            "A,1,1,1,2,1,10\n",
            "SMD",
            "column 'n_treatment': an arm needs at least 2 people",
        ),
    ],
)
def test_an_unusable_file_or_row_exits_2_with_a_message_naming_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, measure: str, expected: str
) -> None:
    path = write(tmp_path, content)
    err = run_error(capsys, "--in", str(path), "--measure", measure)
    assert expected in err
    assert err.startswith("kneadwell meta: ")


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_error(capsys, "--in", str(tmp_path / "nope.csv"), "--measure", "RR")
    assert "no such file" in err


def test_a_file_that_is_not_utf8_text_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"study,yi,vi\n\xff\xfe\x00A,1,1\n")
    assert "not UTF-8" in run_error(capsys, "--in", str(path), "--measure", "MD")


def test_an_unknown_measure_or_method_is_an_argument_error(
    bcg_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["meta", "--in", str(bcg_csv), "--measure", "HR"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["meta", "--in", str(bcg_csv), "--measure", "RR", "--method", "FE"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_a_tau2_that_will_not_converge_exits_1_with_advice(
    bcg_csv: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise ConvergenceError("REML: τ² did not converge in 200 Fisher-scoring steps; try --method DL or PM")

    monkeypatch.setattr(pooling, "meta_analyse", fail)  # the command imports it when it runs
    assert main(["meta", "--in", str(bcg_csv), "--measure", "RR"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "try --method DL or PM" in captured.err
