"""Checks that need the whole library: every reference resolves and every rule can actually be answered.

Each problem names the item (collection and id) and the path inside it, so the loader can turn it into
"file:line". The checks are deliberately strict: a rule that reads a question no form asks would always
see a blank answer, and (blank meaning "may apply") would then fire for everyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kneadwell.library import predicates as P
from kneadwell.library.bodymap import SHAPES
from kneadwell.library.schema import (
    Item,
    Protocol,
    Question,
    Region,
    Routine,
    Rule,
    Technique,
)

Items = Mapping[str, Mapping[str, Any]]  # collection -> id -> item
TIME_UNITS = {"minutes", "hours", "days", "weeks", "months"}


@dataclass(frozen=True)
class Issue:
    collection: str
    item_id: str
    path: tuple[str | int, ...]
    message: str


def _sources(items: Items) -> Iterator[Issue]:
    known = set(items["sources"])
    for collection, by_id in items.items():
        for item_id, item in by_id.items():
            for path, source_id in _source_refs(item):
                if source_id not in known:
                    yield Issue(collection, item_id, path, f"unknown source '{source_id}'")


def _source_refs(obj: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every `sources: [...]` list anywhere inside an item (dose, evidence and preparation included)."""
    if isinstance(obj, Item):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if name == "sources" and isinstance(value, list):
                for i, sid in enumerate(value):
                    yield (*path, "sources", i), sid
            else:
                yield from _source_refs(value, (*path, name))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _source_refs(value, (*path, i))


def _regions(items: Items) -> Iterator[Issue]:
    regions: Mapping[str, Region] = items["regions"]
    for rid, region in regions.items():
        if region.parent is not None:
            parent = regions.get(region.parent)
            if parent is None:
                yield Issue("regions", rid, ("parent",), f"unknown region '{region.parent}'")
            elif parent.kind in ("whole_body", "focus"):
                yield Issue("regions", rid, ("parent",), f"'{region.parent}' cannot contain regions")
        if region.next_distal is not None:
            nxt = regions.get(region.next_distal)
            if nxt is None or nxt.kind != "area":
                yield Issue("regions", rid, ("next_distal",), f"'{region.next_distal}' is not a known area")
        for i, svg_id in enumerate(region.svg_ids):
            if svg_id not in SHAPES:
                yield Issue("regions", rid, ("svg_ids", i), f"the body map has no shape '{svg_id}'")
        seen = {rid}
        current = region.parent
        while current is not None and current in regions:
            if current in seen:
                yield Issue("regions", rid, ("parent",), "regions contain each other in a loop")
                break
            seen.add(current)
            current = regions[current].parent


def _covered_by(regions: Mapping[str, Region], rid: str, allowed: set[str]) -> bool:
    """True when `rid` is one of `allowed` or lies inside one of them."""
    current: str | None = rid
    while current is not None:
        if current in allowed:
            return True
        current = regions[current].parent if current in regions else None
    return False


def _techniques(items: Items) -> Iterator[Issue]:
    regions, populations = items["regions"], items["populations"]
    technique: Technique
    for tid, technique in items["techniques"].items():
        for i, rid in enumerate(technique.regions):
            if rid not in regions:
                yield Issue("techniques", tid, ("regions", i), f"unknown region '{rid}'")
        for i, pid in enumerate(technique.suits.populations):
            if pid not in populations:
                yield Issue("techniques", tid, ("suits", "populations", i), f"unknown population '{pid}'")


