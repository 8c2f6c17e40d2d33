"""What a safety rule read (its finding), whether a clinician's release still covers it, and answers that
contradict each other. Pure (no Django); used by screening.py.

A finding is keyed "answer:<question>", "conditions", "fact:<name>" or "text" (the findings free text
names). A release covers the finding it was given for and anything milder; `release_covers` says why not
otherwise (a lower platelet count, a new condition, a newer operation date, a new word in the history, a
value no longer known).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kneadwell.library.predicates import (
    COMPARATORS,
    AnswerP,
    ClientHasP,
    Context,
    FactP,
    TextMentionsP,
    text_findings,
    walk,
)
from kneadwell.library.schema import Rule

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def finding_of(rule: Rule, ctx: Context) -> dict[str, Any]:
    """What the rule read, keyed "answer:<question>", "conditions", "fact:<name>" or "text"."""
    out: dict[str, Any] = {}
    conditions: set[str] = set()
    for part in walk(rule.when):
        if isinstance(part, AnswerP):
            out[f"answer:{part.answer}"] = _plain(ctx.answer(part.answer))
        elif isinstance(part, ClientHasP):
            conditions |= ctx.conditions.intersection(part.client_has)
            out["conditions"] = sorted(conditions)
        elif isinstance(part, FactP):
            out[f"fact:{part.fact}"] = ctx.fact(part.fact)
        elif isinstance(part, TextMentionsP):
            out["text"] = sorted({*out.get("text", []), *text_findings(part, ctx)})
    for qid in rule.regions.from_answers if rule.regions else ():
        out[f"answer:{qid}"] = _plain(ctx.answer(qid))
    return out


def _directions(rule: Rule) -> dict[str, str]:
    """For each key of the finding, which way is worse: "low" (a number that fires when low, e.g.
    platelets), "high", "recent" (a date: a newer event is a new finding), "more" (a list: more entries
    are new findings) or "same" (any change is a new finding)."""
    out: dict[str, str] = {}

    def put(key: str, direction: str) -> None:
        out[key] = direction if out.get(key, direction) == direction else "same"

    for part in walk(rule.when):
        if isinstance(part, AnswerP | FactP):
            key = f"answer:{part.answer}" if isinstance(part, AnswerP) else f"fact:{part.fact}"
            cmp = part.comparison()
            if cmp is not None:
                put(key, "low" if cmp[0] in COMPARATORS[:2] else "high")
            elif isinstance(part, AnswerP) and part.within is not None:
                put(key, "recent")
            elif isinstance(part, AnswerP) and (part.contains is not None or part.nonempty is not None):
                put(key, "more")
            else:
                put(key, "same")
        elif isinstance(part, ClientHasP):
            put("conditions", "more")
        elif isinstance(part, TextMentionsP):
            put("text", "more")
    for qid in rule.regions.from_answers if rule.regions else ():
        put(f"answer:{qid}", "more")
    return out


def _key_label(library: Library, key: str) -> str:
    kind, _, name = key.partition(":")
    if kind == "answer" and name in library.questions:
        return f'"{library.questions[name].label}"'
    if kind == "fact":
        return name.replace("_", " ")
    return {"conditions": "the conditions on the record", "text": "what the free-text history names"}.get(
        key, key
    )


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "not known" if value is None else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value)


def release_covers(
    library: Library, rule: Rule, released: Mapping[str, Any], now: Mapping[str, Any]
) -> str | None:
    """None when the finding now is the one released, or milder; otherwise why the release is void."""
    directions = _directions(rule)
    changes: list[str] = []
    for key in sorted(set(released) | set(now)):
        old, new = released.get(key), now.get(key)
        if old == new:
            continue
        direction = directions.get(key, "same")
        if new is None or old is None:
            worse = True  # a value lost, or one that was not known when released: not what was released
        elif direction == "more":
            worse = not set(new) <= set(old)
        elif direction in ("low", "high"):
            try:
                worse = float(new) < float(old) if direction == "low" else float(new) > float(old)
            except (TypeError, ValueError):
                worse = True
        elif direction == "recent":
            worse = str(new) > str(old)  # ISO dates and times compare in time order
        else:
            worse = True
        if worse:
            changes.append(f"{_key_label(library, key)} is now {_shown(new)} (was {_shown(old)})")
    return "; ".join(changes) or None


# --- answers that contradict each other -------------------------------------------------------------


def contradictions(library: Library, answers: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """A follow-up answered although the answer it follows says it does not apply ("not vaccinated" and
    "vaccinated 5 hours ago"): both cannot be true, so neither is guessed at."""
    errors: dict[str, str] = {}
    for scope in ("intake", "today"):
        for qid, value in answers[scope].items():
            question = library.questions.get(qid)
            if question is None or question.ask_if is None or value is None or value in ([], ()):
                continue
            gate = library.questions[question.ask_if.question]
            given = answers[gate.scope].get(gate.id)
            if given is not None and given != question.ask_if.equals:
                shown = ("yes" if given else "no") if isinstance(given, bool) else str(given)
                errors[qid] = (
                    f'This contradicts the answer "{shown}" to "{gate.label}". Correct one of the two.'
                )
    return errors
