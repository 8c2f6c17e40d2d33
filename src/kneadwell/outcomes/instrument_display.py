"""The outcome instruments in the page's language, for showing (docs/languages.md, "Clinical content").

The pure side is `outcomes/instruments/translations.py` (which texts, the translated copy); the
translations are read and checked with the rest of the content's (`library.localise.catalogue`); the
page's language comes from `library.display.display_language`, the one place that reads it.

A text is translated only while it equals the current English text at its place: a measurement scored
with an older wording (an organisation's measure, a reworded band) is shown as it was stored. Nothing here
is used to score or to store: the services, the CSV, the API and the clinician's report read the English
catalogue, so a measurement keeps the instrument's id and its English band label whatever the page's
language.
"""

from __future__ import annotations

from functools import cache

from kneadwell.content.translations import note_fallback
from kneadwell.core.marking import local_decimals
from kneadwell.library import localise
from kneadwell.library.display import display_language
from kneadwell.outcomes import instruments
from kneadwell.outcomes.instruments import Instrument, InstrumentValidationError
from kneadwell.outcomes.instruments.loader import load_instruments
from kneadwell.outcomes.instruments.translations import (
    AREA,
    COLLECTION,
    Lookup,
    instrument_texts,
    localised_instrument,
    stored_band_label,
)
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.selectors.display import display_value


def _lookup(language: str, instrument_id: str) -> Lookup:
    """(field path, English) -> the translation, while the English is the catalogue's current text."""
    found = load_instruments().get(instrument_id)
    current = instrument_texts(found) if found is not None else {}
    catalogue = localise.catalogue(language)

    def look(path: str, english: str) -> str:
        if " ".join(current.get(path, "").split()) != " ".join(english.split()):
            return english  # not this catalogue's current text (stored earlier, or an organisation's own)
        entry = catalogue.entry(AREA, COLLECTION, instrument_id, path)
        if entry is None:
            note_fallback(language, (AREA, COLLECTION, instrument_id, path))
            return english
        return entry.text

    return look


@cache
def _catalogue_instrument_in(language: str, instrument_id: str) -> Instrument:
    return localised_instrument(load_instruments()[instrument_id], _lookup(language, instrument_id))


def shown_instrument(instrument: Instrument) -> Instrument:
    """`instrument` with its words in the page's language (itself in English, or when it has none)."""
    language = display_language()
    if language is None:
        return instrument
    if load_instruments().get(instrument.id) is instrument:
        return _catalogue_instrument_in(language, instrument.id)
    return localised_instrument(instrument, _lookup(language, instrument.id))


def shown_name(instrument_id: str) -> str:
    """An instrument's name in the page's language; an id no longer known is shown as it is."""
    try:
        return shown_instrument(instruments.get_instrument(instrument_id)).name
    except InstrumentValidationError:
        return instrument_id


def shown_value(m: Measurement) -> str:
    """A measurement's main figure as selectors.display_value words it, with the instrument's words (a
    diary total's "min crying and fussing", the stool scale's answers, who rated) in the page's language,
    and its decimals in the page's mark (core.marking.local_decimals: "42,5 cm" in Spanish). The API, the
    CSV and the clinician's report use display_value itself, which keeps the point."""
    return local_decimals(_shown_value(m))


def _shown_value(m: Measurement) -> str:
    language = display_language()
    if language is None:
        return display_value(m)
    try:
        english = instruments.get_instrument(m.instrument_id)
    except InstrumentValidationError:
        return display_value(m)
    shown = shown_instrument(english)
    if shown is english:
        return display_value(m)
    labels = m.details.get("labels")
    if m.value is None and m.total is None and isinstance(labels, dict) and labels:
        # A category scale with no total (the Amsterdam stool scale): each answer's words as stored.
        look = _lookup(language, english.id)
        values = m.details.get("values") or {}
        items = {item.id: item for item in english.items}
        words = []
        for item_id, stored in labels.items():
            item = items.get(item_id)
            value = values.get(item_id)
            words.append(
                look(f"items.{item_id}.options.{value}.label", str(stored))
                if item is not None
                else str(stored)
            )
        return "; ".join(words)
    return display_value(m, instrument=shown)


def shown_band(m: Measurement) -> str:
    """A measurement's stored band label in the page's language, while it is the band's current English."""
    language = display_language()
    if language is None or not m.band_label:
        return m.band_label
    try:
        english = instruments.get_instrument(m.instrument_id)
    except InstrumentValidationError:
        return m.band_label
    return stored_band_label(english, m.band, m.band_label, _lookup(language, english.id))