def _routines(items: Items) -> Iterator[Issue]:
    regions, techniques = items["regions"], items["techniques"]
    routine: Routine
    for rid, routine in items["routines"].items():
        if routine.population not in items["populations"]:
            yield Issue("routines", rid, ("population",), f"unknown population '{routine.population}'")
        section_ids = {s.id for s in routine.sections}
        for i, step in enumerate(routine.steps):
            where = ("steps", i)
            technique: Technique | None = techniques.get(step.technique)
            if technique is None:
                yield Issue("routines", rid, (*where, "technique"), f"unknown technique '{step.technique}'")
            for j, region_id in enumerate(step.regions):
                if region_id not in regions:
                    yield Issue("routines", rid, (*where, "regions", j), f"unknown region '{region_id}'")
                elif technique is not None and not _covered_by(regions, region_id, set(technique.regions)):
                    yield Issue(
                        "routines",
                        rid,
                        (*where, "regions", j),
                        f"technique '{technique.id}' is not used on '{region_id}'",
                    )
                elif (
                    regions[region_id].kind == "whole_body"
                    and technique is not None
                    and technique.kind
                    not in (
                        "ritual",
                        "assessment",
                    )
                ):
                    yield Issue(
                        "routines", rid, (*where, "regions", j), "only rituals and assessments use whole_body"
                    )
            if technique is not None and routine.population not in technique.suits.populations:
                yield Issue(
                    "routines",
                    rid,
                    (*where, "technique"),
                    f"technique '{technique.id}' is not listed as suiting '{routine.population}'",
                )
            if (
                technique is not None
                and step.pressure is not None
                and step.pressure not in technique.pressure
            ):
                yield Issue(
                    "routines",
                    rid,
                    (*where, "pressure"),
                    f"technique '{technique.id}' is not given with {step.pressure} pressure",
                )
            if routine.sections and step.section not in section_ids:
                yield Issue("routines", rid, (*where, "section"), f"unknown section '{step.section}'")


def _protocols(items: Items) -> Iterator[Issue]:
    protocol: Protocol
    for pid, protocol in items["protocols"].items():
        for i, pop in enumerate(protocol.populations):
            if pop not in items["populations"]:
                path: tuple[str | int, ...] = ("population",) if i == 0 else ("other_populations", i - 1)
                yield Issue("protocols", pid, path, f"unknown population '{pop}'")
        sections: set[str] = set()
        for i, routine_id in enumerate(protocol.routines):
            routine: Routine | None = items["routines"].get(routine_id)
            if routine is None:
                yield Issue("protocols", pid, ("routines", i), f"unknown routine '{routine_id}'")
                continue
            sections |= {s.id for s in routine.sections}
            if routine.population not in protocol.populations:
                yield Issue(
                    "protocols", pid, ("routines", i), f"routine '{routine_id}' is for '{routine.population}'"
                )
            # Rituals and assessments are untimed; the timed steps of a fully timed routine must add up to
            # the protocol's session length (5 + 5 + 5 = 15 for tactile-kinesthetic stimulation).
            timed = [
                s
                for s in routine.steps
                if s.technique in items["techniques"]
                and items["techniques"][s.technique].kind not in ("ritual", "assessment")
                and not s.optional
            ]
            minutes = [s.minutes for s in timed]
            if protocol.dose.session_minutes is not None and minutes and all(m is not None for m in minutes):
                total = sum(m for m in minutes if m is not None)
                if abs(total - protocol.dose.session_minutes) > 1e-9:
                    yield Issue(
                        "protocols",
                        pid,
                        ("dose", "session_minutes"),
                        f"routine '{routine_id}' adds up to {total:g} minutes, "
                        f"not {protocol.dose.session_minutes:g}",
                    )
        for i, check in enumerate(protocol.session_checks):
            if check not in items["session_checks"]:
                yield Issue("protocols", pid, ("session_checks", i), f"unknown session check '{check}'")
        for i, measure in enumerate(protocol.outcome_measures):
            if measure not in items["measures"]:
                yield Issue("protocols", pid, ("outcome_measures", i), f"unknown outcome measure '{measure}'")
        timed_measures: set[str] = set()
        for i, timing in enumerate(protocol.measurement_timing):
            for j, measure in enumerate(timing.measures):
                where = ("measurement_timing", i, "measures", j)
                if measure not in protocol.outcome_measures:
                    yield Issue("protocols", pid, where, f"'{measure}' is not an outcome measure here")
                elif measure in timed_measures:
                    yield Issue("protocols", pid, where, f"'{measure}' is timed twice")
                elif (
                    measure in items["measures"]
                    and items["measures"][measure].in_session
                    and timing.when != ["each_session"]
                ):
                    yield Issue("protocols", pid, where, f"'{measure}' is taken in sessions only")
                timed_measures.add(measure)
        for measure in protocol.outcome_measures:
            if measure not in timed_measures:
                yield Issue("protocols", pid, ("measurement_timing",), f"no timing for measure '{measure}'")
        introduced: set[str] = set()
        for i, week in enumerate(protocol.class_progression):
            if week.week != i + 1:
                yield Issue(
                    "protocols", pid, ("class_progression", i, "week"), f"week {week.week} should be {i + 1}"
                )
            for j, section in enumerate(week.sections):
                if section not in sections:
                    yield Issue(
                        "protocols",
                        pid,
                        ("class_progression", i, "sections", j),
                        f"unknown section '{section}'",
                    )
                introduced.add(section)
        if protocol.class_progression and sections - introduced:
            missing = ", ".join(sorted(sections - introduced))
            yield Issue("protocols", pid, ("class_progression",), f"no week introduces: {missing}")


