"""An organisation's own outcome measure: its definition checked, and an `Instrument` built from one
published version of it, so recording, trends, reports and exports treat it like a catalogue instrument.
Pure: no Django (the models, services and pages are in the outcomes app; docs/custom-measures.md).

Why this exists: some recognised instruments (PedsQL and the like) are licensed, so Kneadwell cannot ship
their items. A clinic that holds a licence writes its own definition here, with a note of who holds the
licence; Kneadwell stores it for that organisation alone.

A definition is a plain JSON object (what the builder page and the API send), checked by
`check_definition`, which returns the definition in its stored form (items numbered q1, q2 ..., the score
range worked out) and every problem keyed by the field it belongs to (`items.2.options`, `bands.0.maximum`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

from .model import AgeRange, Band, Direction, Instrument, Item, Kind, NumericSpec, Option
from .scale import MEAN, METHODS, SUM

# Instrument ids of organisations' measures: `org-<organisation id>-<slug>`. The organisation is part of
# the id, so a stored measurement names its measure without any context, and a lookup can refuse another
# organisation's measure (a 404) before it reads anything.
ID_PATTERN = re.compile(r"^org-([1-9][0-9]{0,11})-([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)$")
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SCORING = "item_scale"
LISTING_GROUP = "Your organisation's own measures"
LISTING_ORDER = 9000

MAX_ITEMS = 100
MAX_OPTIONS = 11
MAX_BANDS = 10
LIMITS = {
    "name": 120,
    "short_name": 40,
    "measures": 500,
    "population": 300,
    "licence": 1000,
    "sources": 3000,
    "notes": 3000,
    "item_label": 300,
    "option_label": 120,
    "band_label": 120,
    "unit": 16,
}
OPTION_VALUE_LIMIT = 10_000
NUMBER_LIMIT = 1e9

Problems = list[tuple[str, str]]


def measure_instrument_id(organisation_id: int, slug: str) -> str:
    return f"org-{organisation_id}-{slug}"


def parse_measure_id(instrument_id: str) -> tuple[int, str] | None:
    """(organisation id, slug) of an organisation's measure id; None for any other id."""
    found = ID_PATTERN.match(instrument_id)
    return (int(found.group(1)), found.group(2)) if found else None


