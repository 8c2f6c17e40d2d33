"""How an instrument is coded as a FHIR Observation, and which received codes are imported as which
instrument, read from the instruments' `fhir:` data (pure: no Django).

Nothing here names an instrument: a new instrument with a `fhir:` entry is exported with its codes and,
when it says `import: true`, read back. External codes in the data must be codes this package has
checked (`fhir_codes.VERIFIED_CODES`, each with where it was found); a test holds the catalogue to that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from kneadwell.interop import fhir_codes
from kneadwell.outcomes import instruments
from kneadwell.outcomes.instruments import Coding, Instrument, Kind

CATEGORIES: Final[Mapping[str, fhir_codes.Code]] = {
    "vital-signs": fhir_codes.VITAL_SIGNS,
    "survey": fhir_codes.SURVEY,
    "exam": fhir_codes.EXAM,
    "laboratory": fhir_codes.LABORATORY,
}


@dataclass(frozen=True)
class ObservationCoding:
    codes: tuple[fhir_codes.Code, ...]  # external codes; the caller adds the local instrument code
    category: fhir_codes.Code
    text: str


def _code(c: Coding) -> fhir_codes.Code:
    return fhir_codes.Code(c.system, c.code, c.display)


def observation_coding(instrument: Instrument, *, method: str, age_days: int) -> ObservationCoding:
    """The codes, category and text of an Observation of this instrument. `method` is the recorded way of
    measuring ("" when none): without one, the instrument's usual method at that age is coded."""
    fhir = instrument.fhir
    if fhir is None:
        # No coding in the data: a measured value is a vital sign, a scored instrument a survey.
        category = fhir_codes.VITAL_SIGNS if instrument.kind is Kind.MEASUREMENT else fhir_codes.SURVEY
        return ObservationCoding((), category, instrument.name)
    category = CATEGORIES[fhir.category]
    if fhir.by_method:
        if method not in fhir.by_method:
            method = instrument.method_for_age(age_days)
        chosen = fhir.by_method.get(method)
        if chosen is not None and chosen.codes:
            external = tuple(_code(c) for c in chosen.codes)
            return ObservationCoding(external, category, external[0].display or chosen.name)
    external = tuple(_code(c) for c in fhir.codes)
    return ObservationCoding(external, category, fhir.text or instrument.name)


@dataclass(frozen=True)
class Importable:
    instrument_id: str
    method: str  # "" when the code does not say how it was measured
    name: str  # what the import preview calls it


def import_table() -> dict[tuple[str, str], Importable]:
    """(system, code) -> what a received Observation with that code is imported as, for every instrument
    whose data says `import: true` (its written codes, its methods' codes and its `import_codes`)."""
    table: dict[tuple[str, str], Importable] = {}
    for inst in instruments.list_instruments():
        fhir = inst.fhir
        if fhir is None or not fhir.importable:
            continue
        for c in (*fhir.codes, *fhir.import_codes):
            table[(c.system, c.code)] = Importable(inst.id, "", inst.short_name)
        for method, entry in fhir.by_method.items():
            for c in entry.codes:
                table[(c.system, c.code)] = Importable(inst.id, method, entry.name)
    return table


def import_units(instrument: Instrument) -> frozenset[str]:
    """Units accepted on import: those the instrument itself accepts, so the same validation applies."""
    return frozenset(str(u["unit"]) for u in instrument.extra.get("units", ()))


def written_not_imported() -> frozenset[tuple[str, str]]:
    """Codes we write but do not read back (a score total cannot be re-scored without its items): the
    import preview lists them as "not imported" instead of refusing the Bundle."""
    found = set()
    for inst in instruments.list_instruments():
        fhir = inst.fhir
        if fhir is not None and not fhir.importable:
            found |= {(c.system, c.code) for c in fhir.codes}
            found |= {(c.system, c.code) for m in fhir.by_method.values() for c in m.codes}
    return frozenset(found)


def import_description() -> str:
    """What a Bundle's measurements may be, for the message about an unknown code."""
    by_instrument: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for (system, code), found in import_table().items():
        names.setdefault(found.instrument_id, instruments.get_instrument(found.instrument_id).short_name)
        label = "LOINC " + code if system == fhir_codes.LOINC else f"{system}|{code}"
        by_instrument.setdefault(found.instrument_id, []).append(label)
    return ", ".join(f"{names[i].lower()} ({', '.join(c)})" for i, c in by_instrument.items())


def unverified_codes() -> list[str]:
    """External codes in the catalogue that fhir_codes has not checked (should be none)."""
    verified = {(c.system, c.code, c.display) for c in fhir_codes.VERIFIED_CODES}
    problems = []
    for inst in instruments.list_instruments():
        fhir = inst.fhir
        if fhir is None:
            continue
        every = (*fhir.codes, *fhir.import_codes, *(c for m in fhir.by_method.values() for c in m.codes))
        for c in every:
            if (c.system, c.code, c.display) not in verified:
                problems.append(f"{inst.id}: {c.system}|{c.code} {c.display!r}")
    return problems
