"""`kneadwell library`: the JSON contract, and exit 2 with file:line on broken content."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kneadwell.cli import main
from kneadwell.library.catalog import Library

TOP_KEYS = {"techniques", "protocols", "rules"}
TECHNIQUE_KEYS = {"id", "name", "regions", "sources"}
PROTOCOL_KEYS = {"id", "name", "population", "sessions_per_day", "session_minutes", "days", "sources"}
RULE_KEYS = {"id", "action", "sources"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["library", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_the_library_in_the_contract_shape(
    capsys: pytest.CaptureFixture[str], library: Library
) -> None:
    code, out, err = run(capsys)
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert set(data) == TOP_KEYS
    assert all(set(t) == TECHNIQUE_KEYS for t in data["techniques"])
    assert all(set(p) == PROTOCOL_KEYS for p in data["protocols"])
    assert all(set(r) == RULE_KEYS for r in data["rules"])
    assert [t["id"] for t in data["techniques"]] == list(library.techniques)
    assert [p["id"] for p in data["protocols"]] == list(library.protocols)
    assert [r["id"] for r in data["rules"]] == list(library.rules)


def test_every_item_carries_sources_and_well_typed_values(
    capsys: pytest.CaptureFixture[str], library: Library
) -> None:
    data = json.loads(run(capsys)[1])
    for item in data["techniques"] + data["protocols"] + data["rules"]:
        assert item["sources"]
        assert all(isinstance(s, str) and s in library.sources for s in item["sources"])
    for t in data["techniques"]:
        assert isinstance(t["name"], str)
        assert t["regions"]
        assert all(r in library.regions for r in t["regions"])
    for p in data["protocols"]:
        assert p["population"] in library.populations
        for key in ("sessions_per_day", "days"):
            assert p[key] is None or (isinstance(p[key], int) and p[key] > 0)
        assert p["session_minutes"] is None or p["session_minutes"] > 0
    assert {r["action"] for r in data["rules"]} <= {"stop", "needs-release", "avoid-areas", "modify"}


def test_the_preterm_protocol_shows_its_dose(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys)[1])
    tks = {p["id"]: p for p in data["protocols"]}
    assert tks["preterm_tks_10d"] | {"sources": None} == {
        "id": "preterm_tks_10d",
        "name": tks["preterm_tks_10d"]["name"],
        "population": "preterm_infant",
        "sessions_per_day": 3,
        "session_minutes": 15,
        "days": 10,
        "sources": None,
    }
    assert (tks["preterm_tks_5d"]["sessions_per_day"], tks["preterm_tks_5d"]["days"]) == (3, 5)


def test_another_folder_can_be_validated(capsys: pytest.CaptureFixture[str], content_copy: Path) -> None:
    code, out, _ = run(capsys, "--content", str(content_copy))
    assert code == 0
    assert set(json.loads(out)) == TOP_KEYS


def test_broken_content_exits_2_with_file_and_line(
    capsys: pytest.CaptureFixture[str], content_copy: Path, edit_content: Any
) -> None:
    line = edit_content(
        content_copy / "techniques_iaim.yaml",
        "    sources: [IAIM-2013]\n  - id: thumb_over_thumb",
        "    sources: [NOT-A-SOURCE]\n  - id: thumb_over_thumb",
    )
    code, out, err = run(capsys, "--content", str(content_copy))
    assert code == 2
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{content_copy / 'techniques_iaim.yaml'}:{line}: ")
    assert "unknown source 'NOT-A-SOURCE'" in first


def test_the_command_and_the_screening_import_no_django(tmp_path: Path) -> None:
    # A fresh interpreter: the pure library modules must not pull in Django (fast CLI, reusable anywhere).
    script = (
        "import argparse, sys\n"
        "from kneadwell.library import cli, screening, stop_rules, bodymap, adaptation\n"
        "parser = argparse.ArgumentParser(); cli.register(parser.add_subparsers())\n"
        "args = parser.parse_args(['library']); code = args.func(args)\n"
        "assert not [m for m in sys.modules if m.startswith('django')], 'Django was imported'\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == TOP_KEYS
