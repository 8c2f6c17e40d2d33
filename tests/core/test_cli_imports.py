"""The command line and the URL conf import only what they use (issue 11): a one-row `kneadwell growth`
must not load the statistics, plotting or data-frame libraries, which cost seconds of start-up.

Each check runs in a fresh interpreter under `python -X importtime` and reads the modules it reports, so
the modules this test process has already imported do not hide anything. Not a timed test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kneadwell.evidence.meta import cli as meta_cli
from kneadwell.evidence.meta.effect_sizes import Measure
from kneadwell.evidence.meta.pooling import DEFAULT_METHOD, Method

HEAVY = ("scipy.stats", "statsmodels", "matplotlib", "pandas")
GROWTH_ROW = (
    "sex,birth_date,observation_date,gestation_weeks,gestation_days,measurement_method,observation_value\n"
    "female,2025-01-10,2025-03-01,34,2,weight,2.9\n"
)


def imported_modules(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter imports while running `code` (from `-X importtime`)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert any(n.startswith("kneadwell.") for n in names)  # the report was read
    return names


def heavy_among(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY))


def test_a_one_row_growth_run_imports_no_statistics_plotting_or_data_frames(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(GROWTH_ROW, encoding="utf-8")
    out = tmp_path / "out.csv"
    names = imported_modules(
        f"from kneadwell.cli import main; raise SystemExit(main(['growth', '--in', {str(source)!r}, "
        f"'--out', {str(out)!r}]))"
    )
    assert heavy_among(names) == []
    assert not any(n == "django" or n.startswith("django.") for n in names)
    assert "kneadwell.outcomes.growth.zscores" in names  # it did compute
    assert out.read_text(encoding="utf-8").splitlines()[1].endswith(",uk-who,")


def test_building_the_whole_parser_imports_no_heavy_library_and_no_django() -> None:
    names = imported_modules("from kneadwell.cli import build_parser; build_parser()")
    assert heavy_among(names) == []
    assert not any(n == "django" or n.startswith("django.") for n in names)
    assert "kneadwell.library.loader" not in names  # the content loader is the library command's alone


def test_loading_the_url_conf_imports_no_statistics_plotting_or_data_frames() -> None:
    names = imported_modules(
        "import django; django.setup(); import kneadwell.urls",
        env={"DJANGO_SETTINGS_MODULE": "kneadwell.settings"},
    )
    assert "kneadwell.evidence.views" in names
    assert heavy_among(names) == []


def test_the_meta_command_offers_exactly_the_measures_and_methods_of_the_maths() -> None:
    assert tuple(str(m) for m in Measure) == meta_cli.MEASURES
    assert str(DEFAULT_METHOD) == meta_cli.DEFAULT_METHOD
    assert set(meta_cli.RANDOM_EFFECTS_METHODS) == {str(m) for m in Method} - {str(Method.FE)}
