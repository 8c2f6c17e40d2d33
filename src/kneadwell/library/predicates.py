"""The small condition language that safety rules are written in, and its three-valued evaluation.

A rule's `when:` is one of these, nested as deep as needed:

    {all: [P, ...]}            every part holds             {any: [P, ...]}   at least one part holds
    {not: P}                   P does not hold
    {answer: Q, equals: V}     the answer to question Q is V (yes_no: true/false; choice: the choice id)
    {answer: Q, in: [V, ...]}  the answer is one of these choice ids
    {answer: Q, contains: V}   a multi-choice answer includes V
    {answer: Q, nonempty: true}  a multi-choice / region answer has at least one entry
    {answer: Q, lt|le|gt|ge: N or {setting: S}}   a number answer compared with a number or a setting
                               ({setting: S, times: 18}: the setting converted, rounded to a whole number)
    {answer: Q, within: {setting: S}}  a date/datetime answer lies less than S before now; a date (no
                               time) counts from the end of that day, so the window lasts as long as it might
    {client_has: [C, ...]}     the client's record lists any of these conditions
    {fact: F, lt|le|gt|ge: ...}  a client fact (age_days, corrected_age_days, postmenstrual_age_weeks,
                               gestation_weeks) compared with a number or a setting
    {population: [P, ...]}     the client belongs to one of these populations
    {in_protocol_population: true}  the client's population is one the protocol is written for
    {text_mentions: {answers: [Q, ...], terms: {finding: [word, ...]}}}  a free-text answer names a
                               finding: a word starting with one of the listed stems ("thrombo" matches
                               "thrombosis"); blank text names nothing

Evaluation is three-valued (Kleene): True, False, or Unknown when an answer or fact it needs is missing.
`all` is False as soon as one part is False, `any` True as soon as one part is True, so a missing answer
only matters where it could change the result. The screening treats Unknown as "the rule may apply" and
fires it, saying which answers were missing: for safety, silence is not a "no". An `answer` part may say
`missing: false` where a blank answer really means "no" (an optional lab value nobody has measured).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, Protocol, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Number = int | float


class SettingRef(BaseModel):
    """A setting's value, or that value times a unit factor (`times: 18` compares a mg/dL reading with a
    setting in mmol/L). A converted value is rounded to a whole number, as meters show mg/dL, so the rule
    compares with exactly the figure the form quotes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    setting: str
    # Left out of the dump when not given, so rules that do not convert load (and hash) as before.
    times: float | None = Field(default=None, gt=0, exclude_if=lambda v: v is None)

    def apply(self, value: float) -> float:
        return float(value) if self.times is None else float(round(value * self.times))


Operand = Number | SettingRef
COMPARATORS = ("lt", "le", "gt", "ge")


