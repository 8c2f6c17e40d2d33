"""The outcome instruments' words in another language, for showing (docs/languages.md, "Clinical content").

The instruments are frozen data classes, not the content's pydantic models, so their translatable texts are
listed here, by field path, the way `content.translations.item_texts` lists a library item's:

    name                                   the instrument's name ("Bristol Stool Form Scale")
    short_name                             its short name, where the data gives one ("Blocked nose")
    measures                               what it measures, in a sentence (under its name on the pages)
    items.<id>.label / .help               an item's question and help
    items.<id>.options.<value>.label       an answer's words (the anchors: "0 - no pain")
    raw_inputs.<id>...                     the same for an input that is not scored
    sections.<id>.label, bands.<id>.label  a section's and an interpretation band's words
    categories.<id>.label                  a diary's categories ("Fussing: unsettled, not quite crying")
    total_display.suffix                   the words after a diary's total ("min crying and fussing")
    context_inputs.<id>.label / .options.<value>.label / .shown_as   who rated, and the like

The translation files are `outcomes/instruments/catalogue/translations/<language>/instruments.yaml`, read and
checked with the rest of the content's translations (`library.localise.catalogue`): same ids, same numbers.
Ids, values, units, numbers, sources and every rule of scoring stay as written: a translated copy
(`localised_instrument`) is for a page to show, never for scoring or storing. A stored measurement keeps the
instrument's id, its English band label and its English subscores; the CSV and the API answer in English.

What a parent sees (`parent_keys`): the name of every instrument in the catalogue (the "Add a measurement"
page lists them all, and the baby's page names whatever was recorded), and every text of the instruments a
parent reports on: those of the diary and parent-reported measures (`kind` "diary" or "patient_reported" in
library/content/measures.yaml) named by a programme a parent may give (`delivered_by`).

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from .model import Instrument, Item, Option

AREA = "instruments"
COLLECTION = "instruments"
# The measures a parent records themself (library/content/measures.yaml `kind`): their instruments' items,
# answers and bands are on the parent's path as well as their names.
PARENT_REPORTED_KINDS = frozenset({"diary", "patient_reported"})

Key = tuple[str, str, str, str]
Lookup = Callable[[str, str], str]  # (field path, English) -> the text to show


def _item_texts(prefix: str, item: Item, out: dict[str, str]) -> None:
    out[f"{prefix}.{item.id}.label"] = item.label
    if item.help:
        out[f"{prefix}.{item.id}.help"] = item.help
    for option in item.options:
        out[f"{prefix}.{item.id}.options.{option.value}.label"] = option.label


def instrument_texts(instrument: Instrument) -> dict[str, str]:
    """Every translatable English text of one instrument, by field path."""
    out: dict[str, str] = {"name": instrument.name, "measures": instrument.measures}
    short = instrument.extra.get("short_name")
    if isinstance(short, str) and short != instrument.name:
        out["short_name"] = short
    for item in instrument.items:
        _item_texts("items", item, out)
    for item in instrument.raw_inputs:
        _item_texts("raw_inputs", item, out)
    for section in instrument.sections:
        out[f"sections.{section.id}.label"] = section.label
    for band in instrument.bands:
        out[f"bands.{band.id}.label"] = band.label
    total_display = instrument.extra.get("total_display")
    if isinstance(total_display, Mapping) and total_display.get("suffix"):
        out["total_display.suffix"] = str(total_display["suffix"])
    categories = instrument.extra.get("categories")
    if isinstance(categories, Mapping):
        for members in categories.values():
            for category in members:
                out[f"categories.{category['id']}.label"] = str(category["label"])
    for spec in instrument.extra.get("context_inputs") or ():
        at = f"context_inputs.{spec['id']}"
        out[f"{at}.label"] = str(spec["label"])
        if spec.get("shown_as"):
            out[f"{at}.shown_as"] = str(spec["shown_as"])
        for option in spec.get("options") or ():
            out[f"{at}.options.{option['value']}.label"] = str(option["label"])
    return out


def english_index(instruments: Iterable[Instrument]) -> dict[tuple[str, str], dict[str, str]]:
    """The area's English texts, as content.translations.read_catalogue reads them: (collection, id) ->
    texts."""
    return {(COLLECTION, i.id): instrument_texts(i) for i in instruments}


# --- a translated copy, for showing ---------------------------------------------------------------------


def _item(prefix: str, item: Item, look: Lookup) -> Item:
    at = f"{prefix}.{item.id}"
    return replace(
        item,
        label=look(f"{at}.label", item.label),
        help=look(f"{at}.help", item.help) if item.help else item.help,
        options=tuple(
            Option(value=o.value, label=look(f"{at}.options.{o.value}.label", o.label)) for o in item.options
        ),
    )


def _extra(extra: Mapping[str, Any], look: Lookup) -> Mapping[str, Any]:
    changed: dict[str, Any] = dict(extra)
    if isinstance(extra.get("short_name"), str):
        changed["short_name"] = look("short_name", extra["short_name"])
    total_display = extra.get("total_display")
    if isinstance(total_display, Mapping) and total_display.get("suffix"):
        suffix = look("total_display.suffix", str(total_display["suffix"]))
        changed["total_display"] = MappingProxyType({**total_display, "suffix": suffix})
    categories = extra.get("categories")
    if isinstance(categories, Mapping):
        changed["categories"] = MappingProxyType(
            {
                kind: tuple(
                    MappingProxyType({**c, "label": look(f"categories.{c['id']}.label", str(c["label"]))})
                    for c in members
                )
                for kind, members in categories.items()
            }
        )
    if extra.get("context_inputs"):
        specs = []
        for spec in extra["context_inputs"]:
            at = f"context_inputs.{spec['id']}"
            new = {**spec, "label": look(f"{at}.label", str(spec["label"]))}
            if spec.get("shown_as"):
                new["shown_as"] = look(f"{at}.shown_as", str(spec["shown_as"]))
            if spec.get("options"):
                new["options"] = tuple(
                    MappingProxyType(
                        {**o, "label": look(f"{at}.options.{o['value']}.label", str(o["label"]))}
                    )
                    for o in spec["options"]
                )
            specs.append(MappingProxyType(new))
        changed["context_inputs"] = tuple(specs)
    return MappingProxyType(changed)


def localised_instrument(instrument: Instrument, look: Lookup) -> Instrument:
    """A copy of `instrument` with its words from `look` (which answers the English where it has no
    translation). Same id, values, ranges, bands' bounds, sources and scoring: only the words differ."""
    name = look("name", instrument.name)
    if name == instrument.name and not any(
        look(path, text) != text for path, text in instrument_texts(instrument).items()
    ):
        return instrument
    return replace(
        instrument,
        name=name,
        measures=look("measures", instrument.measures),
        items=tuple(_item("items", i, look) for i in instrument.items),
        raw_inputs=tuple(_item("raw_inputs", i, look) for i in instrument.raw_inputs),
        sections=tuple(
            replace(s, label=look(f"sections.{s.id}.label", s.label)) for s in instrument.sections
        ),
        bands=tuple(replace(b, label=look(f"bands.{b.id}.label", b.label)) for b in instrument.bands),
        extra=_extra(instrument.extra, look),
    )


