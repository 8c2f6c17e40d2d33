"""Pydantic models for every kind of item in the content library (one YAML list per kind).

Each content file is a mapping from a collection name (the keys of COLLECTIONS below) to a list of items.
The models check each item on its own; references between items (a step naming a technique, a rule
citing a source) are checked afterwards by crosscheck.py, which can see the whole library.

Text that reaches both parents and clinicians comes in two registers: `*_parent` in plain words,
`*_clinician` precise. `basis` says how an item is supported: `sourced` (its sources say it),
`conflicting` (sources disagree; we chose the conservative reading) or `design-choice` (no source says
it; we chose it); anything other than `sourced` must carry an `evidence_note` saying why.

The models live in one module per kind, re-exported here because the loader, the screening, the catalogue,
the crosscheck and the tests import them from `kneadwell.library.schema`:

- common: the field types, `Item`, `Evidenced`, `Pressure` and the manifest
- reference: sources, regions, conditions, populations
- programmes: techniques, routines, doses, protocols, measures
- screening: questions, question sets, rules, organisation settings
- session: cues, behavioural states, in-session checks
"""

from __future__ import annotations

from kneadwell.library.schema.common import (
    Action,
    Basis,
    Evidenced,
    Id,
    Item,
    Manifest,
    Pressure,
    PressureName,
    SessionAction,
    SourceId,
    Sources,
    Text,
)
from kneadwell.library.schema.programmes import (
    OCCASION_LABELS,
    OCCASIONS,
    ClassWeek,
    Dose,
    DosePhase,
    EvidenceSummary,
    Measure,
    MeasureTiming,
    Occasion,
    PrepItem,
    Protocol,
    Routine,
    Section,
    Step,
    Suits,
    Technique,
)
from kneadwell.library.schema.reference import (
    Condition,
    Population,
    Region,
    Source,
)
from kneadwell.library.schema.screening import (
    AskIf,
    Choice,
    Modifications,
    Question,
    QuestionSet,
    QuestionType,
    RegionSpec,
    Rule,
    SettingDef,
)
from kneadwell.library.schema.session import (
    BehaviouralState,
    Cue,
    SessionCheck,
)

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

__all__ = [
    "COLLECTIONS",
    "OCCASIONS",
    "OCCASION_LABELS",
    "Action",
    "AskIf",
    "Basis",
    "BehaviouralState",
    "Choice",
    "ClassWeek",
    "Condition",
    "Cue",
    "Dose",
    "DosePhase",
    "EvidenceSummary",
    "Evidenced",
    "Id",
    "Item",
    "Manifest",
    "Measure",
    "MeasureTiming",
    "Modifications",
    "Occasion",
    "Population",
    "PrepItem",
    "Pressure",
    "PressureName",
    "Protocol",
    "Question",
    "QuestionSet",
    "QuestionType",
    "Region",
    "RegionSpec",
    "Routine",
    "Rule",
    "Section",
    "SessionAction",
    "SessionCheck",
    "SettingDef",
    "Source",
    "SourceId",
    "Sources",
    "Step",
    "Suits",
    "Technique",
    "Text",
]