def choice_ids(items: Items, q: Question) -> set[str]:
    if q.choices_from is not None:
        return set(items[q.choices_from])
    return {c.id for c in q.choices}


def _check_answer_test(
    p: P.AnswerP, q: Question, path: tuple[str | int, ...], rid: str, items: Items
) -> Iterator[Issue]:
    choices = choice_ids(items, q)
    if p.equals is not None:
        if q.type == "yes_no" and not isinstance(p.equals, bool):
            yield Issue("rules", rid, path, f"'{q.id}' is yes/no: compare with true or false")
        elif q.type == "choice" and p.equals not in choices:
            yield Issue("rules", rid, path, f"'{p.equals}' is not a choice of '{q.id}'")
        elif q.type not in ("yes_no", "choice"):
            yield Issue("rules", rid, path, f"'equals' does not suit a {q.type} question")
    if p.in_ is not None:
        bad = [v for v in p.in_ if v not in choices]
        if q.type != "choice" or bad:
            yield Issue("rules", rid, path, f"'in' needs choices of '{q.id}' ({', '.join(bad) or q.type})")
    if p.contains is not None and (q.type != "multi_choice" or p.contains not in choices):
        yield Issue("rules", rid, path, f"'contains {p.contains}' does not suit '{q.id}'")
    if p.nonempty is not None and q.type not in ("multi_choice", "region_multi_choice"):
        yield Issue("rules", rid, path, f"'nonempty' needs a list question, not {q.type}")
    if p.within is not None and q.type not in ("date", "datetime"):
        yield Issue("rules", rid, path, f"'within' needs a date or datetime question, not {q.type}")
    if p.comparison() is not None and q.type != "number":
        yield Issue("rules", rid, path, f"comparisons need a number question, not {q.type}")


def _pred_paths(pred: Any, path: tuple[str | int, ...]) -> Iterator[tuple[Any, tuple[str | int, ...]]]:
    yield pred, path
    if isinstance(pred, P.AllOf):
        for i, part in enumerate(pred.all):
            yield from _pred_paths(part, (*path, "all", i))
    elif isinstance(pred, P.AnyOf):
        for i, part in enumerate(pred.any):
            yield from _pred_paths(part, (*path, "any", i))
    elif isinstance(pred, P.NotP):
        yield from _pred_paths(pred.not_, (*path, "not"))


def _rule_populations(items: Items, rule: Rule) -> set[str]:
    if rule.populations:
        return set(rule.populations)
    if rule.protocols:
        return {
            p
            for pid in rule.protocols
            if pid in items["protocols"]
            for p in items["protocols"][pid].populations
        }
    return set(items["populations"])


def _asked(items: Items, population: str) -> set[str]:
    pop = items["populations"].get(population)
    if pop is None:
        return set()
    asked: set[str] = set()
    for set_id in (pop.intake_set, pop.readiness_set):
        qs = items["question_sets"].get(set_id)
        if qs is not None:
            asked |= set(qs.questions)
    return asked


