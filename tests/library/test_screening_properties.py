"""Properties that must hold for any answers at all: generated from the question definitions, with any
question left blank or answered with any valid value, any conditions, any protocol and any releases."""

from __future__ import annotations

import functools
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kneadwell.library.adaptation import adapt_routine
from kneadwell.library.answers import choice_ids
from kneadwell.library.catalog import Library
from kneadwell.library.loader import default_library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.population import allowed_populations
from kneadwell.library.schema import Pressure, Question
from kneadwell.library.screening import Action, ClientFacts, Verdict, screen

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
    """Blank every follow-up whose gate is answered otherwise ("not vaccinated" with a vaccination time):
    the screening refuses such answers (AnswerError), which test_screening_units.py covers."""
    scopes = {"intake": dict(intake), "today": dict(today)}
    for answers in scopes.values():
        for qid in list(answers):
            gate = LIB.questions[qid].ask_if
            if gate is None:
                continue
            given = scopes[LIB.questions[gate.question].scope].get(gate.question)
            if given is not None and given != gate.equals:
                answers[qid] = None
    return scopes["intake"], scopes["today"]


@st.composite
def records(draw: st.DrawFn) -> ClientFacts:
    """A client record (birth date, gestation, conditions) and a population that fits it."""
    birth = NOW.date() - timedelta(days=draw(st.integers(min_value=0, max_value=9000)))
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
