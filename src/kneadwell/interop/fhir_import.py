"""Read a FHIR R4B Bundle into an import plan: the client to create and the measurements to record.
Pure: no Django import. Saving (through the client and outcomes services, all or nothing) is
`interop.services`.

What is read:
* exactly one Patient: name (given and family), birthDate (a full date), gender (male or female — the
  growth references have no others), an identifier as the clinic number;
* Observations about that Patient, status final / amended / corrected, with effectiveDateTime and a
  valueQuantity in an accepted UCUM unit:
  weight (LOINC 29463-7; kg or g), length (8306-3 lying, 8302-2 standing; cm or mm), head circumference
  (9843-4 or 8287-5; cm or mm), gestational age at birth (76516-4; wk or d) and birth weight (8339-4;
  g or kg) — the last two fill in the client's birth details;
* Observations entered in error are left out and listed; so are codes we write but do not read back
  (score totals), Observations coded only in our own instrument code system, and other resource types
  (RelatedPerson, Consent, QuestionnaireResponse, Organization ...), each listed on the preview.

Anything else is refused with the reason, and nothing is saved: not JSON, not a Bundle, a Bundle that
fails `fhir.resources` R4B validation, no Patient or several, an unknown Observation code, a unit we do
not accept, a missing or partial date, a gender the growth references cannot use. Implausible values are
judged by the outcomes services when the plan is applied.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from kneadwell.core.marking import gettext as _
from kneadwell.core.marking import ngettext
from kneadwell.interop import fhir_codes as codes
from kneadwell.interop import fhir_instruments
from kneadwell.outcomes import instruments

MAX_BYTES: Final = 5_000_000
MAX_ENTRIES: Final = 10_000
MAX_OBSERVATIONS: Final = 5_000
MAX_REASONS: Final = 20
ACCEPTED_STATUSES: Final = frozenset({"final", "amended", "corrected"})
GENDERS: Final = frozenset({"male", "female"})
NAME_MAX: Final = 100
IDENTIFIER_MAX: Final = 64


class BundleRejected(ValueError):
    """The Bundle cannot be imported; `reasons` says why, each in words a person understands."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons[:MAX_REASONS] + (
            [_("… and %(count)s more problem(s).") % {"count": len(reasons) - MAX_REASONS}]
            if len(reasons) > MAX_REASONS
            else []
        )
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class PlannedMeasurement:
    source: str  # which entry it came from (its fullUrl or position)
    instrument_id: str  # an outcomes instrument whose FHIR data says it is imported
    answers: dict[str, Any]  # {"value": ..., "unit": ..., ["method": ...]} as the outcomes scorer takes
    taken_at: str  # ISO date or date-time with offset
    label: str  # what the person sees on the preview

    @property
    def name(self) -> str:
        return _name(self.instrument_id, str(self.answers.get("method") or ""))

    @property
    def value_text(self) -> str:
        return f"{self.answers.get('value'):g} {self.answers.get('unit', '')}".strip()

    @property
    def when(self) -> dt.date | dt.datetime:
        return (
            dt.date.fromisoformat(self.taken_at)
            if len(self.taken_at) == 10
            else dt.datetime.fromisoformat(self.taken_at)
        )


@dataclass(frozen=True)
class ImportPlan:
    given_name: str
    family_name: str
    birth_date: str  # ISO date
    sex: str
    gestation_weeks: int | None = None
    gestation_days: int | None = None
    birth_weight_g: int | None = None
    identifier: str = ""
    measurements: tuple[PlannedMeasurement, ...] = ()
    skipped: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportPlan:
        values = dict(data)
        values["measurements"] = tuple(PlannedMeasurement(**m) for m in values.get("measurements", ()))
        values["skipped"] = tuple(values.get("skipped", ()))
        return cls(**values)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def born(self) -> dt.date:
        return dt.date.fromisoformat(self.birth_date)


@dataclass
class _Reader:
    reasons: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def reject(self, message: str) -> None:
        self.reasons.append(message)


# --- the file ----------------------------------------------------------------------------------------


def _no_constants(name: str) -> Any:
    raise ValueError(_("%(name)s is not a JSON number") % {"name": name})


