"""Issue 10: commands that need the database say in one line what is wrong with it (unreachable or not
migrated) and exit non-zero, instead of printing a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CREATE = ["create-organisation", "--name", "X", "--admin-email", "a@example.test", "--admin-name", "A"]


def _kneadwell(args: list[str], tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=database_url, KNEADWELL_VAR_DIR=str(tmp_path), SECRET_KEY="test-" + "k" * 50)
    return subprocess.run(
        [sys.executable, "-m", "kneadwell", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [CREATE, ["backup", "--out", "b.json"]])
def test_an_unmigrated_database_is_one_line_naming_the_fix(tmp_path: Path, args: list[str]) -> None:
    line = _one_line(_kneadwell(args, tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    assert "not migrated" in line
    assert "kneadwell migrate" in line


@pytest.mark.parametrize("args", [CREATE, ["backup", "--out", "b.json"], ["serve", "--port", "18765"]])
def test_an_unreachable_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    # Port 1 on the loopback refuses at once; the password in the URL must not be printed.
    line = _one_line(_kneadwell(args, tmp_path, "postgres://kw:s3cret@127.0.0.1:1/kneadwell"))
    assert line.startswith(
        f"kneadwell {args[0]}: cannot use the postgresql database kneadwell on 127.0.0.1:1"
    )
    assert "s3cret" not in line
