"""Properties that must hold for any answers at all: generated from the question definitions, with any
question left blank or answered with any valid value, any conditions, any protocol and any releases."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kneadwell.library.adaptation import adapt_routine
from kneadwell.library.answers import choice_ids
from kneadwell.library.catalog import Library
from kneadwell.library.loader import default_library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.population import allowed_populations
from kneadwell.library.predicates import AnswerP, SettingRef, TextMentionsP, walk
from kneadwell.library.schema import Pressure, Question
from kneadwell.library.screening import Action, ClientFacts, GivenRelease, Verdict, release_covers, screen

from .conftest import clear_answers

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LIB: Library = default_library()
DEFAULTS = ScreeningSettings.for_library(LIB)


def _value(q: Question) -> st.SearchStrategy[Any]:
    if q.type == "yes_no":
        return st.booleans()
    if q.type == "number":
        assert q.min is not None
        assert q.max is not None
        return st.floats(min_value=q.min, max_value=q.max, allow_nan=False, allow_infinity=False)
    if q.type == "date":
        return st.dates(min_value=date(2015, 1, 1), max_value=NOW.date())
    if q.type == "datetime":
        return st.datetimes(
            min_value=datetime(2024, 12, 1),
            max_value=NOW.replace(tzinfo=None),
            timezones=st.just(UTC),
        )
    if q.type == "choice":
        return st.sampled_from(sorted(choice_ids(LIB, q)))
    if q.type == "multi_choice":
        return st.lists(st.sampled_from(sorted(choice_ids(LIB, q))), max_size=3, unique=True)
    if q.type == "region_multi_choice":
        drawable = sorted(r.id for r in LIB.regions.values() if r.kind in ("area", "group"))
        return st.lists(st.sampled_from(drawable), max_size=3, unique=True)
    return st.text(max_size=20)


@functools.cache  # built once per form: building the strategies is most of the cost of an example
def _answers(population: str, scope: str) -> st.SearchStrategy[dict[str, Any]]:
    questions = LIB.questions_for(population, scope)
    return st.fixed_dictionaries({}, optional={q.id: st.one_of(st.none(), _value(q)) for q in questions})


def consistent(intake: dict[str, Any], today: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Blank every follow-up whose gate is answered otherwise ("not vaccinated" with a vaccination time),
    and a list asked after a yes that names nothing: the screening refuses such answers (AnswerError),
    which test_screening_units.py covers."""
    scopes = {"intake": dict(intake), "today": dict(today)}
    for answers in scopes.values():
        for qid in list(answers):
            gate = LIB.questions[qid].ask_if
            if gate is None:
                continue
            given = scopes[LIB.questions[gate.question].scope].get(gate.question)
            if given is not None and given != gate.equals:
                answers[qid] = None
            elif gate.otherwise_none and given is True and answers[qid] in ([], ()):
                answers[qid] = None  # "yes, but nowhere" is refused too
    return scopes["intake"], scopes["today"]


@st.composite
def records(draw: st.DrawFn) -> ClientFacts:
    """A client record (birth date, gestation, conditions) and a population that fits it."""
    # babies, children and teenagers, adults
    age = st.one_of(st.integers(0, 364), st.integers(365, 6700), st.integers(6570, 32000))
    birth = NOW.date() - timedelta(days=draw(age))
    gestation = draw(st.one_of(st.none(), st.integers(min_value=22, max_value=42)))
    days = draw(st.integers(min_value=0, max_value=6))
    conditions = draw(st.sets(st.sampled_from(sorted(LIB.conditions)), max_size=4))
    fitting = allowed_populations(
        birth_date=birth, on=NOW.date(), gestation_weeks=gestation, gestation_days=days, conditions=conditions
    )
    return ClientFacts.from_birth(
        population=draw(st.sampled_from(sorted(fitting))),
        birth_date=birth,
        on=NOW.date(),
        gestation_weeks=gestation,
        gestation_days=days,
        conditions=conditions,
    )


@st.composite
def screenings(draw: st.DrawFn) -> tuple[dict[str, Any], Verdict]:
    client = draw(records())
    population = client.population
    intake, today = consistent(draw(_answers(population, "intake")), draw(_answers(population, "today")))
    args: dict[str, Any] = {
        "library": LIB,
        "protocol_id": draw(st.sampled_from(sorted(LIB.protocols))),
        "client": client,
        "intake": intake,
        "today": today,
        "settings": DEFAULTS,
        "now": NOW,
        "released": frozenset(draw(st.sets(st.sampled_from(sorted(LIB.rules)), max_size=6))),
    }
    return args, screen(**args)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(screenings())