def _rules(items: Items) -> Iterator[Issue]:
    questions: Mapping[str, Question] = items["questions"]
    settings = items["settings"]
    rule: Rule
    for rid, rule in items["rules"].items():
        for i, pop in enumerate(rule.populations):
            if pop not in items["populations"]:
                yield Issue("rules", rid, ("populations", i), f"unknown population '{pop}'")
        for i, proto in enumerate(rule.protocols):
            if proto not in items["protocols"]:
                yield Issue("rules", rid, ("protocols", i), f"unknown protocol '{proto}'")
        for pred, path in _pred_paths(rule.when, ("when",)):
            if isinstance(pred, P.AnswerP):
                q = questions.get(pred.answer)
                if q is None:
                    yield Issue("rules", rid, (*path, "answer"), f"unknown question '{pred.answer}'")
                else:
                    yield from _check_answer_test(pred, q, path, rid, items)
            elif isinstance(pred, P.TextMentionsP):
                for i, qid in enumerate(pred.text_mentions.answers):
                    text_q = questions.get(qid)
                    if text_q is None or text_q.type != "text":
                        where = (*path, "text_mentions", "answers", i)
                        yield Issue("rules", rid, where, f"'{qid}' is not a text question")
            elif isinstance(pred, P.ClientHasP):
                for i, cid in enumerate(pred.client_has):
                    if cid not in items["conditions"]:
                        yield Issue("rules", rid, (*path, "client_has", i), f"unknown condition '{cid}'")
            elif isinstance(pred, P.PopulationP):
                for i, pop in enumerate(pred.population):
                    if pop not in items["populations"]:
                        yield Issue("rules", rid, (*path, "population", i), f"unknown population '{pop}'")
            for sid in P.settings_read(pred) if not isinstance(pred, P.AllOf | P.AnyOf | P.NotP) else ():
                if sid not in settings:
                    yield Issue("rules", rid, path, f"unknown setting '{sid}'")
                elif (
                    isinstance(pred, P.AnswerP)
                    and pred.within is not None
                    and settings[sid].unit not in TIME_UNITS
                ):
                    yield Issue("rules", rid, path, f"setting '{sid}' is not a length of time")
        if rule.regions is not None:
            for i, qid in enumerate(rule.regions.from_answers):
                region_q = questions.get(qid)
                if region_q is None or region_q.type != "region_multi_choice":
                    yield Issue(
                        "rules", rid, ("regions", "from_answers", i), f"'{qid}' is not a region question"
                    )
            for i, region in enumerate(rule.regions.fixed):
                if region not in items["regions"]:
                    yield Issue("rules", rid, ("regions", "fixed", i), f"unknown region '{region}'")
        if rule.modifications is not None:
            for i, tid in enumerate(rule.modifications.exclude_techniques):
                if tid not in items["techniques"]:
                    yield Issue(
                        "rules", rid, ("modifications", "exclude_techniques", i), f"unknown technique '{tid}'"
                    )
            for i, region in enumerate(rule.modifications.no_joint_movement_at):
                if region not in items["regions"]:
                    yield Issue(
                        "rules",
                        rid,
                        ("modifications", "no_joint_movement_at", i),
                        f"unknown region '{region}'",
                    )
        needed = P.questions_read(rule.when, only_blocking=True)
        needed |= set(rule.regions.from_answers) if rule.regions else set()
        for pop in sorted(_rule_populations(items, rule)):
            missing = sorted(q for q in needed - _asked(items, pop) if q in questions)
            if missing:
                yield Issue(
                    "rules",
                    rid,
                    ("when",),
                    f"population '{pop}' is never asked {', '.join(missing)}; the rule would always fire",
                )


