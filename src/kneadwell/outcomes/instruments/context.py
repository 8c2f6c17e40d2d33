"""Context inputs: facts entered beside a measurement that are stored and shown with it but never scored
(a baby's age in hours when the bilirubin sample was taken, the treadmill speed of an oxygen-uptake test,
who gave a fear rating, the name of an activity being rated). Pure: no Django.

An instrument lists them under `context_inputs:` in its catalogue entry (the loader keeps the key in
`extra`); each has an `id`, a `label`, a `type` and, by type:

* `number`: `unit`, `minimum`, `maximum` (possible: outside is an error), optional `usual_minimum`,
  `usual_maximum` (outside asks for confirmation), `decimals` (default 0);
* `choice`: `options` (`value`, `label`);
* `text`: `max_length` (default 80);
* `date`: an ISO date (`YYYY-MM-DD`), never in the future of the measurement is left to the scorer.

Optional for every type: `required` (default false), `help`, `shown_as` (how the value reads beside the
result, `{}` standing for the value: "at {} hours old"), `sources`. What was entered comes back in the
score's `details["context_inputs"]` (id -> value; dates as ISO text), in the order of the definitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InstrumentValidationError, Problems
from .model import Instrument, NumericSpec, Option
from .plausibility import check_number

TYPES = ("number", "choice", "text", "date")
DEFAULT_TEXT_LENGTH = 80
DETAILS_KEY = "context_inputs"


@dataclass(frozen=True)
class ContextInput:
    id: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    shown_as: str = ""
    numeric: NumericSpec | None = None
    options: tuple[Option, ...] = ()
    max_length: int = DEFAULT_TEXT_LENGTH
    source_ids: tuple[str, ...] = ()

    def show(self, value: object) -> str:
        """The value as it reads beside the result ("at 60 hours old", "rated by: a parent")."""
        text = self.label_for(value)
        if self.numeric is not None and isinstance(value, int | float) and not isinstance(value, bool):
            text = f"{value:g}"
        if self.shown_as:
            return self.shown_as.replace("{}", text)
        unit = f" {self.numeric.unit}" if self.numeric is not None and self.numeric.unit else ""
        return f"{self.label}: {text}{unit}"

    def label_for(self, value: object) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return str(value)


def context_inputs(instrument: Instrument) -> tuple[ContextInput, ...]:
    """The instrument's context inputs, checked (a malformed definition is a ValueError naming it)."""
    out = []
    for raw in instrument.extra.get("context_inputs", ()) or ():
        where = f"{instrument.id}.context_inputs.{raw.get('id', '?')}"
        kind = str(raw.get("type", ""))
        if kind not in TYPES:
            raise ValueError(f"{where}: type {kind!r} is not one of {TYPES}")
        numeric = None
        if kind == "number":
            numeric = NumericSpec(
                unit=str(raw.get("unit", "")),
                minimum=float(raw["minimum"]),
                maximum=float(raw["maximum"]),
                decimals=int(raw.get("decimals", 0)),
                usual_minimum=None if raw.get("usual_minimum") is None else float(raw["usual_minimum"]),
                usual_maximum=None if raw.get("usual_maximum") is None else float(raw["usual_maximum"]),
            )
        options = tuple(Option(o["value"], str(o["label"])) for o in raw.get("options", ()) or ())
        if kind == "choice" and not options:
            raise ValueError(f"{where}: a choice needs options")
        out.append(
            ContextInput(
                id=str(raw["id"]),
                label=str(raw["label"]),
                type=kind,
                required=bool(raw.get("required", False)),
                help=str(raw.get("help") or ""),
                shown_as=str(raw.get("shown_as") or ""),
                numeric=numeric,
                options=options,
                max_length=int(raw.get("max_length", DEFAULT_TEXT_LENGTH)),
                source_ids=tuple(str(s) for s in raw.get("sources", ()) or ()),
            )
        )
    ids = [c.id for c in out]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{instrument.id}: a context input id is used twice")
    return tuple(out)


def context_ids(instrument: Instrument) -> frozenset[str]:
    return frozenset(c.id for c in context_inputs(instrument))


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _one(spec: ContextInput, value: object, confirmed: bool) -> tuple[Any, tuple[str, ...]]:
    if spec.type == "number":
        assert spec.numeric is not None
        number, warnings = check_number(spec.id, value, spec.numeric, confirmed=confirmed, label=spec.label)
        return (int(number) if spec.numeric.decimals == 0 else number), warnings
    if spec.type == "choice":
        for option in spec.options:
            if option.value == value or (isinstance(value, str) and str(option.value) == value.strip()):
                return option.value, ()
        allowed = ", ".join(str(o.value) for o in spec.options)
        raise InstrumentValidationError(spec.id, f"{spec.label}: {value!r} is not one of {allowed}")
    if spec.type == "text":
        if not isinstance(value, str):
            raise InstrumentValidationError(spec.id, f"{spec.label}: expected text")
        text = " ".join(value.split())
        if len(text) > spec.max_length:
            raise InstrumentValidationError(spec.id, f"{spec.label}: at most {spec.max_length} characters")
        return text, ()
    day = _date(value)
    if day is None or isinstance(value, bool):
        message = f"{spec.label}: expected a date as YYYY-MM-DD; got {value!r}"
        raise InstrumentValidationError(spec.id, message)
    return day.isoformat(), ()


def read_context(
    instrument: Instrument, answers: Mapping[str, Any], *, confirmed: bool = False
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Check the context inputs present in `answers` (others are left for the scorer). Returns the values
    (id -> value, in definition order; empty text counts as not given) and the warnings of confirmed
    unusual numbers. Raises InstrumentValidationError naming each bad or missing input, or
    ConfirmationRequired when every problem is an unconfirmed unusual number."""
    problems = Problems()
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for spec in context_inputs(instrument):
        raw = answers.get(spec.id)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                problems.add(spec.id, f"{spec.label}: missing")
            continue
        try:
            value, notes = _one(spec, raw, confirmed)
        except InstrumentValidationError as exc:  # ConfirmationRequired included: absorb sorts them
            problems.absorb(exc)
            continue
        values[spec.id] = value
        warnings.extend(notes)
    problems.raise_if_any()
    return values, tuple(warnings)


def shown_context(instrument: Instrument, values: Mapping[str, Any]) -> list[str]:
    """The stored context values as they read beside the result, in definition order."""
    return [spec.show(values[spec.id]) for spec in context_inputs(instrument) if spec.id in values]
