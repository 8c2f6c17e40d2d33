"""The whole content is checked at once (what `kneadwell serve` runs before recording the version)."""

from __future__ import annotations

import argparse

import pytest

from kneadwell.content import check
from kneadwell.content.loader import AREAS, ContentProblem, current_version
from kneadwell.library import cli


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
