"""Pure glue between the instrument catalogue and the growth maths: which instruments are growth
measurements (those whose data says `growth:`), the words and sources shown next to growth figures, and how
values are displayed.

No Django import. The words are English; they are marked for translation (`core.marking`) and translated
where they are shown (`outcomes/growth_words.py`). Source numbers (S65 ...) are those of
shared/brief/research/clinical-facts.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from kneadwell.core.marking import gettext, gettext_noop, ngettext
from kneadwell.outcomes import instruments
from kneadwell.outcomes.growth.references import METHOD_UNITS, REFERENCE_TITLES, REFERENCES
from kneadwell.outcomes.growth.velocity import VELOCITY_METHODS, VelocityMethod
from kneadwell.outcomes.instruments import Instrument

# The growth measures' names (the instrument catalogue's `short_name`), marked here so that the pages
# showing them can translate them (`growth_words.measure_name`).
GROWTH_MEASURE_NAMES: Final = (
    gettext_noop("Weight"),
    gettext_noop("Length/height"),
    gettext_noop("Head circumference"),
    # and their full names (`name`), as the client page's latest entries show them
    gettext_noop("Body weight"),
    gettext_noop("Length or height"),
    gettext_noop("Head circumference (occipitofrontal)"),
)

# The growth package's method whose series the velocity maths reads (grams per kilogram per day).
VELOCITY_GROWTH_METHOD: Final = "weight"


def growth_instruments() -> tuple[Instrument, ...]:
    """The growth measures (instruments whose data has `growth:`), in their stated order (weight first).
    Each is checked: its method is one the growth references have, and it is stored in that method's unit
    (kg, cm), so a slip in the data is an error here, never centimetres compared with a weight reference."""
    found = []
    for inst in instruments.list_instruments():
        growth = inst.growth
        if growth is None:
            continue
        if growth.method not in METHOD_UNITS:
            raise instruments.CatalogueError(
                f"{inst.id}.growth.method: {growth.method!r} is not one of {sorted(METHOD_UNITS)}"
            )
        if inst.canonical_unit != METHOD_UNITS[growth.method]:
            raise instruments.CatalogueError(
                f"{inst.id}: stored in {inst.canonical_unit}, but the {growth.method} reference uses "
                f"{METHOD_UNITS[growth.method]}"
            )
        found.append((growth.order, inst.id, inst))
    return tuple(inst for _, _, inst in sorted(found))


def growth_method(instrument_id: str) -> str | None:
    """The growth package's method (weight, height, ofc, bmi) for a growth measure; None otherwise,
    including for an id the catalogue does not hold."""
    for inst in growth_instruments():
        if inst.id == instrument_id:
            return inst.growth.method if inst.growth else None
    return None


def velocity_instrument() -> Instrument:
    """The growth measure whose series gives weight velocity."""
    for inst in growth_instruments():
        if inst.growth is not None and inst.growth.method == VELOCITY_GROWTH_METHOD:
            return inst
    raise LookupError(f"no growth measure has method {VELOCITY_GROWTH_METHOD!r}")


DEFAULT_VELOCITY_METHOD: Final[VelocityMethod] = "exponential"
VELOCITY_WINDOWS: Final[tuple[int, ...]] = (7, 14, 28, 0)  # days; 0 = every weight recorded
DEFAULT_VELOCITY_WINDOW: Final = 7


@dataclass(frozen=True)
class MethodInfo:
    label: str
    formula: str
    source: str


# Method descriptions for the screen (formulas and sources: clinical-facts §6, S69-S71).
VELOCITY_METHOD_INFO: Final[dict[str, MethodInfo]] = {
    "exponential": MethodInfo(
        gettext_noop("Exponential model (Patel)"),
        gettext_noop("1000 × ln(last weight / first weight) ÷ days, in g/kg/day"),
        gettext_noop(
            "Patel AL et al., J Perinatol 2009;29:618-622 (PMC2767524) [S69]: within 1% of the true "
            "velocity in every infant of 1000-1499 g, against 38-44% for the 2-point model; the most "
            "accurate method."
        ),
    ),
    "average-2-point": MethodInfo(
        gettext_noop("Average 2-point model"),
        gettext_noop("1000 × (last − first) ÷ ([last + first] ÷ 2 × days), in g/kg/day"),
        gettext_noop(
            "Patel AL et al., J Perinatol 2009;29:618-622 (PMC2767524) [S69]; less accurate than the "
            "exponential model over longer windows."
        ),
    ),
    "linear": MethodInfo(
        gettext_noop("Linear gain"),
        gettext_noop("(last − first) ÷ days, in g/day (no per-kilogram figure)"),
        gettext_noop("Plain weight gain per day, as reported in massage trials (e.g. Field 1986 [S34])."),
    ),
}
assert set(VELOCITY_METHOD_INFO) == set(VELOCITY_METHODS)

REGAIN_NOTE: Final = gettext_noop(
    "Starting after birth weight is regained leaves out the normal early weight loss; velocities then "
    "converge on about 15.5-15.8 g/kg/day [S71]."
)
# Shown only while the postmenstrual age is 23-36 weeks, where the goal applies [S70].
VELOCITY_GOAL_NOTE: Final = gettext_noop(
    "15-20 g/kg/day is a reasonable goal from 23 to 36 weeks postmenstrual age [S70]."
)
VELOCITY_GOAL_PMA_WEEKS: Final = (23, 36)

REFERENCE_SOURCES: Final[dict[str, str]] = {
    "uk-who": gettext_noop(
        "UK-WHO (RCPCH): UK90 data for preterm infants and at birth, the WHO 2006 standard from 2 weeks to "
        "4 years, UK90 from 4 years [S65, S66]; SDS and centiles computed with rcpchgrowth (RCPCH)."
    ),
    "who": gettext_noop(
        "WHO 2006 child growth standard (under 5 years) and WHO 2007 reference (5-19 years) [S65]; computed "
        "with rcpchgrowth. No preterm data: ages are corrected for gestation from the due date."
    ),
    "cdc": gettext_noop(
        "CDC 2000 growth charts, with the WHO 2006 standard under 2 years as rcpchgrowth applies it; no data "
        "before the due date."
    ),
    "trisomy-21": gettext_noop("UK Down syndrome growth charts (Styles et al. 2002), via rcpchgrowth."),
    "turners": gettext_noop(
        "Turner syndrome height reference for girls (Lyon, Preece and Grant 1985), via rcpchgrowth."
    ),
}
assert set(REFERENCE_SOURCES) == set(REFERENCES)

# UK-WHO's own advice for the smallest babies [S66].
VERY_PRETERM_NOTE: Final = gettext_noop(
    "UK-WHO advises a specialist low-birth-weight chart for babies born before 32 weeks [S66]; this chart "
    "uses the UK90 preterm data that rcpchgrowth provides."
)
AGE_CORRECTION_SOURCE: Final = gettext_noop(
    "Corrected age = chronological age − (40 weeks − gestation); postmenstrual age = gestation + "
    "chronological age (AAP 2004 [S67])."
)


def reference_choices() -> list[tuple[str, str]]:
    return [(r, REFERENCE_TITLES[r]) for r in REFERENCES]


def method_choices() -> list[tuple[str, str]]:
    return [(m, VELOCITY_METHOD_INFO[m].label) for m in VELOCITY_METHODS]


def window_label(days: int) -> str:
    """The velocity window in words, in the language in force (English without Django)."""
    if days == 0:
        return gettext("all weights")
    return ngettext("last %(days)s day", "last %(days)s days", days) % {"days": days}


def is_reference(value: str) -> bool:
    return value in REFERENCES


def format_number(value: float, decimals: int) -> str:
    """A measured value with the decimals its unit takes (trailing zeros kept: 1.450 kg is precise)."""
    return f"{value:.{max(decimals, 0)}f}"


def measure_formatter(instrument: Instrument, *, age_days: int) -> Callable[[float], str]:
    """How stored values (canonical unit) are written for a client of this age: in the unit the data gives
    for the age (a baby's weight in whole grams, "1 450 g"), with that unit's decimals; thousands grouped
    with a space. Looked up once for a whole series."""
    unit = instrument.unit_for_age(age_days)
    spec = {str(u["unit"]): u for u in instrument.extra.get("units", ())}.get(unit)
    factor = float(spec["factor"]) if spec else 1.0
    decimals = max(int(spec["decimals"]) if spec else 2, 0)

    def write(value: float) -> str:
        return f"{f'{value / factor:,.{decimals}f}'.replace(',', ' ')} {unit}".strip()

    return write


def format_measure(instrument: Instrument, value: float, *, age_days: int) -> str:
    """One stored value as a person reads it at this age (see measure_formatter)."""
    return measure_formatter(instrument, age_days=age_days)(value)


def format_weight(kg: float, *, grams: bool) -> str:
    """Weight for display: whole grams for babies, kg with 3 decimals otherwise."""
    return f"{round(kg * 1000):,} g".replace(",", " ") if grams else f"{kg:.3f} kg"