def slug_for(text: str) -> str:
    """A short address-safe name from the measure's short name ("PedsQL 4.0" -> "pedsql-4-0")."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return slug or "measure"


def _text(
    raw: Mapping[str, Any],
    key: str,
    problems: Problems,
    *,
    where: str = "",
    required: bool = True,
    limit: str = "",
) -> str:
    name = f"{where}{key}"
    value = raw.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append((name, "Write this as text."))
        return ""
    value = value.strip()
    if required and not value:
        problems.append((name, "This is needed."))
    most = LIMITS[limit or key]
    if len(value) > most:
        problems.append((name, f"Keep this under {most} characters."))
    return value


def _number(value: object, name: str, problems: Problems) -> float | None:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        problems.append((name, "Give a number."))
        return None
    try:
        number = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.append((name, f"{value!r} is not a number."))
        return None
    if not math.isfinite(number) or abs(number) > NUMBER_LIMIT:
        problems.append((name, f"{value!r} is not a usable number."))
        return None
    return number


def _whole(value: object, name: str, problems: Problems, low: int, high: int) -> int | None:
    number = _number(value, name, problems)
    if number is None:
        return None
    if not number.is_integer() or not low <= number <= high:
        problems.append((name, f"Give a whole number from {low} to {high}."))
        return None
    return int(number)


def _options(raw: object, where: str, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append((f"{where}options", "Give at least two answers, each with its value."))
        return []
    if len(raw) > MAX_OPTIONS:
        problems.append((f"{where}options", f"Give at most {MAX_OPTIONS} answers."))
        return []
    out: list[dict[str, Any]] = []
    for n, option in enumerate(raw):
        at = f"{where}options.{n}."
        if not isinstance(option, Mapping):
            problems.append((f"{where}options", "Each answer needs a value and a label."))
            continue
        value = _whole(option.get("value"), f"{at}value", problems, -OPTION_VALUE_LIMIT, OPTION_VALUE_LIMIT)
        label = _text(option, "label", problems, where=at, limit="option_label")
        if value is not None and label:
            out.append({"value": value, "label": label})
    values = [o["value"] for o in out]
    if len(set(values)) != len(values):
        problems.append((f"{where}options", "Two answers have the same value: each needs its own."))
    return out


def _numeric(raw: object, where: str, problems: Problems) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        problems.append((f"{where}numeric", "Give the unit and the range (lowest and highest)."))
        return None
    at = f"{where}numeric."
    unit = _text(raw, "unit", problems, where=at)
    low = _number(raw.get("minimum"), f"{at}minimum", problems)
    high = _number(raw.get("maximum"), f"{at}maximum", problems)
    decimals = _whole(raw.get("decimals", 0), f"{at}decimals", problems, 0, 3)
    if low is not None and high is not None and low >= high:
        problems.append((f"{at}maximum", "The highest value must be above the lowest."))
        return None
    if low is None or high is None or decimals is None or not unit:
        return None
    return {"unit": unit, "minimum": low, "maximum": high, "decimals": decimals}


def _items(raw: object, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        problems.append(("items", "Add at least one item."))
        return []
    if len(raw) > MAX_ITEMS:
        problems.append(("items", f"A measure can have at most {MAX_ITEMS} items."))
        return []
    out: list[dict[str, Any]] = []
    for n, entry in enumerate(raw):
        at = f"items.{n}."
        if not isinstance(entry, Mapping):
            problems.append((f"items.{n}", "Each item needs a label and its answers or range."))
            continue
        item: dict[str, Any] = {
            "id": f"q{n + 1}",
            "label": _text(entry, "label", problems, where=at, limit="item_label"),
        }
        has_options = entry.get("options") not in (None, [], "")
        has_numeric = entry.get("numeric") not in (None, {}, "")
        if has_options == has_numeric:
            problems.append((f"{at}options", "Give either answers to choose from or a unit and range."))
        elif has_options:
            item["options"] = _options(entry.get("options"), at, problems)
        else:
            numeric = _numeric(entry.get("numeric"), at, problems)
            if numeric is not None:
                item["numeric"] = numeric
        item["reversed"] = entry.get("reversed") is True
        if entry.get("reversed") not in (None, True, False):
            problems.append((f"{at}reversed", "Write true or false."))
        out.append(item)
    return out


def _bounds(item: Mapping[str, Any]) -> tuple[float, float] | None:
    if item.get("numeric"):
        return float(item["numeric"]["minimum"]), float(item["numeric"]["maximum"])
    values = [float(o["value"]) for o in item.get("options") or ()]
    return (min(values), max(values)) if len(values) >= 2 else None


def score_range(items: list[dict[str, Any]], method: str) -> tuple[float, float] | None:
    """The range the total can take: the sum of the items' ranges, or for a mean the lowest and highest
    any item can give (reversing an item keeps its range)."""
    bounds = [_bounds(it) for it in items]
    if not bounds or any(b is None for b in bounds):
        return None
    lows = [b[0] for b in bounds if b]
    highs = [b[1] for b in bounds if b]
    if method == MEAN:
        return min(lows), max(highs)
    return sum(lows), sum(highs)


def _step(items: list[dict[str, Any]], method: str) -> float:
    """The smallest difference between two totals: for a sum, one unit of its finest item (1 for whole
    numbers, 0.1 with one decimal ...); for a mean (rounded to hundredths), 0.01."""
    if method == MEAN:
        return 0.01
    decimals = max((int(it["numeric"]["decimals"]) for it in items if it.get("numeric")), default=0)
    return float(10**-decimals)


def _bands(
    raw: object, span: tuple[float, float] | None, step: float, problems: Problems
) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_BANDS:
        problems.append(("bands", f"Give at most {MAX_BANDS} bands, each with a label, lowest and highest."))
        return []
    out: list[dict[str, Any]] = []
    for n, band in enumerate(raw):
        at = f"bands.{n}."
        if not isinstance(band, Mapping):
            problems.append((f"bands.{n}", "Each band needs a label, its lowest and its highest total."))
            continue
        label = _text(band, "label", problems, where=at, limit="band_label")
        low = _number(band.get("minimum"), f"{at}minimum", problems)
        high = _number(band.get("maximum"), f"{at}maximum", problems)
        if low is None or high is None or not label:
            continue
        if low > high:
            problems.append((f"{at}maximum", "The highest total of a band must not be below its lowest."))
        elif span is not None and (low < span[0] or high > span[1]):
            problems.append((f"{at}minimum", f"Keep a band within the score range {span[0]:g}-{span[1]:g}."))
        else:
            out.append({"label": label, "minimum": low, "maximum": high})
    ordered = sorted(out, key=lambda b: b["minimum"])
    for low_band, high_band in itertools.pairwise(ordered):
        if high_band["minimum"] <= low_band["maximum"]:
            problems.append(("bands", f"Bands “{low_band['label']}” and “{high_band['label']}” overlap."))
        elif high_band["minimum"] - low_band["maximum"] > step + 1e-9:
            problems.append(
                (
                    "bands",
                    f"Totals between {low_band['maximum']:g} and {high_band['minimum']:g} would fall in no "
                    f"band: let “{high_band['label']}” start at {low_band['maximum'] + step:g}.",
                )
            )
    return ordered


def check_definition(
    raw: Mapping[str, Any], *, protocol_measures: Collection[str] = ()
) -> tuple[dict[str, Any], Problems]:
    """The definition in its stored form, and every problem as (field, message). `protocol_measures`: the
    library's measure ids a definition may say it records (PedsQL's `pedsql`)."""
    problems: Problems = []
    if not isinstance(raw, Mapping):
        return {}, [("definition", "Send the definition as an object.")]
    out: dict[str, Any] = {
        "name": _text(raw, "name", problems),
        "short_name": _text(raw, "short_name", problems, required=False),
        "measures": _text(raw, "measures", problems),
        "population": _text(raw, "population", problems, required=False),
    }
    out["items"] = items = _items(raw.get("items"), problems)
    given_scoring = raw.get("scoring")
    scoring: Mapping[str, Any] = given_scoring if isinstance(given_scoring, Mapping) else {}
    method = scoring.get("method", SUM)
    if method not in METHODS:
        problems.append(("scoring.method", "Choose sum or mean."))
        method = SUM
    needed = len(items)
    if method == MEAN and scoring.get("min_answered") not in (None, ""):
        found = _whole(scoring.get("min_answered"), "scoring.min_answered", problems, 1, max(1, len(items)))
        needed = found if found is not None else needed
    out["scoring"] = {"method": method, "min_answered": needed}
    given = raw.get("items")
    span = score_range(items, method) if isinstance(given, list) and len(items) == len(given) else None
    stated = raw.get("score_range")
    if stated not in (None, "", []) and span is not None:
        if not isinstance(stated, list | tuple) or len(stated) != 2:
            problems.append(("score_range", "Give the score range as its lowest and highest total."))
        else:
            low = _number(stated[0], "score_range", problems)
            high = _number(stated[1], "score_range", problems)
            if low is not None and high is not None and (low, high) != span:
                problems.append(
                    ("score_range", f"The items give {span[0]:g}-{span[1]:g}, not {low:g}-{high:g}.")
                )
    out["score_range"] = list(span) if span is not None else None
    direction = raw.get("direction")
    if direction not in (Direction.HIGHER_BETTER.value, Direction.HIGHER_WORSE.value):
        problems.append(("direction", "Say whether a higher score is better or worse."))
    out["direction"] = direction if isinstance(direction, str) else ""
    out["bands"] = _bands(raw.get("bands"), span, _step(items, method), problems)
    out["licence"] = _text(raw, "licence", problems)
    out["sources"] = _text(raw, "sources", problems, required=False)
    out["notes"] = _text(raw, "notes", problems, required=False)
    linked = raw.get("protocol_measure") or ""
    if linked and (not isinstance(linked, str) or linked not in protocol_measures):
        problems.append(("protocol_measure", "Choose one of the programme measures listed, or none."))
        linked = ""
    out["protocol_measure"] = linked
    return out, problems


def build_instrument(
    *, instrument_id: str, version: int, definition: Mapping[str, Any], organisation: str
) -> Instrument:
    """The `Instrument` of one checked version of a definition (its stored form)."""
    items = tuple(
        Item(
            id=str(it["id"]),
            label=str(it["label"]),
            options=tuple(Option(int(o["value"]), str(o["label"])) for o in it.get("options") or ()),
            numeric=NumericSpec(
                unit=str(it["numeric"]["unit"]),
                minimum=float(it["numeric"]["minimum"]),
                maximum=float(it["numeric"]["maximum"]),
                decimals=int(it["numeric"]["decimals"]),
            )
            if it.get("numeric")
            else None,
        )
        for it in definition["items"]
    )
    scoring = definition["scoring"]
    span = definition.get("score_range") or (None, None)
    notes = [f"Defined by {organisation} (version {version}), not by Kneadwell's reviewed catalogue."]
    notes += [str(definition[k]) for k in ("sources", "notes") if definition.get(k)]
    return Instrument(
        id=instrument_id,
        name=str(definition["name"]),
        kind=Kind.ITEM_SUM,
        measures=str(definition["measures"]),
        population=str(definition.get("population") or f"As {organisation} defines it."),
        age_range=AgeRange(None, None),
        direction=Direction(definition["direction"]),
        source_ids=(),
        licence=str(definition["licence"]),
        items=items,
        bands=tuple(
            Band(f"band_{n + 1}", str(b["label"]), float(b["minimum"]), float(b["maximum"]), ())
            for n, b in enumerate(definition.get("bands") or ())
        ),
        score_min=None if span[0] is None else float(span[0]),
        score_max=None if span[1] is None else float(span[1]),
        allow_partial=int(scoring["min_answered"]) < len(items),
        notes=tuple(notes),
        extra=_frozen(
            {
                "scoring": SCORING,
                "version": str(version),
                "short_name": str(definition.get("short_name") or definition["name"]),
                "listing": {"group": LISTING_GROUP, "order": LISTING_ORDER},
                "scale": {
                    "method": str(scoring["method"]),
                    "min_answered": int(scoring["min_answered"]),
                    "reversed": [str(it["id"]) for it in definition["items"] if it.get("reversed")],
                },
                "organisation_measure": {
                    "organisation": organisation,
                    "sources": str(definition.get("sources") or ""),
                    "protocol_measure": str(definition.get("protocol_measure") or ""),
                },
            }
        ),
    )


def _frozen(value: Any) -> Any:
    """A read-only copy (built instruments are cached and shared between requests)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value
