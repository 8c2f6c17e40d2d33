"""The loaded library: every item by id, the content version, and the look-ups pages and screening need.

Built only by loader.load_library(), after every item has been validated and cross-checked, so code that
holds a Library can index it without guarding against dangling ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kneadwell.content.loader import ContentVersion
from kneadwell.library.schema import (
    BehaviouralState,
    Condition,
    Cue,
    Measure,
    Population,
    Protocol,
    Question,
    QuestionSet,
    Region,
    Routine,
    Rule,
    SessionCheck,
    SettingDef,
    Source,
    Technique,
)


@dataclass(frozen=True)
class Library:
    version: ContentVersion
    content_dir: Path
    sources: Mapping[str, Source]
    regions: Mapping[str, Region]
    conditions: Mapping[str, Condition]
    populations: Mapping[str, Population]
    techniques: Mapping[str, Technique]
    routines: Mapping[str, Routine]
    protocols: Mapping[str, Protocol]
    rules: Mapping[str, Rule]
    settings: Mapping[str, SettingDef]
    cues: Mapping[str, Cue]
    states: Mapping[str, BehaviouralState]
    questions: Mapping[str, Question]
    question_sets: Mapping[str, QuestionSet]
    measures: Mapping[str, Measure]
    session_checks: Mapping[str, SessionCheck]
    read_by: Mapping[str, tuple[str, ...]]  # question id -> ids of the rules that read it

    # --- questions -------------------------------------------------------------------------------------

    def question_set(self, population: str, scope: str) -> QuestionSet:
        """The intake ("intake") or today's-check ("today") question set for a population."""
        pop = self.populations[population]
        return self.question_sets[pop.intake_set if scope == "intake" else pop.readiness_set]

    def questions_for(self, population: str, scope: str) -> list[Question]:
        return [self.questions[q] for q in self.question_set(population, scope).questions]

    def questions_asked(
        self, population: str, scope: str, *, conditions: Iterable[str], age_days: int | None
    ) -> list[Question]:
        """The questions a form shows this client: those for a condition only when the client has it,
        those for young babies only while the client is young enough."""
        held = set(conditions)
        return [
            q
            for q in self.questions_for(population, scope)
            if (not q.for_conditions or held.intersection(q.for_conditions))
            and (q.max_age_days is None or age_days is None or age_days < q.max_age_days)
        ]

    # --- rules -----------------------------------------------------------------------------------------

    def rules_for(self, protocol_id: str, population: str) -> list[Rule]:
        """The rules that apply when screening `population` for `protocol_id`, in file order."""
        return [
            rule
            for rule in self.rules.values()
            if (not rule.populations or population in rule.populations)
            and (not rule.protocols or protocol_id in rule.protocols)
        ]

    def rule_populations(self, rule: Rule) -> set[str]:
        """The populations whose question sets must ask what the rule reads.

        A protocol-specific rule without its own population list is written for that protocol's
        populations; anyone else screened for the protocol is already stopped by the eligibility rule.
        """
        if rule.populations:
            return set(rule.populations)
        if rule.protocols:
            return {p for pid in rule.protocols for p in self.protocols[pid].populations}
        return set(self.populations)

    # --- regions ---------------------------------------------------------------------------------------

    def children(self, region_id: str) -> list[str]:
        return [r.id for r in self.regions.values() if r.parent == region_id]

    def areas_of(self, region_ids: Iterable[str]) -> set[str]:
        """Expand groups to the areas (drawable leaves) they contain; whole_body and focus expand to none."""
        out: set[str] = set()
        stack = list(region_ids)
        while stack:
            rid = stack.pop()
            region = self.regions[rid]
            if region.kind == "area":
                out.add(rid)
            if region.kind == "group" or region.kind == "area":
                stack.extend(self.children(rid))
        return out

    def distal_of(self, region_id: str) -> list[str]:
        """The limb below an area, nearest first (thigh -> knee, lower leg, ankle, foot)."""
        out: list[str] = []
        current = self.regions[region_id].next_distal
        while current is not None and current not in out:
            out.append(current)
            current = self.regions[current].next_distal
        return out

    def limb_of(self, region_id: str) -> list[str]:
        """Every segment of the limb an area belongs to, top to bottom (lower leg -> hip ... foot); an
        area on no limb chain is returned alone."""
        above: list[str] = []
        current = region_id
        while True:
            parent = next((r.id for r in self.regions.values() if r.next_distal == current), None)
            if parent is None or parent in above:
                break
            above.insert(0, parent)
            current = parent
        return [*above, region_id, *self.distal_of(region_id)]

    def ancestors(self, region_id: str) -> list[str]:
        out: list[str] = []
        parent = self.regions[region_id].parent
        while parent is not None and parent not in out:
            out.append(parent)
            parent = self.regions[parent].parent
        return out

    # --- contract output -------------------------------------------------------------------------------

    def contract(self) -> dict[str, Any]:
        """The `kneadwell library` JSON (contract): techniques, protocols and rules with their sources."""
        return {
            "techniques": [
                {"id": t.id, "name": t.name, "regions": list(t.regions), "sources": list(t.sources)}
                for t in self.techniques.values()
            ],
            "protocols": [
                {
                    "id": p.id,
                    "name": p.name,
                    "population": p.population,
                    "sessions_per_day": p.dose.sessions_per_day,
                    "session_minutes": p.dose.session_minutes,
                    "days": p.dose.days,
                    "sources": list(p.sources),
                }
                for p in self.protocols.values()
            ],
            "rules": [
                {"id": r.id, "action": r.action, "sources": list(r.sources)} for r in self.rules.values()
            ],
        }
