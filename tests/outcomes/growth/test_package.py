"""The package's public names, and that the CLI module starts without the heavy imports."""

from __future__ import annotations

import subprocess
import sys

import kneadwell.outcomes.growth as growth


def test_every_public_name_resolves() -> None:
    for name in growth.__all__:
        assert getattr(growth, name) is not None
    assert growth.REFERENCES == ("uk-who", "who", "cdc", "trisomy-21", "turners")


def test_the_growth_package_imports_no_django_and_the_cli_no_scipy_or_matplotlib() -> None:
    code = (
        "import sys, kneadwell.outcomes.growth.cli; "
        "print(sorted(m for m in ('django', 'scipy', 'matplotlib', 'rcpchgrowth') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    code = (
        "import sys, kneadwell.outcomes.growth as g; g.batch_sds; g.growth_chart_svg; g.check_plausibility; "
        "g.velocity; g.ages; print('django' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(growth.__all__) == sorted(growth._EXPORTS)