def test_every_reason_for_a_verdict_other_than_go_has_words_and_a_known_source(
    case: tuple[dict, Verdict],
) -> None:
    _, verdict = case
    if verdict.action is not Action.GO:
        assert verdict.active_reasons
    for reason in verdict.reasons:
        assert reason.parent_text.strip()
        assert reason.clinician_text.strip()
        assert reason.instead.strip()
        assert reason.sources
        assert set(reason.sources) <= set(LIB.sources)


@PROPERTY
@given(screenings())
def test_the_verdict_is_the_most_serious_active_reason(case: tuple[dict, Verdict]) -> None:
    _, verdict = case
    expected = max((r.action for r in verdict.active_reasons), key=lambda a: a.rank, default=Action.GO)
    assert verdict.action is expected
    assert (verdict.action is Action.GO) == (not verdict.active_reasons)


@PROPERTY
@given(screenings())
def test_a_stop_is_never_go_and_always_blocks(case: tuple[dict, Verdict]) -> None:
    _, verdict = case
    if any(r.action is Action.STOP for r in verdict.reasons):
        assert verdict.action is Action.STOP
        assert verdict.blocks
        assert verdict.to_dict()["blocks"] is True


@PROPERTY
@given(screenings())
def test_releasing_every_rule_cannot_lift_a_stop(case: tuple[dict, Verdict]) -> None:
    args, verdict = case
    all_released = screen(**{**args, "released": frozenset(LIB.rules)})
    stops = {r.rule_id for r in verdict.reasons if r.action is Action.STOP}
    assert stops == {r.rule_id for r in all_released.reasons if r.action is Action.STOP}
    if stops:
        assert all_released.action is Action.STOP
    # Only needs-release reasons, and since fdca2a9 the avoid-areas of a rule marked releasable (a recent
    # clot's limb), can be released.
    assert all(
        r.action is Action.NEEDS_RELEASE
        or (r.action is Action.AVOID_AREAS and LIB.rules[r.rule_id].releasable)
        for r in all_released.reasons
        if r.released
    )


@PROPERTY
@given(screenings())
def test_avoid_areas_always_names_the_areas(case: tuple[dict, Verdict]) -> None:
    _, verdict = case
    for reason in verdict.active_reasons:
        if reason.action is Action.AVOID_AREAS:
            assert reason.regions
            assert set(reason.regions) <= set(verdict.avoided_regions)
            assert all(LIB.regions[r].kind == "area" for r in reason.regions)


@PROPERTY
@given(screenings())
def test_the_verdict_serialises_to_json(case: tuple[dict, Verdict]) -> None:
    _, verdict = case
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["action"] == verdict.action.value


@PROPERTY
@given(
    screenings(), st.lists(st.sampled_from(["left_ankle", "right_lower_leg", "left_shoulder"]), max_size=2)
)
def test_todays_routine_never_touches_what_the_verdict_rules_out(
    case: tuple[dict, Verdict], focus: list[str]
) -> None:
    args, verdict = case
    protocol = LIB.protocols[args["protocol_id"]]
    for routine_id in protocol.routines:
        adapted = adapt_routine(LIB, routine_id, verdict, focus_regions=focus)
        if verdict.blocks:
            assert adapted.blocked
            assert not adapted.steps
            continue
        cap = (
            Pressure[verdict.modifications.max_pressure]
            if verdict.modifications.max_pressure
            else Pressure.firm
        )
        no_move = LIB.areas_of(verdict.modifications.no_joint_movement_at)
        for planned in adapted.steps:
            areas = LIB.areas_of(planned.regions)
            assert not areas & set(verdict.avoided_regions)
            assert planned.technique.id not in verdict.modifications.exclude_techniques
            if planned.technique.moves_joints:
                assert not areas & no_move
            if planned.pressure is not None:
                assert Pressure[planned.pressure] <= cap


# --- monotonicity: a further finding never makes the verdict less cautious ---------------------------
#
# "Adding a finding" to an answer set means exactly one of these (the converse, "removing" one, undoes it):
#   1. a condition added to the client's record (one that keeps the record fitting the population);
#   2. a yes/no answer changed from its all-clear value to the value some rule fires on (the firing value
#      is read off the rules: fever_today fires on yes, clinician_confirms_stable on no); removing one
#      changes it back and blanks its follow-ups, which described the finding ("had surgery" and its date);
#   3. an entry added to a region or multi-choice answer that is already answered (a list, possibly empty),
#      unless its gate says it does not apply; removing drops one entry;
#   4. a number answer moved past a threshold a rule compares it with, in the direction that fires, from a
#      value on the all-clear side of every threshold on that question; removing moves a value that is past
#      a threshold to the all-clear value (96 % SpO2, 150 bpm, 36.8 °C, 250,000 platelets);
#   5. a free-text answer gaining a red-flag word the history rule looks for; removing blanks a text that
#      names one.
# Blank answers are not findings: a blank already fires every rule that needs it ("silence is not a no").
# Region answers that only say WHERE a finding recorded elsewhere is (clot_regions, surgery_regions,
# vaccination_site_regions: read by no rule's condition, only to name its areas) are not findings either:
# an empty "where" makes the rule ask for a release (it cannot name the areas), and giving the place lets
# it leave out just that area, a less cautious verdict by design (see
# test_a_findings_place_is_information_not_a_finding).

