"""What the rest of Kneadwell asks an instrument, read from its catalogue entry (pure: no Django).

Pages, reports, exports and services never test an instrument's id: they ask the instrument whether it is
a growth measure, which chart shows it, how it is scored, how it is coded in FHIR, where it is listed...
Each answer comes from an optional key of the instrument's YAML entry (the loader keeps keys it does not
know in `extra`); a missing key gives the default written here, so most instruments need none of them.
Keys and defaults are listed in docs/instruments.md ("Adding an instrument").

The keys are checked when the `Instrument` is built, so a slip in the data stops the catalogue from
loading instead of reaching a client's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Chart(StrEnum):
    """How an instrument's course over time is charted and tabled."""

    TOTAL = "total"  # the total on the whole scale, with band lines
    GRADES = "grades"  # one ordinal grade per site and side (Modified Ashworth's 0-5 code)
    PERCENT_OF_NORMAL = "percent_of_normal"  # range of motion against the normal end value
    DOMAINS = "domains"  # each domain's score, any motor total, and the total (Fugl-Meyer)
    DIARY = "diary"  # daily minutes of crying and fussing, with the colic criteria
    VALUE = "value"  # a measured value in its unit
    GOALS = "goals"  # one line per goal (goal attainment levels), with the GAS T-score across goals
    PERCENT_OF_BEST = "percent_of_best"  # a measured value as % of the client's own best (peak flow)


# Kind -> chart when the entry names none (the kind values of model.Kind).
DEFAULT_CHART: Mapping[str, Chart] = MappingProxyType(
    {
        "item_sum": Chart.TOTAL,
        "category": Chart.TOTAL,
        "grade": Chart.GRADES,
        "measurement": Chart.VALUE,
        "range_of_motion": Chart.PERCENT_OF_NORMAL,
        "diary": Chart.DIARY,
    }
)

# FHIR Observation categories an instrument may name (HL7 observation-category codes).
OBSERVATION_CATEGORIES = frozenset({"vital-signs", "survey", "exam", "laboratory"})
# Facts about the client that an entry form may fill in for an item (`prefill`).
PREFILL_FACTS = frozenset({"age_years"})


class TraitError(ValueError):
    """An instrument's descriptive keys are malformed (a catalogue data slip)."""


@dataclass(frozen=True)
class Coding:
    """An external code (LOINC ...) for FHIR; interop checks it against its table of verified codes."""

    system: str
    code: str
    display: str = ""


@dataclass(frozen=True)
class FhirMethod:
    """The code used when a measurement was taken one way (recumbent length, standing height)."""

    codes: tuple[Coding, ...]
    name: str  # what a person reads, e.g. on the import preview: "Length (lying)"


@dataclass(frozen=True)
class Fhir:
    """How the instrument is written as a FHIR Observation, and whether a received one is imported."""

    category: str
    codes: tuple[Coding, ...] = ()
    text: str = ""
    by_method: Mapping[str, FhirMethod] = field(default_factory=lambda: MappingProxyType({}))
    importable: bool = False
    import_codes: tuple[Coding, ...] = ()  # codes read on import but never written


@dataclass(frozen=True)
class MethodByAge:
    """Which of the instrument's `methods` is usual at an age: `under` below `under_days`, `over` after
    (recumbent length under 2 years, standing height after). The form's default and FHIR's guess when no
    method was recorded."""

    under_days: int
    under: str
    over: str

    def at(self, age_days: int) -> str:
        return self.under if age_days < self.under_days else self.over


@dataclass(frozen=True)
class Growth:
    """A growth measure: compared with growth references (SDS, centiles) by the growth package's method
    (weight, height, ofc or bmi); `order` places it among the others (weight first)."""

    method: str
    order: int = 0


@dataclass(frozen=True)
class Listing:
    """Where the "add a measurement" page lists the instrument: its group, and its place (groups come in
    the order of their lowest-placed instrument)."""

    group: str
    order: int


@dataclass(frozen=True)
class YoungUnit:
    """The unit a measurement is entered and shown in for clients younger than `under_days` (grams for
    babies' weights)."""

    unit: str
    under_days: int


@dataclass(frozen=True)
class TotalDisplay:
    """How a total is written when it is not a score out of a maximum (diary minutes)."""

    suffix: str
    decimals: int = 0


@dataclass(frozen=True)
class Traits:
    scoring: str
    chart: Chart
    short_name: str
    listing: Listing
    growth: Growth | None = None
    young_unit: YoungUnit | None = None
    method_by_age: MethodByAge | None = None
    fhir: Fhir | None = None
    total_display: TotalDisplay | None = None
    inline_options: bool = False
    prefill: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The instrument's own version (items, options, bands, scoring data): stored on every measurement it
    # scores, so a later change to the instrument never passes for the one a result was scored with.
    version: str = "1"


OTHER_GROUP = "Other"
UNLISTED_ORDER = 10_000


