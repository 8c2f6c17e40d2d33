"""A study's eligibility criteria, read against the client's own facts (the same facts the screening uses:
age, corrected age, postmenstrual age, gestation at birth, birth weight, sex, recorded conditions).

Criteria are written one per line and stored as data:

    gestation_weeks < 32            {"fact": "gestation_weeks", "op": "lt", "value": 32}
    postmenstrual_age_weeks >= 34   {"fact": "postmenstrual_age_weeks", "op": "ge", "value": 34}
    sex = female                    {"fact": "sex", "op": "eq", "value": "female"}
    condition preterm               {"condition": "preterm", "present": true}
    no condition sepsis             {"condition": "sepsis", "present": false}

Each criterion is met, not met, or unknown (a fact the record lacks: a gestation never entered). A client
is eligible only when every criterion is met; unknown is never read as met. Criteria a record cannot hold
(clinically stable, on full feeds) are the screener's checks, confirmed one by one on the screening form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

FACTS: Final[dict[str, str]] = {
    "age_days": "age in days",
    "corrected_age_days": "corrected age in days",
    "postmenstrual_age_weeks": "postmenstrual age in weeks",
    "gestation_weeks": "completed weeks of gestation at birth",
    "birth_weight_g": "birth weight in grams",
    "sex": "sex",
}
OPS: Final[dict[str, str]] = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "=": "eq"}
OP_WORDS: Final[dict[str, str]] = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "="}
_LINE = re.compile(r"^\s*([a-z_]+)\s*(<=|>=|<|>|=)\s*([A-Za-z0-9_.\-]+)\s*$")
_CONDITION = re.compile(r"^\s*(no\s+)?condition\s+([a-z0-9_]+)\s*$")
MAX_CRITERIA = 20


class CriteriaError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_criteria(text: str) -> list[dict[str, Any]]:
    """Lines as above into stored criteria; every line that cannot be read is reported."""
    criteria: list[dict[str, Any]] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        if m := _CONDITION.match(line):
            criteria.append({"condition": m.group(2), "present": m.group(1) is None})
            continue
        m = _LINE.match(line)
        if m is None or m.group(1) not in FACTS:
            problems.append(
                f"line {number}: {line.strip()!r} is not a criterion (write e.g. 'gestation_weeks < 32' or "
                f"'condition preterm'; facts: {', '.join(FACTS)})"
            )
            continue
        fact, op, raw = m.group(1), OPS[m.group(2)], m.group(3)
        if fact == "sex":
            if op != "eq" or raw not in ("female", "male"):
                problems.append(f"line {number}: sex takes '= female' or '= male'")
                continue
            criteria.append({"fact": fact, "op": op, "value": raw})
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(f"line {number}: {raw!r} is not a number")
            continue
        criteria.append({"fact": fact, "op": op, "value": int(value) if value.is_integer() else value})
    if len(criteria) > MAX_CRITERIA:
        problems.append(f"at most {MAX_CRITERIA} criteria")
    if problems:
        raise CriteriaError(problems)
    return criteria


def criteria_text(criteria: Sequence[Mapping[str, Any]]) -> str:
    """The stored criteria as the lines they were written in (for the edit form and the export)."""
    lines = []
    for c in criteria:
        if "condition" in c:
            lines.append(("" if c["present"] else "no ") + f"condition {c['condition']}")
        else:
            symbol = {v: k for k, v in OPS.items()}[c["op"]]
            lines.append(f"{c['fact']} {symbol} {c['value']}")
    return "\n".join(lines)


def describe(criterion: Mapping[str, Any], condition_labels: Mapping[str, str] | None = None) -> str:
    if "condition" in criterion:
        label = (condition_labels or {}).get(criterion["condition"], criterion["condition"])
        return f"{'Has' if criterion['present'] else 'Does not have'} {label}"
    return f"{FACTS[criterion['fact']].capitalize()} {OP_WORDS[criterion['op']]} {criterion['value']}"


def client_facts(
    *,
    birth_date: dt.date,
    on: dt.date,
    gestation_weeks: int | None,
    gestation_days: int | None,
    birth_weight_g: int | None,
    sex: str,
) -> dict[str, float | str | None]:
    """The facts on day `on`. Corrected and postmenstrual ages need a gestation; without one they are
    unknown, never assumed term (AAP 2004 defines corrected age from the gestation at birth [S67])."""
    age = (on - birth_date).days
    corrected = pma_weeks = None
    if gestation_weeks is not None:
        gestation = gestation_weeks * 7 + (gestation_days or 0)
        corrected = age - (280 - gestation)
        pma_weeks = round((gestation + age) / 7, 2)
    return {
        "age_days": age,
        "corrected_age_days": corrected,
        "postmenstrual_age_weeks": pma_weeks,
        "gestation_weeks": gestation_weeks,
        "birth_weight_g": birth_weight_g,
        "sex": sex,
    }


@dataclass(frozen=True)
class CriterionResult:
    text: str
    met: bool | None  # None: unknown
    fact_value: str


def evaluate(
    criteria: Sequence[Mapping[str, Any]],
    facts: Mapping[str, float | str | None],
    conditions: Sequence[str],
    condition_labels: Mapping[str, str] | None = None,
) -> list[CriterionResult]:
    results = []
    for c in criteria:
        text = describe(c, condition_labels)
        if "condition" in c:
            has = c["condition"] in conditions
            results.append(CriterionResult(text, has == c["present"], "recorded" if has else "not recorded"))
            continue
        value = facts.get(c["fact"])
        if value is None:
            results.append(CriterionResult(text, None, "not recorded"))
            continue
        results.append(CriterionResult(text, _compare(value, c["op"], c["value"]), str(value)))
    return results


def _compare(left: float | str, op: str, right: float | str) -> bool:
    if op == "eq":
        return left == right
    a, b = float(left), float(right)
    return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]


def verdict(results: Sequence[CriterionResult], checks_confirmed: Sequence[bool]) -> bool | None:
    """True when every criterion is met and every screener's check confirmed; False when any is not met
    (or a check is not confirmed); None when the record lacks a fact and nothing fails."""
    if any(r.met is False for r in results) or not all(checks_confirmed):
        return False
    if any(r.met is None for r in results):
        return None
    return True