CLEAR_NUMBER = {
    "spo2_before": 96.0,
    "heart_rate_before": 150.0,
    "axillary_temperature_c": 36.8,
    "temperature_c": 36.8,
    "platelet_count": 250000.0,
    "pain_today": 2.0,
    "neutrophil_count": 3000.0,
    "glucose_mmol_l": 6.5,
    "glucose_mg_dl": 117.0,
}


def _read_in_conditions() -> set[str]:
    return {p.answer for rule in LIB.rules.values() for p in walk(rule.when) if isinstance(p, AnswerP)}


def _firing_yes_no() -> dict[str, bool]:
    seen: dict[str, set[bool]] = {}
    for rule in LIB.rules.values():
        for p in walk(rule.when):
            if isinstance(p, AnswerP) and isinstance(p.equals, bool):
                seen.setdefault(p.answer, set()).add(p.equals)
    return {q: next(iter(values)) for q, values in seen.items() if len(values) == 1}


def _thresholds() -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for rule in LIB.rules.values():
        for p in walk(rule.when):
            if isinstance(p, AnswerP) and (cmp := p.comparison()) is not None:
                op, operand = cmp
                value = (
                    operand.apply(DEFAULTS.value(operand.setting))
                    if isinstance(operand, SettingRef)
                    else float(operand)
                )
                out.setdefault(p.answer, []).append((op, float(value)))
    return out


def _red_flags() -> tuple[set[str], list[str]]:
    rule = LIB.rules["history_mentions_risk"]
    assert isinstance(rule.when, TextMentionsP)
    stems = [s for terms in rule.when.text_mentions.terms.values() for s in terms]
    return set(rule.when.text_mentions.answers), stems


FIRING = _firing_yes_no()
THRESHOLDS = _thresholds()
TEXT_QUESTIONS, RED_FLAG_WORDS = _red_flags()
LOCATION_ONLY = {
    q.id
    for q in LIB.questions.values()
    if q.type == "region_multi_choice" and q.id not in _read_in_conditions() and LIB.read_by.get(q.id)
}
DRAWABLE = sorted(r.id for r in LIB.regions.values() if r.kind in ("area", "group"))
CMP = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _past(op: str, threshold: float) -> float:
    return {"lt": threshold - 0.1, "le": threshold, "gt": threshold + 0.1, "ge": threshold}[op]


def _fires(qid: str, value: float) -> bool:
    return any(CMP[op](value, t) for op, t in THRESHOLDS[qid])


@functools.cache
def _few_answers(population: str, scope: str) -> st.SearchStrategy[dict[str, Any]]:
    """A few answers changed from the all-clear ones, so that the base is often not already a stop."""
    questions = LIB.questions_for(population, scope)

    # Mostly values, sometimes a blank (a blank today's answer usually stops the session on its own).
    def answer(q: Question) -> st.SearchStrategy[tuple[str, Any]]:
        value = st.one_of(_value(q), _value(q), st.none())
        return st.tuples(st.just(q.id), value)

    return st.lists(st.sampled_from(questions).flatmap(answer), max_size=4).map(dict)


@st.composite
def near_clear(draw: st.DrawFn) -> dict[str, Any]:
    """Screening arguments: a fitting record, all-clear answers with a few changed, a programme (usually
    one written for the population) and a few rules released by id."""
    client = draw(records())
    population = client.population
    intake = {**clear_answers(LIB, population, "intake"), **draw(_few_answers(population, "intake"))}
    today = {**clear_answers(LIB, population, "today"), **draw(_few_answers(population, "today"))}
    intake, today = consistent(intake, today)
    own = sorted(p.id for p in LIB.protocols.values() if population in p.populations)
    return {
        "library": LIB,
        # A programme written for the population: any other is a stop from the start (protocol_population,
        # covered by the scenarios), which would leave nothing to compare.
        "protocol_id": draw(st.sampled_from(own)),
        "client": client,
        "intake": intake,
        "today": today,
        "settings": DEFAULTS,
        "now": NOW,
        "released": frozenset(draw(st.sets(st.sampled_from(sorted(LIB.rules)), max_size=4))),
    }