def _map(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise TraitError(f"{where}: expected a mapping, got {raw!r}")
    return raw


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise TraitError(f"{where}: expected text, got {raw!r}")
    return raw


def _int(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TraitError(f"{where}: expected a whole number, got {raw!r}")
    return raw


def _codings(raw: Any, where: str) -> tuple[Coding, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise TraitError(f"{where}: expected a list of codes")
    out = []
    for n, c in enumerate(raw):
        c = _map(c, f"{where}[{n}]")
        out.append(
            Coding(
                _text(c.get("system"), f"{where}[{n}].system"),
                _text(str(c.get("code") or ""), f"{where}[{n}].code"),
                str(c.get("display") or ""),
            )
        )
    return tuple(out)


def _fhir(raw: Any, where: str) -> Fhir:
    raw = _map(raw, where)
    category = _text(raw.get("category"), f"{where}.category")
    if category not in OBSERVATION_CATEGORIES:
        raise TraitError(f"{where}.category: {category!r} is not one of {sorted(OBSERVATION_CATEGORIES)}")
    methods = {}
    for key, value in _map(raw.get("by_method") or {}, f"{where}.by_method").items():
        at = f"{where}.by_method.{key}"
        entry = _map(value, at)
        name = _text(entry.get("name"), f"{at}.name")
        methods[str(key)] = FhirMethod(_codings(entry.get("codes"), at), name)
    return Fhir(
        category=category,
        codes=_codings(raw.get("codes"), f"{where}.codes"),
        text=str(raw.get("text") or ""),
        by_method=MappingProxyType(methods),
        importable=bool(raw.get("import", False)),
        import_codes=_codings(raw.get("import_codes"), f"{where}.import_codes"),
    )


def _sub(extra: Mapping[str, Any], key: str, iid: str) -> tuple[Mapping[str, Any], str] | None:
    """An optional mapping key and the place to name in messages (None when the key is absent)."""
    if extra.get(key) is None:
        return None
    return _map(extra[key], f"{iid}.{key}"), f"{iid}.{key}"


def read_traits(iid: str, name: str, kind: str, extra: Mapping[str, Any]) -> Traits:
    """The instrument's traits from its entry's extra keys, with defaults for those it leaves out."""
    scoring = _text(extra.get("scoring", kind), f"{iid}.scoring")
    chart_raw = extra.get("chart")
    try:
        chart = DEFAULT_CHART[kind] if chart_raw is None else Chart(chart_raw)
    except ValueError:
        raise TraitError(f"{iid}.chart: {chart_raw!r} is not one of {[c.value for c in Chart]}") from None
    if chart is Chart.DOMAINS and not extra.get("domains"):
        raise TraitError(f"{iid}: a domains chart needs a `domains` list")
    listing = Listing(OTHER_GROUP, UNLISTED_ORDER)
    if found := _sub(extra, "listing", iid):
        raw, at = found
        listing = Listing(_text(raw.get("group"), f"{at}.group"), _int(raw.get("order"), f"{at}.order"))
    growth = None
    if found := _sub(extra, "growth", iid):
        raw, at = found
        if kind != "measurement":
            raise TraitError(f"{at}: only a measurement can be a growth measure")
        growth = Growth(_text(raw.get("method"), f"{at}.method"), _int(raw.get("order", 0), f"{at}.order"))
    young = None
    if found := _sub(extra, "young_unit", iid):
        raw, at = found
        young = YoungUnit(
            _text(raw.get("unit"), f"{at}.unit"), _int(raw.get("under_days"), f"{at}.under_days")
        )
        if young.unit not in {str(u.get("unit")) for u in extra.get("units", ())}:
            raise TraitError(f"{at}: {young.unit!r} is not one of the instrument's units")
    by_age = None
    if found := _sub(extra, "method_by_age", iid):
        raw, at = found
        by_age = MethodByAge(
            _int(raw.get("under_days"), f"{at}.under_days"),
            _text(raw.get("under"), f"{at}.under"),
            _text(raw.get("over"), f"{at}.over"),
        )
        known = {str(m.get("id")) for m in extra.get("methods", ())}
        if not {by_age.under, by_age.over} <= known:
            raise TraitError(f"{at}: names a method not among the instrument's methods {sorted(known)}")
    total = None
    if found := _sub(extra, "total_display", iid):
        raw, at = found
        total = TotalDisplay(
            _text(raw.get("suffix"), f"{at}.suffix"), _int(raw.get("decimals", 0), f"{at}.decimals")
        )
    prefill = {str(k): str(v) for k, v in _map(extra.get("prefill") or {}, f"{iid}.prefill").items()}
    unknown = set(prefill.values()) - PREFILL_FACTS
    if unknown:
        facts = sorted(PREFILL_FACTS)
        raise TraitError(f"{iid}.prefill: unknown client facts {sorted(unknown)} (known: {facts})")
    version = extra.get("version", "1")
    if isinstance(version, bool) or not isinstance(version, int | str) or not 0 < len(str(version)) <= 20:
        raise TraitError(f"{iid}.version: expected a short text or whole number, got {version!r}")
    return Traits(
        version=str(version).strip(),
        scoring=scoring,
        chart=chart,
        short_name=str(extra.get("short_name") or name),
        listing=listing,
        growth=growth,
        young_unit=young,
        method_by_age=by_age,
        fhir=None if extra.get("fhir") is None else _fhir(extra["fhir"], f"{iid}.fhir"),
        total_display=total,
        inline_options=bool(extra.get("inline_options", False)),
        prefill=MappingProxyType(prefill),
    )
