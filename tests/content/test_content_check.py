"""The whole content is checked at once (what `kneadwell serve` runs before recording the version)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from kneadwell.content import check
from kneadwell.content.loader import AREAS, ContentProblem, current_version
from kneadwell.library import cli
from kneadwell.outcomes.instruments.loader import CatalogueError, load_instruments


def test_the_shipped_content_has_no_problem() -> None:
    assert check.content_problems() == []
    assert check.check_content() == current_version()


def test_the_library_command_refuses_a_problem_in_any_area(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A problem outside the library (here a citation the registry lacks, in an instrument file) stops
    # `kneadwell library` with its file and line, as it stops `kneadwell serve`.
    where = AREAS["instruments"] / "nips.yaml"
    monkeypatch.setattr(check, "check_sources", lambda: [ContentProblem(where, 7, "cites source 'S999'")])
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["library"])
    assert args.func(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"{where}:7: cites source 'S999'"]


def test_a_broken_instrument_is_named_by_file_and_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    copy = tmp_path / "catalogue"
    shutil.copytree(AREAS["instruments"], copy)
    flacc = copy / "flacc.yaml"
    text = flacc.read_text(encoding="utf-8")
    old = "score_range: [0, 10]"
    assert text.count(old) == 1
    flacc.write_text(text.replace(old, "score_range: [0, 12]"), encoding="utf-8")
    monkeypatch.setitem(AREAS, "instruments", copy)
    with pytest.raises(CatalogueError) as caught:
        load_instruments.__wrapped__()
    assert (caught.value.file, caught.value.line) == (flacc, 1)
    assert str(caught.value).startswith(f"{flacc}:1: flacc: ")