def _fits(client: ClientFacts, conditions: frozenset[str]) -> bool:
    assert client.birth_date is not None
    return client.population in allowed_populations(
        birth_date=client.birth_date,
        on=NOW.date(),
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
        conditions=conditions,
    )


def _gate_closed(qid: str, answers: dict[str, dict[str, Any]]) -> bool:
    gate = LIB.questions[qid].ask_if
    if gate is None:
        return False
    given = answers[LIB.questions[gate.question].scope].get(gate.question)
    return given is not None and given != gate.equals


def _follow_ups(qid: str, *, opened_by: Any) -> tuple[str, ...]:
    """The questions asked only when `qid` is answered `opened_by`."""
    return tuple(
        q.id
        for q in LIB.questions.values()
        if q.ask_if is not None and q.ask_if.question == qid and q.ask_if.equals == opened_by
    )


Change = Callable[[dict[str, Any]], dict[str, Any]]


def _with_answer(scope: str, qid: str, value: Any, blank: tuple[str, ...] = ()) -> Change:
    def change(args: dict[str, Any]) -> dict[str, Any]:
        out = {**args, "intake": dict(args["intake"]), "today": dict(args["today"])}
        out[scope][qid] = value
        for other in blank:
            out[LIB.questions[other].scope][other] = None
        return out

    return change


def _with_conditions(conditions: frozenset[str]) -> Change:
    return lambda args: {**args, "client": dataclasses.replace(args["client"], conditions=conditions)}


def changes(args: dict[str, Any], *, adding: bool) -> list[tuple[str, str, Change]]:
    """Every way to add (or remove) one finding to (from) these arguments, as defined above."""
    client: ClientFacts = args["client"]
    population = client.population
    answers = {"intake": args["intake"], "today": args["today"]}
    out: list[tuple[str, str, Change]] = []
    for c in sorted(LIB.conditions):
        if (c in client.conditions) is not adding:
            new = client.conditions | {c} if adding else client.conditions - {c}
            if _fits(client, new):
                out.append(("condition", f"{'+' if adding else '-'}condition {c}", _with_conditions(new)))
    for scope in ("intake", "today"):
        for q in LIB.questions_for(population, scope):
            value = answers[scope].get(q.id)
            if q.type == "yes_no" and q.id in FIRING:
                firing = FIRING[q.id]
                if adding and value is (not firing):
                    out.append(("yes/no", f"{q.id}: {value} -> {firing}", _with_answer(scope, q.id, firing)))
                elif not adding and value is firing:
                    blank = _follow_ups(q.id, opened_by=firing)
                    out.append(
                        (
                            "yes/no",
                            f"{q.id}: {value} -> {not firing}",
                            _with_answer(scope, q.id, not firing, blank),
                        )
                    )
            elif q.type in ("region_multi_choice", "multi_choice") and isinstance(value, list):
                if q.id in LOCATION_ONLY or _gate_closed(q.id, answers):
                    continue
                if adding:
                    pool = DRAWABLE if q.type == "region_multi_choice" else sorted(choice_ids(LIB, q))
                    for entry in pool:
                        if entry not in value:
                            out.append(
                                ("entry", f"{q.id} + {entry}", _with_answer(scope, q.id, [*value, entry]))
                            )
                else:
                    for entry in value:
                        rest = [v for v in value if v != entry]
                        if not rest and q.ask_if is not None and q.ask_if.otherwise_none:
                            # The last area of a list its "yes" asked for: an empty list beside that "yes"
                            # is an incomplete check (refused), and "none" is the gate's "no", a yes/no
                            # change above.
                            continue
                        out.append(("entry", f"{q.id} - {entry}", _with_answer(scope, q.id, rest)))
            elif q.type == "number" and q.id in THRESHOLDS and value is not None:
                assert q.min is not None
                assert q.max is not None
                if adding and not _fires(q.id, float(value)):
                    for op, threshold in THRESHOLDS[q.id]:
                        new_value = min(max(_past(op, threshold), q.min), q.max)
                        if CMP[op](new_value, threshold):
                            out.append(
                                (
                                    "number",
                                    f"{q.id}: {value} -> {new_value}",
                                    _with_answer(scope, q.id, new_value),
                                )
                            )
                elif not adding and _fires(q.id, float(value)):
                    clear = CLEAR_NUMBER[q.id]
                    assert not _fires(q.id, clear)
                    out.append(("number", f"{q.id}: {value} -> {clear}", _with_answer(scope, q.id, clear)))
            elif q.type == "text" and q.id in TEXT_QUESTIONS:
                if adding:
                    for word in RED_FLAG_WORDS:
                        text = f"{value or ''} {word}".strip()
                        out.append(("text", f"{q.id} + {word!r}", _with_answer(scope, q.id, text)))
                elif value is not None and str(value).strip():
                    out.append(("text", f"{q.id} blanked", _with_answer(scope, q.id, None)))
    return out