def _control_characters(value: Any, path: str = "") -> str | None:
    """The path of the first string holding a control character (NUL included), or None."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in item):
                return where or "(top level)"
        elif isinstance(item, dict):
            for key, sub in item.items():
                if any(ord(ch) < 32 for ch in str(key)):
                    return f"{where}.{key!r}"
                stack.append((sub, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]") for i, sub in enumerate(item))
    return None


def load_json(raw: bytes | str) -> dict[str, Any]:
    """Parse the uploaded text; refuse what is not a JSON object of a bounded size and clean text."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", errors="replace"))
    if size == 0:
        raise BundleRejected([_("The file is empty.")])
    if size > MAX_BYTES:
        raise BundleRejected([_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1_000_000}])
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BundleRejected([_("The file is not UTF-8 text, so it is not a FHIR JSON file.")]) from None
    if "\x00" in raw:
        raise BundleRejected([_("The file contains NUL characters, so it is not a FHIR JSON file.")])
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        detail = (
            _(" (%(msg)s at line %(lineno)s, column %(colno)s)")
            % {"msg": exc.msg, "lineno": exc.lineno, "colno": exc.colno}
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise BundleRejected([_("The file is not valid JSON%(detail)s.") % {"detail": detail}]) from None
    if not isinstance(data, dict):
        raise BundleRejected(
            [_("The file is JSON but not a FHIR resource (expected an object with resourceType).")]
        )
    kind = data.get("resourceType")
    if kind != "Bundle":
        shown = (
            f"a {kind}"
            if isinstance(kind, str) and kind.isalnum() and len(kind) < 60
            else _("not a FHIR resource")
        )
        raise BundleRejected(
            [_("The file is %(shown)s, not a Bundle. Export the record as a Bundle.") % {"shown": shown}]
        )
    bad = _control_characters(data)
    if bad is not None:
        raise BundleRejected(
            [_("The text at %(value)s contains control characters (such as NUL).") % {"value": bad[:120]}]
        )
    entries = data.get("entry")
    if isinstance(entries, list) and len(entries) > MAX_ENTRIES:
        raise BundleRejected(
            [
                _("The Bundle has more than %(max_entries)s entries; split it into parts.")
                % {"max_entries": MAX_ENTRIES}
            ]
        )
    return data


def _validation_reasons(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors()[:MAX_REASONS]:
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "__root__") or "Bundle"
        message = " ".join(str(err.get("msg", "is not valid")).split())
        out.append(f"{where[:200]}: {message[:300]}")
    return out or [_("The Bundle does not follow the FHIR R4B structure.")]


def validate_bundle(data: dict[str, Any]) -> None:
    """Construct the fhir.resources R4B model: the structure, types and required elements must hold."""
    try:
        Bundle.model_validate(data)
    except ValidationError as exc:
        raise BundleRejected(
            [_("The Bundle is not valid FHIR R4B: ") + r for r in _validation_reasons(exc)]
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise BundleRejected(
            [_("The Bundle is not valid FHIR R4B: %(value)s") % {"value": str(exc)[:300]}]
        ) from None


# --- resources -----------------------------------------------------------------------------------------


def _codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [
        (str(c.get("system") or ""), str(c.get("code") or ""))
        for c in concept.get("coding") or []
        if isinstance(c, dict)
    ]


def _patient(r: _Reader, resource: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    name = next((n for n in names if n.get("use") in ("official", "usual")), names[0] if names else {})
    given = " ".join(str(g).strip() for g in name.get("given") or [] if str(g).strip())
    family = str(name.get("family") or "").strip()
    if not given or not family:
        r.reject(_("The Patient needs a name with both a given name and a family name."))
    if len(given) > NAME_MAX or len(family) > NAME_MAX:
        r.reject(
            _("The Patient's names are limited to %(name_max)s characters each.") % {"name_max": NAME_MAX}
        )
    values["given_name"], values["family_name"] = given[:NAME_MAX], family[:NAME_MAX]
    gender = resource.get("gender")
    if gender not in GENDERS:
        r.reject(
            _(
                "The Patient's gender is %(value)s: the growth references Kneadwell uses need male or "
                "female, so the record cannot be imported. Add the client by hand instead."
            )
            % {"value": gender or "missing"}
        )
    values["sex"] = gender or ""
    birth = str(resource.get("birthDate") or "")
    try:
        values["birth_date"] = dt.date.fromisoformat(birth).isoformat() if len(birth) == 10 else ""
    except ValueError:
        values["birth_date"] = ""
    if not values["birth_date"]:
        r.reject(
            _("The Patient needs a full birth date (YYYY-MM-DD); got %(value)s.")
            % {"value": birth[:20] or "none"}
        )
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict) and i.get("value")]
    ours = [i for i in identifiers if i.get("system") == codes.SID_CLIENT_NUMBER]
    others = [i for i in identifiers if i.get("system") not in (codes.SID_CLIENT, codes.SID_CLIENT_NUMBER)]
    chosen = (ours or others or [{}])[0]
    values["identifier"] = str(chosen.get("value") or "").strip()[:IDENTIFIER_MAX]
    return values


def _when(r: _Reader, where: str, resource: dict[str, Any]) -> str | None:
    text = resource.get("effectiveDateTime")
    if not isinstance(text, str):
        r.reject(_("%(where)s: needs effectiveDateTime (when it was measured).") % {"where": where})
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        r.reject(
            _("%(where)s: effectiveDateTime %(text)s is not a full date or a date and time with a zone.")
            % {"where": where, "text": repr(text[:40])}
        )
        return None
    return parsed.isoformat()


def _quantity(
    r: _Reader, where: str, resource: dict[str, Any], accepted: frozenset[str]
) -> tuple[Any, str] | None:
    q = resource.get("valueQuantity")
    if not isinstance(q, dict) or "value" not in q:
        r.reject(_("%(where)s: needs a valueQuantity with a value and a unit.") % {"where": where})
        return None
    system = q.get("system")
    if system not in (None, codes.UCUM):
        r.reject(
            _("%(where)s: the unit must be a UCUM unit (system %(ucum)s); got system %(value)s.")
            % {"where": where, "ucum": codes.UCUM, "value": str(system)[:80]}
        )
        return None
    unit = str(q.get("code") or q.get("unit") or "")
    if unit not in accepted:
        r.reject(
            _("%(where)s: unit %(unit)s is not accepted here; use %(accepted)s.")
            % {"where": where, "unit": repr(unit[:20] or "(none)"), "accepted": " or ".join(sorted(accepted))}
        )
        return None
    value = q.get("value")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        r.reject(
            _("%(where)s: the value must be a positive number; got %(value)s.")
            % {"where": where, "value": str(value)[:20]}
        )
        return None
    return value, unit


def _name(instrument_id: str, method: str) -> str:
    """What the preview calls a measurement: its method's name when the data gives one, else the
    instrument's short name."""
    try:
        inst = instruments.get_instrument(instrument_id)
    except instruments.InstrumentValidationError:
        return instrument_id
    by_method = inst.fhir.by_method if inst.fhir is not None else {}
    return by_method[method].name if method in by_method else inst.short_name


def _describe(instrument_id: str, method: str, value: Any, unit: str, when: str) -> str:
    return f"{_name(instrument_id, method)} {value:g} {unit} on {when[:16].replace('T', ' ')}"


def read_bundle(raw: bytes | str) -> ImportPlan:
    """The import plan for a Bundle, or BundleRejected with every reason found."""
    data = load_json(raw)
    validate_bundle(data)
    r = _Reader()
    entries = [e for e in data.get("entry") or [] if isinstance(e, dict)]
    patients: list[tuple[str, dict[str, Any]]] = []
    observations: list[tuple[str, str, dict[str, Any]]] = []
    others: dict[str, int] = {}
    for n, entry in enumerate(entries, start=1):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        kind = str(resource.get("resourceType"))
        url = str(entry.get("fullUrl") or "")
        if kind == "Patient":
            patients.append((url, resource))
        elif kind == "Observation":
            observations.append(
                (url, _("Observation %(n)s (%(url)s)") % {"n": n, "url": url or _("no fullUrl")}, resource)
            )
        else:
            others[kind] = others.get(kind, 0) + 1
    if not patients:
        raise BundleRejected([_("The Bundle has no Patient: there is nobody to import.")])
    if len(patients) > 1:
        raise BundleRejected(
            [_("The Bundle has %(count)s Patients; import one client at a time.") % {"count": len(patients)}]
        )
    if len(observations) > MAX_OBSERVATIONS:
        raise BundleRejected(
            [
                _("The Bundle has more than %(max_observations)s Observations; split it into parts.")
                % {"max_observations": MAX_OBSERVATIONS}
            ]
        )
    patient_url, patient = patients[0]
    values = _patient(r, patient)
    patient_refs = {patient_url} - {""}
    if patient.get("id"):
        patient_refs.add(f"Patient/{patient['id']}")

    importable = fhir_instruments.import_table()
    not_imported = fhir_instruments.written_not_imported()
    planned: list[PlannedMeasurement] = []
    births: dict[str, set[int]] = {"gestation": set(), "birth_weight": set()}
    for url, where, resource in observations:
        status = resource.get("status")
        found = _codings(resource.get("code"))
        shown = ", ".join(f"{s or '(no system)'}|{c}" for s, c in found)[:200] or _("no code")
        if status == "entered-in-error":
            r.skipped.append(_("%(where)s: entered in error, left out.") % {"where": where})
            continue
        subject = resource.get("subject") or {}
        if not isinstance(subject, dict) or subject.get("reference") not in patient_refs:
            r.reject(_("%(where)s: its subject is not the Patient in this Bundle.") % {"where": where})
            continue
        if status not in ACCEPTED_STATUSES:
            r.reject(
                _("%(where)s: status %(status)s; only final (or amended, corrected) results are imported.")
                % {"where": where, "status": repr(status)}
            )
            continue
        measurement = next((importable[c] for c in found if c in importable), None)
        if measurement is not None:
            instrument_id, method = measurement.instrument_id, measurement.method
            when = _when(r, where, resource)
            units = fhir_instruments.import_units(instruments.get_instrument(instrument_id))
            quantity = _quantity(r, where, resource, units)
            if when is None or quantity is None:
                continue
            value, unit = quantity
            answers: dict[str, Any] = {"value": value, "unit": unit}
            if method:
                answers["method"] = method
            planned.append(
                PlannedMeasurement(
                    source=url or where,
                    instrument_id=instrument_id,
                    answers=answers,
                    taken_at=when,
                    label=_describe(instrument_id, method, value, unit, when),
                )
            )
        elif (codes.LOINC, codes.GESTATIONAL_AGE_AT_BIRTH.code) in found:
            quantity = _quantity(r, where, resource, frozenset({codes.WEEK, codes.DAY}))
            if quantity is not None:
                value, unit = quantity
                births["gestation"].add(round(value * 7) if unit == codes.WEEK else round(value))
        elif (codes.LOINC, codes.BIRTH_WEIGHT.code) in found:
            quantity = _quantity(r, where, resource, frozenset({"g", "kg"}))
            if quantity is not None:
                value, unit = quantity
                births["birth_weight"].add(round(value * 1000) if unit == "kg" else round(value))
        elif any(c in not_imported or c[0] == codes.LOCAL_INSTRUMENT for c in found):
            r.skipped.append(
                _("%(where)s: %(shown)s is a score; scores are not imported (record them here).")
                % {"where": where, "shown": shown}
            )
        else:
            r.reject(
                _(
                    "%(where)s: unknown code %(shown)s. Kneadwell imports %(import_description)s, "
                    "gestational age at birth (LOINC 76516-4) and birth weight (LOINC 8339-4)."
                )
                % {
                    "where": where,
                    "shown": shown,
                    "import_description": fhir_instruments.import_description(),
                }
            )
    for what, found_values in births.items():
        if len(found_values) > 1:
            r.reject(
                _("The Bundle gives %(count)s different values for %(what)s.")
                % {"count": len(found_values), "what": what.replace("_", " ")}
            )
    if births["gestation"] and len(births["gestation"]) == 1:
        days = next(iter(births["gestation"]))
        values["gestation_weeks"], values["gestation_days"] = divmod(days, 7)
    if births["birth_weight"] and len(births["birth_weight"]) == 1:
        values["birth_weight_g"] = next(iter(births["birth_weight"]))
    for kind, count in sorted(others.items()):
        r.skipped.append(
            ngettext(
                "%(count)s %(kind)s resource: not imported.",
                "%(count)s %(kind)s resources: not imported.",
                count,
            )
            % {"count": count, "kind": kind}
        )
    if r.reasons:
        raise BundleRejected(r.reasons)
    return ImportPlan(**values, measurements=tuple(planned), skipped=tuple(r.skipped))
