"""Check and normalise intake and today's-check answers against their questions.

    clean = clean_answers(library, "today", {"fever_today": False, "last_feed_at": "2025-03-01T09:30+00:00"},
                          now=now)

Keys are question ids of that scope. A missing key, None or an empty string means "not answered"
(kept as None). Everything else must fit the question: yes_no a bool; number a real number within the
question's range; date a date (or ISO "YYYY-MM-DD") not after today; datetime a time-zone-aware datetime
(or ISO string with offset) not after now (5 minutes' clock skew allowed); choice one choice id;
multi_choice / region_multi_choice a list of ids (an empty list means "none"); text a string. A list
asked only after a yes (`otherwise_none`) is "none" when that answer is no, and must name something when
it is yes.

All problems are collected and raised together as AnswerError (a ValueError) with `errors` mapping
question id -> message, so a form can show each message beside its field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kneadwell.library.schema import Question

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library

CLOCK_SKEW = timedelta(minutes=5)
MAX_TEXT = 4000


class AnswerError(ValueError):
    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.field, self.message = next(iter(self.errors.items()))
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def choice_ids(library: Library, question: Question) -> set[str]:
    if question.choices_from == "conditions":
        return set(library.conditions)
    if question.choices_from == "states":
        return set(library.states)
    return {c.id for c in question.choices}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _ids(value: Any, allowed: set[str], what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"expected a list of {what} (an empty list means none)")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise ValueError(f"'{item}' is not a known {what}")
        if item not in out:
            out.append(item)
    return tuple(out)


def _clean_one(library: Library, q: Question, value: Any, now: datetime) -> Any:
    if q.type == "yes_no":
        if not isinstance(value, bool):
            raise ValueError("expected yes or no (true or false)")
        return value
    if q.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"expected a number in {q.unit}")
        assert q.min is not None  # the schema requires min and max for numbers
        assert q.max is not None
        if not q.min <= value <= q.max:
            raise ValueError(f"expected {q.min:g} to {q.max:g} {q.unit}, got {value:g}")
        return float(value)
    if q.type == "date":
        if isinstance(value, datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("expected a date such as 2025-03-01") from None
        if not isinstance(value, date):
            raise ValueError("expected a date such as 2025-03-01")
        if value > now.date():
            raise ValueError("cannot be in the future")
        return value
    if q.type == "datetime":
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("expected a date and time such as 2025-03-01T09:30+00:00") from None
        if not isinstance(value, datetime):
            raise ValueError("expected a date and time such as 2025-03-01T09:30+00:00")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the time needs a time zone")
        if value > now + CLOCK_SKEW:
            raise ValueError("cannot be in the future")
        return value
    if q.type == "choice":
        if not isinstance(value, str) or value not in choice_ids(library, q):
            raise ValueError(f"'{value}' is not one of the choices")
        return value
    if q.type == "multi_choice":
        return _ids(value, choice_ids(library, q), "choice")
    if q.type == "region_multi_choice":
        drawable = {r.id for r in library.regions.values() if r.kind in ("area", "group")}
        return _ids(value, drawable, "body region")
    if not isinstance(value, str):
        raise ValueError("expected text")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters")
    return text


def clean_answers(
    library: Library, scope: str, answers: Mapping[str, Any], *, now: datetime
) -> dict[str, Any]:
    """Validated answers keyed by question id (blank answers as None); AnswerError lists every problem."""
    if not isinstance(answers, Mapping):
        raise AnswerError({scope: "expected answers keyed by question id"})
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    where = "intake" if scope == "intake" else "today's check"
    for key, value in answers.items():
        question = library.questions.get(key) if isinstance(key, str) else None
        if question is None or question.scope != scope:
            errors[str(key)] = f"not a question of the {where}"
            continue
        if _blank(value):
            clean[key] = None
            continue
        try:
            clean[key] = _clean_one(library, question, value, now)
        except ValueError as exc:
            errors[key] = str(exc)
    _follow_gates(library, scope, clean, errors)
    if errors:
        raise AnswerError(errors)
    return clean


def _follow_gates(library: Library, scope: str, clean: dict[str, Any], errors: dict[str, str]) -> None:
    """A list asked only after a "yes" (`ask_if ... otherwise_none`): a "no" means none, and a "yes" needs
    at least one item, or the two answers would say different things."""
    for question in library.questions.values():
        gate = question.ask_if
        if question.scope != scope or gate is None or not gate.otherwise_none or question.id in errors:
            continue
        said = clean.get(gate.question)
        if said is False and clean.get(question.id) is None:
            clean[question.id] = ()
        elif said is True and clean.get(question.id) == ():
            what = "the areas" if question.type == "region_multi_choice" else "what applies"
            asked = library.questions[gate.question].label
            errors[question.id] = f'choose at least one of {what}: the answer to "{asked}" was yes'