def stored_band_label(instrument: Instrument, band_id: str, stored: str, look: Lookup) -> str:
    """A measurement's stored band label in the language of `look`, while it is still the band's current
    English label (a band the catalogue has since reworded is shown as it was stored)."""
    band = next((b for b in instrument.bands if b.id == band_id), None)
    if band is None or " ".join(band.label.split()) != " ".join(stored.split()):
        return stored
    return look(f"bands.{band.id}.label", stored)


# --- what a parent sees --------------------------------------------------------------------------------


def parent_reported(library: Any, instruments: Mapping[str, Instrument]) -> list[str]:
    """The instruments a parent reports on: those of the diary and parent-reported measures that the
    programmes a parent may give name as their outcomes."""
    protocols = [p for p in library.protocols.values() if "parent" in p.delivered_by]
    measures = {m for p in protocols for m in (p.outcome_measures or ())}
    found: list[str] = []
    for measure_id in sorted(measures):
        measure = library.measures.get(measure_id)
        if measure is None or measure.kind not in PARENT_REPORTED_KINDS:
            continue
        found += [i for i in (measure.instruments or ()) if i in instruments and i not in found]
    return found


def parent_keys(library: Any, instruments: Mapping[str, Instrument]) -> list[Key]:
    """Every instrument text a parent can be shown: every name, and all the words of the instruments a
    parent reports on (`parent_reported`)."""
    keys: list[Key] = []
    reported = set(parent_reported(library, instruments))
    for instrument_id in sorted(instruments):
        texts = instrument_texts(instruments[instrument_id])
        for path in texts:
            if instrument_id in reported or path in ("name", "short_name"):
                keys.append((AREA, COLLECTION, instrument_id, path))
    return keys
