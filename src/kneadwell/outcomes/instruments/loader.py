"""Load the reviewed catalogue (YAML under `catalogue/`) into frozen data classes, checking it as we go.

The files are read by kneadwell.content.loader (the one reader of clinical content); the sources they cite
are entries of the one source registry (library/content/sources.yaml, kneadwell.content.sources).

The checks catch data slips before they reach a client: every cited source must exist, option values must be
unique, a section's stated maximum must equal the sum of its items' maxima, bands must not overlap and must
cover the whole score range, and the stated score range must match the items.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kneadwell.content.loader import Document, read_area
from kneadwell.content.sources import source_registry

from .model import (
    AgeRange,
    Band,
    Direction,
    Instrument,
    Item,
    Kind,
    Mcid,
    NumericSpec,
    Option,
    Section,
    Source,
)


class CatalogueError(Exception):
    """The catalogue data itself is wrong (a bug in reviewed data, not a user's input). Raised while
    loading the files, it names the file and line of the instrument (`file`, `line`, and in the message)."""

    def __init__(self, message: str, *, file: Path | None = None, line: int = 1) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


def _catalogue_files() -> Iterator[Document]:
    """Each catalogue file, parsed, in name order."""
    documents, problems = read_area("instruments")
    if problems:
        raise CatalogueError(str(problems[0]), file=problems[0].file, line=problems[0].line)
    yield from documents


def _freeze(value: Any) -> Any:
    """Deep read-only copy, so catalogue extras cannot be changed by a caller."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


@cache
def load_sources() -> Mapping[str, Source]:
    """The sources the catalogue cites: entries of the one source registry, in registry order."""
    cited: set[str] = set()
    for instrument in load_instruments().values():
        cited |= cited_source_ids(instrument)
    return MappingProxyType({sid: s for sid, s in _registry().items() if sid in cited})


@cache
def _registry() -> Mapping[str, Source]:
    """Every entry of the source registry, in the shape the instruments use (a source without a short
    label shows its citation)."""
    return MappingProxyType(
        {
            sid: Source(
                id=sid,
                short=s.short or s.citation,
                citation=s.citation,
                url=s.url or "",
                kind=s.kind or "",
                note=s.note or "",
            )
            for sid, s in source_registry().items()
        }
    )


def _ids(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise CatalogueError(f"{where}: sources must be a list of ids")
    return tuple(raw)


def _numeric(raw: Mapping[str, Any]) -> NumericSpec:
    return NumericSpec(
        unit=str(raw["unit"]),
        minimum=float(raw["minimum"]),
        maximum=float(raw["maximum"]),
        decimals=int(raw.get("decimals", 0)),
        usual_minimum=None if raw.get("usual_minimum") is None else float(raw["usual_minimum"]),
        usual_maximum=None if raw.get("usual_maximum") is None else float(raw["usual_maximum"]),
    )


def _options(raw: Any, option_sets: Mapping[str, Any], where: str) -> tuple[Option, ...]:
    if isinstance(raw, str):
        if raw not in option_sets:
            raise CatalogueError(f"{where}: unknown option set {raw!r}")
        raw = option_sets[raw]
    options = tuple(Option(value=o["value"], label=str(o["label"])) for o in raw or ())
    values = [o.value for o in options]
    if len(set(values)) != len(values):
        raise CatalogueError(f"{where}: duplicate option values {values}")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise CatalogueError(f"{where}: option values must be integers or strings, got {value!r}")
    return options


def _item(raw: Mapping[str, Any], option_sets: Mapping[str, Any], where: str) -> Item:
    item_id = str(raw["id"])
    return Item(
        id=item_id,
        label=str(raw["label"]),
        section=raw.get("section"),
        options=_options(raw.get("options"), option_sets, f"{where}.{item_id}"),
        numeric=_numeric(raw["numeric"]) if raw.get("numeric") else None,
        required=bool(raw.get("required", True)),
        help=str(raw.get("help") or ""),
        source_ids=_ids(raw.get("sources"), f"{where}.{item_id}"),
    )


def _measurement_item(raw: Mapping[str, Any]) -> Item:
    possible, usual = raw["possible"], raw.get("usual") or {}
    canonical = next(u for u in raw["units"] if u["unit"] == raw["canonical_unit"])
    return Item(
        id="value",
        label=f"{raw['name']} ({raw['canonical_unit']})",
        numeric=NumericSpec(
            unit=str(raw["canonical_unit"]),
            minimum=float(possible["min"]),
            maximum=float(possible["max"]),
            decimals=int(canonical["decimals"]),
            usual_minimum=None if usual.get("min") is None else float(usual["min"]),
            usual_maximum=None if usual.get("max") is None else float(usual["max"]),
        ),
        source_ids=_ids(raw.get("sources"), f"{raw['id']}.value"),
    )


_STRUCTURAL_KEYS = {
    "id", "name", "kind", "measures", "population", "age_range", "direction", "licence", "sources",
    "score_range", "items", "raw_inputs", "sections", "bands", "allow_partial", "mcid", "notes",
    "option_sets", "extra",
}  # fmt: skip


def _instrument(raw: Mapping[str, Any]) -> Instrument:
    iid = str(raw["id"])
    option_sets = raw.get("option_sets") or {}
    kind = Kind(raw["kind"])
    items = tuple(_item(i, option_sets, iid) for i in raw.get("items") or ())
    if kind is Kind.MEASUREMENT:
        items = (_measurement_item(raw),)
    age = raw.get("age_range") or {}
    score_range = raw.get("score_range")
    mcid_raw = raw.get("mcid")
    # Kind-specific data (grades, norms, criteria, units...) goes to `extra` for the specialised modules.
    extra = dict(raw.get("extra") or {})
    extra.update({k: v for k, v in raw.items() if k not in _STRUCTURAL_KEYS})
    return Instrument(
        id=iid,
        name=str(raw["name"]),
        kind=kind,
        measures=str(raw["measures"]),
        population=str(raw["population"]),
        age_range=AgeRange(age.get("min_days"), age.get("max_days"), str(age.get("note") or "")),
        direction=Direction(raw["direction"]),
        source_ids=_ids(raw.get("sources"), iid),
        licence=str(raw["licence"]),
        items=items,
        raw_inputs=tuple(_item(i, option_sets, iid) for i in raw.get("raw_inputs") or ()),
        sections=tuple(
            Section(
                id=str(s["id"]),
                label=str(s["label"]),
                max_score=s.get("max"),
                parent=s.get("parent"),
                source_ids=_ids(s.get("sources"), f"{iid}.{s['id']}"),
            )
            for s in raw.get("sections") or ()
        ),
        bands=tuple(
            Band(
                id=str(b["id"]),
                label=str(b["label"]),
                minimum=float(b["min"]),
                maximum=float(b["max"]),
                source_ids=_ids(b.get("sources"), f"{iid}.{b['id']}"),
            )
            for b in raw.get("bands") or ()
        ),
        score_min=None if score_range is None else float(score_range[0]),
        score_max=None if score_range is None else float(score_range[1]),
        allow_partial=bool(raw.get("allow_partial", False)),
        mcid=None
        if mcid_raw is None
        else Mcid(
            low=float(mcid_raw["low"]),
            high=float(mcid_raw["high"]),
            applies_to=str(mcid_raw["applies_to"]),
            source_ids=_ids(mcid_raw.get("sources"), f"{iid}.mcid"),
        ),
        notes=tuple(str(n) for n in raw.get("notes") or ()),
        extra=_freeze(extra),
    )


def section_items(instrument: Instrument, section_id: str) -> tuple[Item, ...]:
    """Items in a section or any section nested under it."""
    wanted = {section_id}
    changed = True
    while changed:
        changed = False
        for sec in instrument.sections:
            if sec.parent in wanted and sec.id not in wanted:
                wanted.add(sec.id)
                changed = True
    return tuple(it for it in instrument.items if it.section in wanted)


def _extra_source_ids(value: Any) -> set[str]:
    """Source ids cited anywhere inside kind-specific data (norms, criteria, bounds)."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if key == "sources" and isinstance(sub, list | tuple):
                found.update(str(s) for s in sub)
            else:
                found |= _extra_source_ids(sub)
    elif isinstance(value, list | tuple):
        for sub in value:
            found |= _extra_source_ids(sub)
    return found


def cited_source_ids(instrument: Instrument) -> set[str]:
    """Every source id the instrument cites, including those inside its kind-specific data."""
    return instrument.all_source_ids() | _extra_source_ids(instrument.extra)


def _check(instrument: Instrument, sources: Mapping[str, Source]) -> None:
    iid = instrument.id
    unknown = cited_source_ids(instrument) - set(sources)
    if unknown:
        raise CatalogueError(f"{iid}: cites unknown sources {sorted(unknown)}")
    if not instrument.source_ids:
        raise CatalogueError(f"{iid}: cites no source")
    item_ids = [it.id for it in (*instrument.items, *instrument.raw_inputs)]
    if len(set(item_ids)) != len(item_ids):
        raise CatalogueError(f"{iid}: duplicate item ids")
    section_ids = {s.id for s in instrument.sections}
    for sec in instrument.sections:
        if sec.parent is not None and sec.parent not in section_ids:
            raise CatalogueError(f"{iid}.{sec.id}: unknown parent {sec.parent}")
        if sec.max_score is not None:
            total = sum(it.max_value or 0 for it in section_items(instrument, sec.id))
            if total != sec.max_score:
                raise CatalogueError(f"{iid}.{sec.id}: stated maximum {sec.max_score}, items add to {total}")
    for it in instrument.items:
        if it.section is not None and it.section not in section_ids:
            raise CatalogueError(f"{iid}.{it.id}: unknown section {it.section}")
    if instrument.kind is Kind.ITEM_SUM and instrument.score_max is not None:
        total = sum(it.max_value or 0 for it in instrument.items)
        if total != instrument.score_max:
            raise CatalogueError(f"{iid}: stated maximum {instrument.score_max}, items add to {total}")
    if instrument.bands:
        bands = sorted(instrument.bands, key=lambda b: b.minimum)
        if instrument.score_min is not None and bands[0].minimum != instrument.score_min:
            raise CatalogueError(f"{iid}: bands do not start at the score minimum")
        if instrument.score_max is not None and bands[-1].maximum != instrument.score_max:
            raise CatalogueError(f"{iid}: bands do not end at the score maximum")
        for low, high in itertools.pairwise(bands):
            # Totals are whole numbers, so contiguous integer bands meet at +1.
            if high.minimum != low.maximum + 1:
                raise CatalogueError(f"{iid}: bands {low.id} and {high.id} overlap or leave a gap")


@cache
def load_instruments() -> Mapping[str, Instrument]:
    sources = _registry()
    instruments: dict[str, Instrument] = {}
    for document in _catalogue_files():
        raw = document.data
        listed = isinstance(raw, dict) and "instruments" in raw
        for index, entry in enumerate(raw["instruments"] if listed else [raw]):
            line = document.line_of(("instruments", index) if listed else ())
            try:
                instrument = _instrument(entry)
                if instrument.id in instruments:
                    raise CatalogueError(f"instrument id {instrument.id} defined twice")
                _check(instrument, sources)
            except (CatalogueError, KeyError, TypeError, ValueError) as exc:
                what = str(exc) if isinstance(exc, CatalogueError) else f"missing or malformed field: {exc!r}"
                where = f"{document.path}:{line}"
                raise CatalogueError(f"{where}: {what}", file=document.path, line=line) from exc
            instruments[instrument.id] = instrument
    return MappingProxyType(instruments)
