"""Pydantic models for every kind of item in the content library (one YAML list per kind).

Each content file is a mapping from a collection name (the keys of COLLECTIONS below) to a list of items.
The models check each item on its own; references between items (a step naming a technique, a rule
citing a source) are checked afterwards by crosscheck.py, which can see the whole library.

Text that reaches both parents and clinicians comes in two registers: `*_parent` in plain words,
`*_clinician` precise. `basis` says how an item is supported: `sourced` (its sources say it),
`conflicting` (sources disagree; we chose the conservative reading) or `design-choice` (no source says
it; we chose it); anything other than `sourced` must carry an `evidence_note` saying why.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kneadwell.library.predicates import Predicate

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9-]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Sources = Annotated[list[SourceId], Field(min_length=1)]
Basis = Literal["sourced", "conflicting", "design-choice"]
Action = Literal["stop", "needs-release", "avoid-areas", "modify"]
PressureName = Literal["light", "moderate", "firm"]
SessionAction = Literal["continue", "slow", "pause", "stop"]


class Pressure(IntEnum):
    """Ordered so that "at most moderate" is a comparison."""

    light = 1
    moderate = 2
    firm = 3


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidenced(Item):
    basis: Basis = "sourced"
    evidence_note: Text | None = None

    @model_validator(mode="after")
    def _note_when_not_sourced(self) -> Evidenced:
        if self.basis != "sourced" and not self.evidence_note:
            raise ValueError(f"basis '{self.basis}' needs an evidence_note saying why")
        return self


class Manifest(Item):
    version: Text
    reviewed_on: date
    reviewed_by: Text
    notes: Text | None = None


class Source(Item):
    """One entry of the source registry (library/content/sources.yaml, read by kneadwell.content.sources)."""

    id: SourceId
    citation: Text
    url: Text | None = None
    reliability: Text  # e.g. "peer-reviewed RCT", "lay site", "parent handout; full text not seen"
    # Set for the sources the measurement instruments cite: a short label, what kind of source it is and
    # which part of the citation could not be checked.
    short: Text | None = None
    kind: Literal["primary", "secondary", "lay", "project"] | None = None
    note: Text | None = None
    # The evidence library's study for the same work (evidence/content/studies.yaml), whose structured,
    # checked citation this one repeats; a test holds the two to the same title.
    study: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$")] | None = None


class Region(Item):
    id: Id
    label: Text
    kind: Literal["area", "group", "whole_body", "focus"] = "area"
    parent: Id | None = None
    next_distal: Id | None = None  # the next segment down the limb, for "this area and the limb below"
    side: Literal["left", "right", "midline"] | None = None
    svg_ids: list[Text] = Field(default_factory=list)
    notes: Text | None = None

    @model_validator(mode="after")
    def _shapes_only_on_areas(self) -> Region:
        if self.kind == "area" and not self.svg_ids:
            raise ValueError("an area needs at least one svg_id on the body map")
        if self.kind != "area" and self.svg_ids:
            raise ValueError(f"a {self.kind} region has no shape of its own; remove svg_ids")
        return self


class Condition(Item):
    id: Id
    label: Text
    notes: Text | None = None
    sources: Sources


class Population(Item):
    id: Id
    label: Text
    description: Text
    intake_set: Id
    readiness_set: Id


class Suits(Item):
    populations: list[Id] = Field(min_length=1)
    min_age_days: int | None = Field(default=None, ge=0)
    min_pma_weeks: float | None = Field(default=None, ge=22, le=60)
    notes: Text | None = None


class Technique(Evidenced):
    id: Id
    name: Text
    kind: Literal["stroke", "manoeuvre", "movement", "assessment", "ritual"]
    description_parent: Text
    description_clinician: Text
    regions: list[Id] = Field(min_length=1)
    pressure: list[PressureName] = Field(min_length=1)
    moves_joints: bool = False
    # Only a trained therapist gives it (the seeds: "advanced training matters"); a parent's session
    # leaves the step out and says why.
    trained_only: bool = False
    suits: Suits
    precautions: list[Text] = Field(default_factory=list)
    sources: Sources


class Section(Item):
    id: Id
    label: Text


class Step(Item):
    technique: Id
    regions: list[Id] = Field(min_length=1)
    section: Id | None = None
    phase: Text | None = None
    minutes: float | None = Field(default=None, gt=0, le=120)
    repetitions: int | None = Field(default=None, ge=1, le=100)
    position: (
        Literal["supine", "prone", "side_lying", "sitting", "held", "standing", "as_tolerated"] | None
    ) = None
    pressure: PressureName | None = None
    optional: bool = False  # chosen per client ("if warranted"), not part of every session
    note: Text | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> Step:
        if self.minutes is not None and self.repetitions is not None:
            raise ValueError("give minutes or repetitions, not both")
        return self


class Routine(Item):
    id: Id
    name: Text
    population: Id
    description_parent: Text
    description_clinician: Text
    sections: list[Section] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    sources: Sources


class DosePhase(Item):
    label: Text
    weeks: int = Field(ge=1, le=104)
    sessions: int = Field(ge=1, le=500)


class Dose(Evidenced):
    sessions_per_day: int | None = Field(default=None, ge=1, le=12)
    session_minutes: float | None = Field(default=None, gt=0, le=180)
    days: int | None = Field(default=None, ge=1, le=730)
    sessions_per_week: int | None = Field(default=None, ge=1, le=21)
    weeks: int | None = Field(default=None, ge=1, le=104)
    phases: list[DosePhase] = Field(default_factory=list)
    timing: Text | None = None
    sources: Sources


class ClassWeek(Item):
    week: int = Field(ge=1, le=12)
    sections: list[Id] = Field(default_factory=list)
    note: Text


class PrepItem(Evidenced):
    text: Text
    sources: Sources


class EvidenceSummary(Item):
    summary_parent: Text
    summary_clinician: Text
    sources: Sources


# When a protocol collects a measure: before the programme, with each session, every day, once a week, or
# at the end. The outcomes app checks the plan's measurements against these (care/measures_due.py).
Occasion = Literal["baseline", "each_session", "daily", "weekly", "end"]
OCCASIONS: tuple[Occasion, ...] = ("baseline", "each_session", "daily", "weekly", "end")
OCCASION_LABELS: dict[str, str] = {
    "baseline": "Before the programme",
    "each_session": "With each session",
    "daily": "Every day",
    "weekly": "Once a week",
    "end": "At the end",
}


class MeasureTiming(Evidenced):
    measures: list[Id] = Field(min_length=1)
    when: list[Occasion] = Field(min_length=1)
    sources: Sources

    @model_validator(mode="after")
    def _occasions_once(self) -> MeasureTiming:
        if len(set(self.when)) != len(self.when):
            raise ValueError("an occasion is listed twice in 'when'")
        return self


class Protocol(Evidenced):
    id: Id
    name: Text
    population: Id
    other_populations: list[Id] = Field(default_factory=list)
    summary_parent: Text
    summary_clinician: Text
    routines: list[Id] = Field(min_length=1)
    dose: Dose
    preparation: list[PrepItem] = Field(default_factory=list)
    class_progression: list[ClassWeek] = Field(default_factory=list)
    session_checks: list[Id] = Field(default_factory=list)
    outcome_measures: list[Id] = Field(min_length=1)
    measurement_timing: list[MeasureTiming] = Field(min_length=1)
    evidence: EvidenceSummary
    sources: Sources

    @property
    def populations(self) -> tuple[str, ...]:
        return (self.population, *self.other_populations)


class Modifications(Item):
    max_pressure: PressureName | None = None
    minutes_factor: float | None = Field(default=None, gt=0, lt=1)
    exclude_techniques: list[Id] = Field(default_factory=list)
    no_joint_movement_at: list[Id] = Field(default_factory=list)
    no_oil: bool = False

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


class Cue(Item):
    id: Id
    label: Text
    kind: Literal["engagement", "disengagement", "stress", "readiness", "comfort"]
    strength: Literal["potent", "subtle"] | None = None
    context: Literal["any", "nicu"] = "any"
    in_session_action: SessionAction
    nicu_action: SessionAction | None = None  # stricter reading for preterm babies, where a source gives one
    sources: Sources


class BehaviouralState(Item):
    id: Id
    number: int = Field(ge=1, le=6)
    label: Text
    description: Text
    in_session_action: SessionAction
    good_to_start: bool
    sources: Sources


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


class Measure(Item):
    id: Id
    label: Text
    kind: Literal[
        "growth",
        "behaviour",
        "pain",
        "motor",
        "function",
        "clinical",
        "quality_of_life",
        "diary",
        "patient_reported",
    ]
    # How the app records it: with these outcome instruments (ids in outcomes/instruments/catalogue), or
    # in the session player (behavioural state taps). Neither: not recorded in Kneadwell yet.
    instruments: list[Id] = Field(default_factory=list)
    any_instrument: bool = False  # True: any one of `instruments` will do; False: each is needed
    in_session: bool = False
    sources: Sources


class SessionCheck(Evidenced):
    """An in-session stop rule: its words and sources; the logic is in stop_rules.py under the same id.
    `slow` means carry on gently with the advice shown; `pause` hands off and settle; `stop` end today."""

    id: Id
    label: Text
    action: Literal["slow", "pause", "stop"]
    text_parent: Text
    text_clinician: Text
    instead: Text
    settings: list[Id] = Field(default_factory=list)
    sources: Sources


# Collection name in the YAML files -> model of one item. The manifest is a single mapping, not a list.
COLLECTIONS: dict[str, type[Item]] = {
    "sources": Source,
    "regions": Region,
    "conditions": Condition,
    "populations": Population,
    "techniques": Technique,
    "routines": Routine,
    "protocols": Protocol,
    "rules": Rule,
    "settings": SettingDef,
    "cues": Cue,
    "states": BehaviouralState,
    "questions": Question,
    "question_sets": QuestionSet,
    "measures": Measure,
    "session_checks": SessionCheck,
}