class _Pred(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AllOf(_Pred):
    all: list[Predicate] = Field(min_length=1)


class AnyOf(_Pred):
    any: list[Predicate] = Field(min_length=1)


class NotP(_Pred):
    not_: Predicate = Field(alias="not")


class _Compare(_Pred):
    lt: Operand | None = None
    le: Operand | None = None
    gt: Operand | None = None
    ge: Operand | None = None

    def comparison(self) -> tuple[str, Operand] | None:
        for name in COMPARATORS:
            value = getattr(self, name)
            if value is not None:
                return name, value
        return None


class AnswerP(_Compare):
    answer: str
    equals: bool | str | Number | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    contains: str | None = None
    nonempty: Literal[True] | None = None
    within: SettingRef | None = None
    missing: Literal["unknown", "false", "true"] = "unknown"

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> AnswerP:
        used = [
            name
            for name in ("equals", "in_", "contains", "nonempty", "within", *COMPARATORS)
            if getattr(self, name) is not None
        ]
        if len(used) != 1:
            raise ValueError(
                "an answer test needs exactly one of equals, in, contains, nonempty, within, lt, le, gt, ge"
                f" (found {', '.join(used) or 'none'})"
            )
        return self


class ClientHasP(_Pred):
    client_has: list[str] = Field(min_length=1)


FactName = Literal["age_days", "corrected_age_days", "postmenstrual_age_weeks", "gestation_weeks"]


class FactP(_Compare):
    fact: FactName

    @model_validator(mode="after")
    def _one_comparator(self) -> FactP:
        if sum(getattr(self, name) is not None for name in COMPARATORS) != 1:
            raise ValueError("a fact test needs exactly one of lt, le, gt, ge")
        return self


class PopulationP(_Pred):
    population: list[str] = Field(min_length=1)


class InProtocolPopulationP(_Pred):
    in_protocol_population: Literal[True]


class TextMentions(_Pred):
    answers: list[str] = Field(min_length=1)
    terms: dict[str, list[str]] = Field(min_length=1)  # finding (plain words) -> word stems


class TextMentionsP(_Pred):
    text_mentions: TextMentions


_TAGS = (
    "all",
    "any",
    "not",
    "answer",
    "client_has",
    "fact",
    "population",
    "in_protocol_population",
    "text_mentions",
)


def _tag(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for tag in _TAGS:
            if tag in value:
                return tag
        return None
    for tag, cls in _CLASSES.items():
        if isinstance(value, cls):
            return tag
    return None


Predicate = Annotated[
    Union[  # noqa: UP007 - pydantic needs the Union spelled out inside Annotated with Tag
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[NotP, Tag("not")],
        Annotated[AnswerP, Tag("answer")],
        Annotated[ClientHasP, Tag("client_has")],
        Annotated[FactP, Tag("fact")],
        Annotated[PopulationP, Tag("population")],
        Annotated[InProtocolPopulationP, Tag("in_protocol_population")],
        Annotated[TextMentionsP, Tag("text_mentions")],
    ],
    Discriminator(
        _tag,
        custom_error_type="unknown_condition",
        custom_error_message=f"a condition must have one of the keys {', '.join(_TAGS)}",
    ),
]

_CLASSES: dict[str, type[BaseModel]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": NotP,
    "answer": AnswerP,
    "client_has": ClientHasP,
    "fact": FactP,
    "population": PopulationP,
    "in_protocol_population": InProtocolPopulationP,
    "text_mentions": TextMentionsP,
}

for _model in (AllOf, AnyOf, NotP):
    _model.model_rebuild()

AnyPredicate = (
    AllOf | AnyOf | NotP | AnswerP | ClientHasP | FactP | PopulationP | InProtocolPopulationP | TextMentionsP
)


# --- static walks (used by the loader's cross-checks and to say which rules read which question) ---


def walk(pred: AnyPredicate) -> Iterator[AnyPredicate]:
    yield pred
    if isinstance(pred, AllOf):
        for part in pred.all:
            yield from walk(part)
    elif isinstance(pred, AnyOf):
        for part in pred.any:
            yield from walk(part)
    elif isinstance(pred, NotP):
        yield from walk(pred.not_)


def questions_read(pred: AnyPredicate, *, only_blocking: bool = False) -> set[str]:
    """Question ids the predicate reads; with only_blocking, those whose blank answer counts as Unknown."""
    read = {
        p.answer
        for p in walk(pred)
        if isinstance(p, AnswerP) and (not only_blocking or p.missing == "unknown")
    }
    if not only_blocking:  # free text is never required: a blank names nothing
        read |= {q for p in walk(pred) if isinstance(p, TextMentionsP) for q in p.text_mentions.answers}
    return read


def settings_read(pred: AnyPredicate) -> set[str]:
    found: set[str] = set()
    for p in walk(pred):
        if isinstance(p, _Compare) and (cmp := p.comparison()) and isinstance(cmp[1], SettingRef):
            found.add(cmp[1].setting)
        if isinstance(p, AnswerP) and p.within is not None:
            found.add(p.within.setting)
    return found


# --- evaluation ---


class Context(Protocol):
    """What evaluation needs; screening.py supplies it."""

    now: datetime
    population: str
    conditions: frozenset[str]
    protocol_populations: frozenset[str]

    def answer(self, question_id: str) -> Any: ...
    def fact(self, name: str) -> float | None: ...
    def setting(self, setting_id: str) -> float: ...
    def setting_unit(self, setting_id: str) -> str: ...


@dataclass(frozen=True)
class Outcome:
    """Result of evaluating a predicate. value None means Unknown."""

    value: bool | None
    missing: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()
    retry_after: datetime | None = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _operand(ctx: Context, operand: Operand, used: set[str]) -> float:
    if isinstance(operand, SettingRef):
        used.add(operand.setting)
        return operand.apply(ctx.setting(operand.setting))
    return float(operand)


def _compare(left: float, op: str, right: float) -> bool:
    return {"lt": left < right, "le": left <= right, "gt": left > right, "ge": left >= right}[op]


def subtract_months(moment: datetime, months: int) -> datetime:
    """The same clock time `months` calendar months earlier (the day clamped to the month's length)."""
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def window_start(now: datetime, amount: float, unit: str) -> datetime:
    """The start of a look-back window of `amount` `unit`s ending at `now`."""
    if unit == "months":
        return subtract_months(now, int(amount))
    seconds = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}.get(unit)
    if seconds is None:
        raise ValueError(f"unit '{unit}' cannot be used as a time window")
    return now - timedelta(seconds=amount * seconds)


def _as_moment(value: date | datetime, now: datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    # A date answer (no time) could mean any time that day; take the latest, the end of the day, so that
    # a look-back window lasts as long as it might (the conservative reading).
    return datetime(value.year, value.month, value.day, tzinfo=now.tzinfo) + timedelta(days=1)


def _eval_answer(p: AnswerP, ctx: Context) -> Outcome:
    value = ctx.answer(p.answer)
    if _blank(value):
        if p.missing == "false":
            return Outcome(False)
        if p.missing == "true":
            return Outcome(True)
        return Outcome(None, missing=frozenset({p.answer}))
    used: set[str] = set()
    retry: datetime | None = None
    if p.equals is not None:
        result = value == p.equals
    elif p.in_ is not None:
        result = value in p.in_
    elif p.contains is not None:
        result = p.contains in value
    elif p.nonempty is not None:
        result = len(value) > 0
    elif p.within is not None:
        used.add(p.within.setting)
        amount = ctx.setting(p.within.setting)
        start = window_start(ctx.now, amount, ctx.setting_unit(p.within.setting))
        moment = _as_moment(value, ctx.now)
        result = moment > start
        if result:
            # When the window closes for this answer: the earliest time the rule stops firing.
            unit = ctx.setting_unit(p.within.setting)
            retry = _months_later(moment, int(amount)) if unit == "months" else moment + (ctx.now - start)
    else:
        cmp = p.comparison()
        assert cmp is not None  # guaranteed by the model validator
        result = _compare(float(value), cmp[0], _operand(ctx, cmp[1], used))
    return Outcome(bool(result), settings=frozenset(used), retry_after=retry)


def text_findings(pred: TextMentionsP, ctx: Context) -> list[str]:
    """The findings (keys of `terms`) that the free-text answers name, in the rule's order."""
    texts = [str(v) for q in pred.text_mentions.answers if not _blank(v := ctx.answer(q))]
    if not texts:
        return []
    joined = "\n".join(texts)
    return [
        finding
        for finding, stems in pred.text_mentions.terms.items()
        if any(re.search(rf"(?<![a-z]){re.escape(stem.lower())}", joined, re.IGNORECASE) for stem in stems)
    ]


def _months_later(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + (moment.month - 1) + months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def evaluate(pred: AnyPredicate, ctx: Context) -> Outcome:
    if isinstance(pred, AllOf):
        outs = [evaluate(part, ctx) for part in pred.all]
        if any(o.value is False for o in outs):
            return Outcome(False)
        settings = frozenset().union(*(o.settings for o in outs))
        if any(o.value is None for o in outs):
            return Outcome(None, frozenset().union(*(o.missing for o in outs)), settings)
        # All parts hold; the rule stops holding as soon as the first time-limited part runs out.
        retries = [o.retry_after for o in outs if o.retry_after is not None]
        return Outcome(True, settings=settings, retry_after=min(retries) if retries else None)
    if isinstance(pred, AnyOf):
        outs = [evaluate(part, ctx) for part in pred.any]
        held = [o for o in outs if o.value is True]
        if held:
            # It stops holding only when every part that holds has run out; one lasting part means never.
            ends = [o.retry_after for o in held]
            retry = None if any(end is None for end in ends) else max(e for e in ends if e is not None)
            return Outcome(True, settings=frozenset().union(*(o.settings for o in held)), retry_after=retry)
        unknown = [o for o in outs if o.value is None]
        if unknown:
            return Outcome(
                None,
                frozenset().union(*(o.missing for o in unknown)),
                frozenset().union(*(o.settings for o in outs)),
            )
        return Outcome(False)
    if isinstance(pred, NotP):
        o = evaluate(pred.not_, ctx)
        return Outcome(None if o.value is None else not o.value, o.missing, o.settings)
    if isinstance(pred, AnswerP):
        return _eval_answer(pred, ctx)
    if isinstance(pred, ClientHasP):
        return Outcome(bool(ctx.conditions.intersection(pred.client_has)))
    if isinstance(pred, PopulationP):
        return Outcome(ctx.population in pred.population)
    if isinstance(pred, InProtocolPopulationP):
        return Outcome(ctx.population in ctx.protocol_populations)
    if isinstance(pred, TextMentionsP):
        return Outcome(bool(text_findings(pred, ctx)))
    if isinstance(pred, FactP):
        fact = ctx.fact(pred.fact)
        if fact is None:
            return Outcome(None, missing=frozenset({f"client.{pred.fact}"}))
        cmp = pred.comparison()
        assert cmp is not None
        used: set[str] = set()
        return Outcome(_compare(fact, cmp[0], _operand(ctx, cmp[1], used)), settings=frozenset(used))
    raise TypeError(f"not a predicate: {pred!r}")  # pragma: no cover