def _questions(items: Items) -> Iterator[Issue]:
    questions: Mapping[str, Question] = items["questions"]
    settings = items.get("settings", {})
    for qid, q in questions.items():
        if q.ask_if is not None and q.ask_if.question not in questions:
            yield Issue("questions", qid, ("ask_if", "question"), f"unknown question '{q.ask_if.question}'")
        elif q.ask_if is not None and q.ask_if.otherwise_none:
            gate = questions[q.ask_if.question]
            if gate.type != "yes_no" or gate.scope != q.scope or q.ask_if.equals is not True:
                message = "otherwise_none needs a yes/no gate of the same scope, asked on 'yes'"
                yield Issue("questions", qid, ("ask_if",), message)
            if q.type not in ("region_multi_choice", "multi_choice"):
                yield Issue("questions", qid, ("ask_if",), "otherwise_none is for lists (areas or choices)")
        for field in ("item_label", "help"):
            for name in re.findall(r"\{(\w*)(?:\*[\d.]+)?\}", getattr(q, field) or ""):
                if name not in settings:
                    yield Issue("questions", qid, (field,), f"'{{{name}}}' is not a setting")
        if "{" in q.label:
            yield Issue("questions", qid, ("label",), "only an item_label or help may quote a setting")
        for i, cid in enumerate(q.for_conditions):
            if cid not in items["conditions"]:
                yield Issue("questions", qid, ("for_conditions", i), f"unknown condition '{cid}'")
    for set_id, qs in items["question_sets"].items():
        if qs.population not in items["populations"]:
            yield Issue("question_sets", set_id, ("population",), f"unknown population '{qs.population}'")
        for i, qid in enumerate(qs.questions):
            member = questions.get(qid)
            if member is None:
                yield Issue("question_sets", set_id, ("questions", i), f"unknown question '{qid}'")
            elif member.scope != qs.scope:
                message = f"'{qid}' is an {member.scope} question"
                yield Issue("question_sets", set_id, ("questions", i), message)
        if len(set(qs.questions)) != len(qs.questions):
            yield Issue("question_sets", set_id, ("questions",), "a question appears twice")
        for i, qid in enumerate(qs.checklist):
            member = questions.get(qid)
            where = ("checklist", i)
            if qid not in qs.questions:
                yield Issue("question_sets", set_id, where, f"'{qid}' is not one of the set's questions")
            elif member is None or member.type not in ("yes_no", "multi_choice") or member.ask_if is not None:
                message = f"'{qid}' is not a plain yes/no or multiple-choice question"
                yield Issue("question_sets", set_id, where, message)
            elif not _fires_on_yes(items, qid):
                message = f"a rule reads '{qid}' other than 'a tick is a finding': no tick could hide one"
                yield Issue("question_sets", set_id, where, message)
        for i, qid in enumerate(qs.questions):
            asks_if = getattr(questions.get(qid), "ask_if", None)
            gate_id: str = asks_if.question if asks_if is not None else ""
            gate_q = questions.get(gate_id)
            if gate_q is not None and gate_q.scope == qs.scope and gate_id not in qs.questions:
                message = f"'{qid}' is asked after '{gate_id}', which the set does not ask"
                yield Issue("question_sets", set_id, ("questions", i), message)
    for pid, pop in items["populations"].items():
        for field, scope in (("intake_set", "intake"), ("readiness_set", "today")):
            qs = items["question_sets"].get(getattr(pop, field))
            if qs is None or qs.scope != scope or qs.population != pid:
                yield Issue("populations", pid, (field,), f"needs a {scope} question set for '{pid}'")


def _fires_on_yes(items: Items, qid: str) -> bool:
    """Every test of the question in every rule is `equals: true` (a yes/no question) or `contains` /
    `nonempty: true` (a list), so "no tick" can only be all-clear."""
    for rule in items["rules"].values():
        for pred, _ in _pred_paths(rule.when, ("when",)):
            if not isinstance(pred, P.AnswerP) or pred.answer != qid:
                continue
            # `equals: false` fires on "no"; any other operator is not a yes/no test. (A non-boolean value
            # such as "maybe" is reported by the answer-type check.)
            if pred.equals is False or (pred.equals is None and pred.contains is None and not pred.nonempty):
                return False
    return True


def _session_checks(items: Items, implemented: set[str]) -> Iterator[Issue]:
    for cid, check in items["session_checks"].items():
        if cid not in implemented:
            yield Issue("session_checks", cid, ("id",), f"stop_rules.py implements no check '{cid}'")
        for i, sid in enumerate(check.settings):
            if sid not in items["settings"]:
                yield Issue("session_checks", cid, ("settings", i), f"unknown setting '{sid}'")
    for cid in sorted(implemented - set(items["session_checks"])):
        yield Issue(
            "session_checks", "", (), f"no words or sources for the check '{cid}' that stop_rules.py runs"
        )
    numbers = [s.number for s in items["states"].values()]
    if items["states"] and sorted(numbers) != list(range(1, 7)):
        first = next(iter(items["states"]))
        yield Issue("states", first, ("number",), "the six behavioural states must be numbered 1 to 6")


def crosscheck(items: Items, *, implemented_checks: set[str]) -> list[Issue]:
    issues: list[Issue] = []
    for check in (_sources, _regions, _techniques, _routines, _protocols, _rules, _questions):
        issues.extend(check(items))
    issues.extend(_session_checks(items, implemented_checks))
    return issues
