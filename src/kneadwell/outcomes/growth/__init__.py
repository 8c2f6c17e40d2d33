"""Growth maths for Kneadwell: ages, SDS and centiles, velocity, plausibility checks and growth charts.

Pure Python and numpy, no Django: usable from views, the API, reports and the CLI alike. The growth
references and their LMS data are rcpchgrowth's (RCPCH, AGPL-3.0). See docs/growth.md for the maths,
the edge rules and the sources.

Public API (importable from this package; the heavy modules load on first use):

Ages (:mod:`.ages`, AAP 2004 terms)
    ``ages(birth_date, observation_date, gestation_weeks=None, gestation_days=None) -> Ages``
        ``.chronological_days``, ``.corrected_days`` (negative before the due date), ``.postmenstrual``
        (``WeeksDays``, e.g. 38+5), ``.gestation_completed_weeks``, ``.due_date``, ``.describe()``.
    ``chronological_age_days(birth_date, observation_date) -> int``
    ``corrected_age_days(birth_date, observation_date, gestation_weeks, gestation_days=0) -> int``
    ``postmenstrual_age(birth_date, observation_date, gestation_weeks, gestation_days=0) -> WeeksDays``
    ``completed_weeks(weeks, days=0) -> int``; ``due_date(birth_date, gestation_weeks, gestation_days=0)``

SDS and centiles (:mod:`.zscores`, :mod:`.sds`, :mod:`.errors`); references ``uk-who`` (default), ``who``,
``cdc``, ``trisomy-21``, ``turners``; methods ``weight`` (kg), ``height`` (cm), ``ofc`` (cm), ``bmi`` (kg/m²)
    ``measurement_sds(sex, birth_date, observation_date, gestation_weeks, gestation_days, method, value,
    reference="uk-who") -> SdsResult``
        One measurement through rcpchgrowth's ``Measurement``. ``SdsResult``: ages in days and decimal
        years, ``chronological_sds``, ``corrected_sds``, ``chronological_centile``, ``corrected_centile``,
        ``error`` (None or words), ``advisory`` (rcpchgrowth's own warning). Gestation None = term.
    ``batch_sds(sex, birth_date, observation_date, gestation_weeks, gestation_days, method, value,
    reference="uk-who") -> BatchResult``
        The same for numpy arrays (a million rows in well under a second); equal to rcpchgrowth within
        1e-9. ``BatchResult`` holds arrays (NaN where ``error`` != 0) and ``.message(i)``/``.messages()``.
    ``sds_for_ages(reference, method_code, sex_code, age, value, days=None) -> AgeSds``
        The core at decimal ages (rcpchgrowth's ``sds_for_measurement``).
    ``value_for_sds(reference, method, sex, age, sds) -> ndarray``; ``centile_for_sds(sds) -> ndarray``

Velocity (:mod:`.velocity`)
    ``velocity(points: Iterable[WeightPoint], method="exponential" | "average-2-point" | "linear", *,
    start_after_regain=False, birth_weight_g=None, birth_date=None) -> VelocityResult``
        Raises ``VelocityError`` (a ``ValueError`` with a message in words) when there is no velocity.

Plausibility (:mod:`.plausibility`)
    ``check_plausibility(observations: Sequence[Observation], *, sex, birth_date, gestation_weeks=None,
    gestation_days=None, reference="uk-who", settings=DEFAULT_SETTINGS) -> list[Finding]``
    ``check_value(method, value, *, sex, birth_date, observation_date, gestation_weeks=None,
    gestation_days=None, reference="uk-who", settings=DEFAULT_SETTINGS) -> list[Finding]``
        ``Finding``: ``level`` ("impossible" | "implausible"), ``field``, ``message``, ``basis``,
        ``index``, ``observation_date``, ``suggested_value``, ``suggestion``.

Charts (:mod:`.chart`; the SVG: :mod:`.chart_svg`; data for the browser: :mod:`.chart_data`)
    ``centile_lines(reference, method, sex, age_start=None, age_end=None, centiles=None,
    points_per_segment=60) -> list[CentileLine]``
    ``chart_points(birth_date, measurements: Sequence[tuple[date, float]], gestation_weeks=None,
    gestation_days=None, centiles=None) -> list[ChartPoint]``
    ``growth_chart_svg(reference, method, sex, points=(), *, title=None, description=None,
    age_range=None, centiles=None, width_in=7.0, height_in=4.5) -> str``
        A self-contained, accessible SVG (``role="img"``, ``<title>``, ``<desc>``) for pages and PDFs.

CLI (:mod:`.cli`): ``kneadwell growth`` and ``kneadwell velocity`` (contract in ARCHITECTURE.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kneadwell.outcomes.growth.ages import (
        Ages,
        WeeksDays,
        ages,
        chronological_age_days,
        completed_weeks,
        corrected_age_days,
        due_date,
        postmenstrual_age,
    )
    from kneadwell.outcomes.growth.chart import CentileLine, ChartPoint, centile_lines, chart_points
    from kneadwell.outcomes.growth.chart_svg import growth_chart_svg
    from kneadwell.outcomes.growth.errors import ErrorCode
    from kneadwell.outcomes.growth.plausibility import (
        DEFAULT_SETTINGS,
        Finding,
        Observation,
        PlausibilitySettings,
        check_plausibility,
        check_value,
    )
    from kneadwell.outcomes.growth.references import METHODS, REFERENCES, SEXES
    from kneadwell.outcomes.growth.sds import centile_for_sds, sds_for_ages, value_for_sds
    from kneadwell.outcomes.growth.velocity import VelocityError, VelocityResult, WeightPoint, velocity
    from kneadwell.outcomes.growth.zscores import BatchResult, SdsResult, batch_sds, measurement_sds

_MODULES: dict[str, tuple[str, ...]] = {
    "ages": (
        "Ages",
        "WeeksDays",
        "ages",
        "chronological_age_days",
        "completed_weeks",
        "corrected_age_days",
        "due_date",
        "postmenstrual_age",
    ),
    "chart": ("CentileLine", "ChartPoint", "centile_lines", "chart_points"),
    "chart_svg": ("growth_chart_svg",),
    "plausibility": (
        "DEFAULT_SETTINGS",
        "Finding",
        "Observation",
        "PlausibilitySettings",
        "check_plausibility",
        "check_value",
    ),
    "references": ("METHODS", "REFERENCES", "SEXES"),
    "velocity": ("VelocityError", "VelocityResult", "WeightPoint", "velocity"),
    "errors": ("ErrorCode",),
    "sds": ("centile_for_sds", "sds_for_ages", "value_for_sds"),
    "zscores": ("BatchResult", "SdsResult", "batch_sds", "measurement_sds"),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "DEFAULT_SETTINGS",
    "METHODS",
    "REFERENCES",
    "SEXES",
    "Ages",
    "BatchResult",
    "CentileLine",
    "ChartPoint",
    "ErrorCode",
    "Finding",
    "Observation",
    "PlausibilitySettings",
    "SdsResult",
    "VelocityError",
    "VelocityResult",
    "WeeksDays",
    "WeightPoint",
    "ages",
    "batch_sds",
    "centile_for_sds",
    "centile_lines",
    "chart_points",
    "check_plausibility",
    "check_value",
    "chronological_age_days",
    "completed_weeks",
    "corrected_age_days",
    "due_date",
    "growth_chart_svg",
    "measurement_sds",
    "postmenstrual_age",
    "sds_for_ages",
    "value_for_sds",
    "velocity",
]


def __getattr__(name: str) -> Any:
    # Lazy: `kneadwell --help` imports the CLI module of this package and should not pay for scipy.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
