"""The screening's content: questions and question sets, the rules that read their answers (with the
modifications and regions a rule names), and the organisation settings both may quote."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kneadwell.library.predicates import Predicate
from kneadwell.library.schema.common import (
    Action,
    Evidenced,
    Id,
    Item,
    PressureName,
    SourceId,
    Sources,
    Text,
)


class Modifications(Item):
    max_pressure: PressureName | None = None
    minutes_factor: float | None = Field(default=None, gt=0, lt=1)
    exclude_techniques: list[Id] = Field(default_factory=list)
    no_joint_movement_at: list[Id] = Field(default_factory=list)
    no_oil: bool = False
    # Ask the client before every step, and record the answer (trauma-informed care). Left out of the dump
    # when false, so rules that do not set it load (and hash) as before.
    ask_permission: bool = Field(default=False, exclude_if=lambda v: v is False)

    @model_validator(mode="after")
    def _not_empty(self) -> Modifications:
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("modifications must change something")
        return self


class RegionSpec(Item):
    from_answers: list[Id] = Field(default_factory=list)
    fixed: list[Id] = Field(default_factory=list)
    include_distal: bool = False
    # The whole limb the area belongs to, above and below (a clot: nothing on that limb is massaged).
    whole_limb: bool = False

    @model_validator(mode="after")
    def _something(self) -> RegionSpec:
        if not self.from_answers and not self.fixed:
            raise ValueError("regions need from_answers or fixed")
        return self


class Rule(Evidenced):
    id: Id
    title: Text
    category: Literal["eligibility", "contraindication", "precaution", "readiness"]
    action: Action
    populations: list[Id] = Field(default_factory=list)  # empty: every population
    protocols: list[Id] = Field(default_factory=list)  # empty: every protocol
    when: Predicate
    regions: RegionSpec | None = None
    modifications: Modifications | None = None
    # An avoid-areas rule a clinician may lift with a release (a clot's limb, once the team says so).
    releasable: bool = False
    # Yes/no questions this rule's measured value can overrule: when the rule fires while one of them
    # says "no", the verdict says the more cautious reading won.
    overrules: list[Id] = Field(default_factory=list)
    text_parent: Text
    text_clinician: Text
    instead: Text
    sources: Sources

    @model_validator(mode="after")
    def _action_payload(self) -> Rule:
        if self.action == "avoid-areas" and self.regions is None:
            raise ValueError("an avoid-areas rule needs regions")
        if self.action == "modify" and self.modifications is None:
            raise ValueError("a modify rule needs modifications")
        if self.action not in ("avoid-areas",) and self.regions is not None:
            raise ValueError("only avoid-areas rules take regions")
        if self.action != "modify" and self.modifications is not None:
            raise ValueError("only modify rules take modifications")
        if self.releasable and self.action != "avoid-areas":
            raise ValueError("only avoid-areas rules are marked releasable (needs-release rules always are)")
        return self


class SettingDef(Item):
    id: Id
    label: Text
    group: Literal["screening", "in_session"]
    unit: Literal[
        "minutes",
        "hours",
        "days",
        "weeks",
        "months",
        "bpm",
        "percent",
        "seconds",
        "celsius",
        "per_microlitre",
        "mmol_per_l",
        "count",
    ]
    default: float
    min: float
    max: float
    integer: bool = True
    safer: Literal["higher", "lower"]  # which direction is the more conservative one
    sources: Sources
    sources_disagree: bool = False
    note: Text

    @model_validator(mode="after")
    def _range(self) -> SettingDef:
        if not self.min <= self.default <= self.max:
            raise ValueError(f"default {self.default} is outside its range {self.min}–{self.max}")
        if self.integer and any(v != int(v) for v in (self.default, self.min, self.max)):
            raise ValueError("an integer setting needs whole-number default, min and max")
        return self


QuestionType = Literal[
    "yes_no", "number", "date", "datetime", "choice", "multi_choice", "text", "region_multi_choice"
]


class Choice(Item):
    id: Id
    label: Text


class AskIf(Item):
    question: Id
    equals: bool | str
    # A list asked only after a "yes" ("A skin problem" ticked, then "where?"): when the gate says no,
    # the list's answer is "none" (an empty list), so a rule reading the list needs no second question.
    # The gate must be a yes/no question of the same scope asked with `equals: true`.
    otherwise_none: bool = False


class Question(Item):
    id: Id
    scope: Literal["intake", "today"]
    label: Text
    help: Text
    type: QuestionType
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    choices: list[Choice] = Field(default_factory=list)
    choices_from: Literal["conditions", "states"] | None = None
    required: bool = True
    ask_if: AskIf | None = None  # show only when another answer equals a value
    for_conditions: list[Id] = Field(default_factory=list)  # show only to clients with one of these
    # Show only to clients younger than this many days (the cord stump); a rule reading it must carry the
    # same age limit, so a question not shown is never read as "may apply".
    max_age_days: int | None = Field(default=None, ge=1)
    # The words as one line of a checklist ("A fever"). It may quote a setting's value in braces
    # ("less than {feeding_wait_minutes} minutes ago"), filled in with the organisation's value.
    item_label: Text | None = None
    # A re-check soon after a check starts from its answers, except those that describe this very moment
    # (the baby's state, a reading on the monitor), which are always asked afresh.
    carry_forward: bool = True
    sources: list[SourceId] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type == "number" and (self.unit is None or self.min is None or self.max is None):
            raise ValueError("a number question needs unit, min and max")
        if self.type != "number" and (self.min is not None or self.max is not None):
            raise ValueError("only number questions take min and max")
        has_choices = bool(self.choices) or self.choices_from is not None
        if self.type in ("choice", "multi_choice") and not has_choices:
            raise ValueError(f"a {self.type} question needs choices")
        if self.type not in ("choice", "multi_choice") and has_choices:
            raise ValueError(f"a {self.type} question takes no choices")
        if self.ask_if is not None and self.required and self.ask_if.question == self.id:
            raise ValueError("a question cannot depend on itself")
        return self


class QuestionSet(Item):
    id: Id
    scope: Literal["intake", "today"]
    population: Id
    title: Text
    questions: list[Id] = Field(min_length=1)
    # Yes/no questions shown together as one "tick any that apply, or none of these" list: a tick is yes,
    # no tick is no, and the list must be answered (a tick, or "none of these"). A multiple-choice
    # question listed here gives one line per choice (the ticked ones are its answer). Only questions
    # whose rules fire on "yes" (or on a choice being there) may be listed (checked when loaded).
    checklist: list[Id] = Field(default_factory=list)
    checklist_label: Text | None = None

    @model_validator(mode="after")
    def _checklist_label(self) -> QuestionSet:
        if self.checklist and not self.checklist_label:
            raise ValueError("a checklist needs a checklist_label")
        return self