@st.composite
def one_change(draw: st.DrawFn, *, adding: bool) -> tuple[dict[str, Any], dict[str, Any], str]:
    before = draw(near_clear())
    if not adding:  # give the base a few findings to remove
        for _ in range(draw(st.integers(0, 3))):
            added = changes(before, adding=True)
            if added:
                before = draw(st.sampled_from(added))[2](before)
    options = changes(before, adding=adding)
    assume(options)
    # First the kind of finding (condition, yes/no, list entry, number, text), then one of that kind, so
    # that the many conditions and regions do not crowd out the rest.
    present = {kind for kind, _, _ in options}
    kind = draw(
        st.sampled_from([k for k in ("yes/no", "number", "text", "entry", "condition") if k in present])
    )
    label, change = draw(st.sampled_from([(label, change) for k, label, change in options if k == kind]))
    return before, change(before), label


@PROPERTY
@given(one_change(adding=True))
def test_adding_a_finding_never_makes_the_verdict_less_cautious(case: tuple[dict, dict, str]) -> None:
    before, after, label = case
    was, now = screen(**before), screen(**after)
    assert now.action.rank >= was.action.rank, (label, was.action, now.action)


@PROPERTY
@given(one_change(adding=False))
def test_removing_a_finding_never_makes_the_verdict_more_cautious(case: tuple[dict, dict, str]) -> None:
    before, after, label = case
    was, now = screen(**before), screen(**after)
    assert now.action.rank <= was.action.rank, (label, was.action, now.action)


def _recorded(verdict: Verdict) -> dict[str, GivenRelease]:
    """A clinician releases every reason that can be released, for the finding as this check saw it."""
    return {
        r.rule_id: GivenRelease(r.rule_id, r.finding, NOW.date(), "Dr Okafor")
        for r in verdict.reasons
        if r.action is Action.NEEDS_RELEASE
        or (r.action is Action.AVOID_AREAS and LIB.rules[r.rule_id].releasable)
    }


@PROPERTY
@given(one_change(adding=True))
def test_a_release_tied_to_its_finding_never_covers_a_worse_one(case: tuple[dict, dict, str]) -> None:
    before, after, label = case
    releases = _recorded(screen(**{**before, "released": frozenset()}))
    was = screen(**{**before, "released": releases})
    now = screen(**{**after, "released": releases})
    # With the releases in force, the further finding still never lowers the verdict ...
    assert now.action.rank >= was.action.rank, (label, was.action, now.action)
    # ... a released rule whose finding got worse is active again and says why ...
    for reason in now.reasons:
        given_release = releases.get(reason.rule_id)
        if given_release is None or given_release.finding is None:
            continue
        worse = release_covers(LIB, LIB.rules[reason.rule_id], given_release.finding, reason.finding)
        if worse is not None and reason.action in (Action.NEEDS_RELEASE, Action.AVOID_AREAS):
            assert not reason.released, label
            assert reason.release_void is not None
            assert worse in reason.release_void
            assert now.action.rank >= reason.action.rank
    # ... and a release tied to the finding never lifts more than one given for the finding as it is now.
    by_id = screen(**{**after, "released": frozenset(releases)})
    assert now.action.rank >= by_id.action.rank


def test_a_findings_place_is_information_not_a_finding(run_screen: Any) -> None:
    """A clot in the past months with no place asks for a release (the areas cannot be named); once the
    place is given, that limb is left out and the session may go ahead. This is why place-only region
    answers are outside the monotonicity property above."""
    clot = {"clot_history": True, "clot_date": NOW.date() - timedelta(days=30)}
    nowhere = run_screen("rehab", intake={**clot, "clot_regions": []})
    reason = next(r for r in nowhere.active_reasons if r.rule_id == "recent_clot")
    assert reason.escalated
    assert nowhere.action is Action.NEEDS_RELEASE
    placed = run_screen("rehab", intake={**clot, "clot_regions": ["left_thigh"]})
    assert placed.action is Action.AVOID_AREAS
    assert sorted(LOCATION_ONLY) == ["clot_regions", "surgery_regions", "vaccination_site_regions"]
