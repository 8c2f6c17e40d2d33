"""The device decides as the server does: static/js/rules.js against the Python engine (issue 14).

Every screening scenario (test_screening_scenarios.SCENARIOS), every screening the library's tests make
through the `run_screen` fixture, and every in-session case of test_stop_rules.py are run through both
the Python engine and rules.js (under node), comparing the whole result: the verdict, every reason with its
words, regions, modifications, settings used, unanswered questions, finding, release state and retry time.
Then hypothesis compares both on random records, answers, settings, releases, clocks and observations.

The Python side of each comparison is the server's own path on the bundle's contents
(`bundle.device_screen`), which is first checked to give exactly what `screen` gave the original test.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kneadwell.library.answers import AnswerError
from kneadwell.library.bundle import device_screen
from kneadwell.library.catalog import Library
from kneadwell.library.forms import fill_settings
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.predicates import AnswerP, walk
from kneadwell.library.screening import ClientFacts, ScreeningInputError, Verdict, screen
from kneadwell.library.stop_rules import (
    ImplausibleVitalSign,
    SessionDecision,
    SessionObservations,
    UnknownObservation,
    VitalReading,
    evaluate_in_session,
)

from . import (
    test_adaptation,
    test_content_condition_programmes,
    test_screening,
    test_screening_properties,
    test_screening_rules,
    test_screening_scenarios,
    test_stop_rules,
)
from .conftest import NOW, PROTOCOL_FOR, clear_answers, fitting_client, newborn
from .rules_js import NodeRules, Unrepresentable, as_json, bundle_for, plain
from .test_screening_properties import LIB, consistent, records

RANK = {"go": 0, "modify": 1, "avoid-areas": 2, "needs-release": 3, "stop": 4}


@pytest.fixture(scope="module")
def js() -> Iterator[NodeRules]:
    with NodeRules() as runner:
        yield runner


def python_verdict(verdict: Verdict) -> dict[str, Any]:
    data = verdict.to_dict()
    return plain(
        {
            "ok": True,
            **data,
            "verdict": data["action"],
            "findings": [
                {"rule": r["rule_id"], "decision": r["action"], "reason": r["parent_text"]}
                for r in data["reasons"]
                if not r["released"]
            ],
        }
    )


def differences(python: Any, device: Any, path: str = "") -> list[str]:
    """Where two results differ, as short paths (a whole-result assert would print two long JSONs)."""
    if isinstance(python, dict) and isinstance(device, dict):
        out: list[str] = []
        for key in sorted(set(python) | set(device)):
            if key not in python or key not in device:
                out.append(f"{path}.{key}: only on {'the device' if key in device else 'the server'}")
            else:
                out += differences(python[key], device[key], f"{path}.{key}")
        return out
    if isinstance(python, list) and isinstance(device, list) and len(python) == len(device):
        return [
            d
            for i, (a, b) in enumerate(zip(python, device, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    return [] if python == device else [f"{path}: server {python!r} != device {device!r}"]


# --- 1. every screening scenario ------------------------------------------------------------------------


def scenario_inputs(library: Library, s: test_screening_scenarios.Scenario) -> dict[str, Any]:
    """What the run_screen fixture passes to `screen` for this scenario."""
    args = s.args
    return {
        "client": args.get("client") or fitting_client(s.population, args.get("conditions", ())),
        "intake": {**clear_answers(library, s.population, "intake"), **args.get("intake", {})},
        "today": {**clear_answers(library, s.population, "today"), **args.get("today", {})},
        "released": frozenset(args.get("released", ())),
        "protocol_id": s.protocol,
    }


SCENARIOS = test_screening_scenarios.SCENARIOS


def test_every_screening_scenario_gives_the_same_verdict_on_the_device(
    js: NodeRules, library: Library, settings: ScreeningSettings
) -> None:
    compared, mismatches, blocked_on_server = 0, [], 0
    for s in SCENARIOS:
        i = scenario_inputs(library, s)
        verdict = screen(library=library, settings=settings, now=NOW, **i)
        expected = python_verdict(verdict)
        assert verdict.action is s.action  # the scenario's own expectation still holds
        bundle = bundle_for(
            library,
            client=i["client"],
            intake=i["intake"],
            protocol_id=s.protocol,
            now=NOW,
            released=i["released"],
        )
        today = as_json(i["today"])
        # The server's path on the bundle gives what `screen` gave ...
        assert plain(
            device_screen(library=library, bundle=bundle, answers=today, now=NOW, any_question=True)
        ) == (expected), s.id
        # ... and so does the device.
        device = js.screen(bundle, today, now=NOW, any_question=True)
        compared += 1
        if device != expected:
            mismatches.append((s.id, differences(expected, device)[:5]))
        # As the server's check takes them (only the questions of the group's set), both agree too; the
        # scenarios for two legacy questions no form asks any more are refused by both.
        strict = plain(device_screen(library=library, bundle=bundle, answers=today, now=NOW))
        blocked_on_server += not strict["ok"]
        if js.screen(bundle, today, now=NOW) != strict:
            mismatches.append((f"{s.id} (as the check takes it)", []))
    assert compared == len(SCENARIOS) >= 590
    assert not mismatches, mismatches[:10]
    assert blocked_on_server == 15  # oil_reaction and umbilical_stump: their questions are no form's


# --- 2. every screening the library's tests make through `run_screen` ---------------------------------


class Recorder:
    """Stands in for a fixture, records each call's inputs and what Python answered, and lets the test go
    on with Python's answer (so the original assertions still hold)."""

    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []
        self.unrepresentable = 0


def _parametrizations(fn: Callable[..., Any]) -> list[dict[str, Any]]:
    combos: list[list[dict[str, Any]]] = []
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        rows = []
        for value in values:
            value = value.values if hasattr(value, "values") and hasattr(value, "marks") else value
            row = value if len(names) > 1 else (value,)
            rows.append(dict(zip(names, row, strict=True)))
        combos.append(rows)
    return [functools.reduce(lambda a, b: {**a, **b}, combo, {}) for combo in itertools.product(*combos)]


def replay(module: ModuleType, fixtures: Mapping[str, Any]) -> tuple[int, int]:
    """Run every plain test function of `module` whose fixtures are all in `fixtures`; (run, skipped)."""
    ran = skipped = 0
    for name, fn in vars(module).items():
        if not name.startswith("test_") or not inspect.isfunction(fn) or hasattr(fn, "hypothesis"):
            continue
        for params in _parametrizations(fn) or [{}]:
            wanted = [p for p in inspect.signature(fn).parameters if p not in params]
            if not all(p in fixtures for p in wanted):
                skipped += 1
                continue
            fn(**params, **{p: fixtures[p]() for p in wanted})
            ran += 1
    return ran, skipped


def screening_fixtures(library: Library, settings: ScreeningSettings, recorder: Recorder) -> dict[str, Any]:
    def run(
        population: str,
        *,
        protocol: str | None = None,
        conditions: Any = (),
        intake: Mapping[str, Any] | None = None,
        today: Mapping[str, Any] | None = None,
        client: ClientFacts | None = None,
        org: ScreeningSettings | None = None,
        released: Any = (),
    ) -> Verdict:
        args = {
            "protocol_id": protocol or PROTOCOL_FOR[population],
            "client": client or fitting_client(population, conditions),
            "intake": {**clear_answers(library, population, "intake"), **(intake or {})},
            "today": {**clear_answers(library, population, "today"), **(today or {})},
            "settings": org or settings,
            "released": dict(released) if isinstance(released, Mapping) else frozenset(released),
        }
        try:
            verdict = screen(library=library, now=NOW, **args)
        except (AnswerError, ScreeningInputError) as exc:
            recorder.cases.append({**args, "error": exc})
            raise
        recorder.cases.append({**args, "verdict": verdict})
        return verdict

    return {
        "run_screen": lambda: run,
        "library": lambda: library,
        "settings": lambda: settings,
        "now": lambda: NOW,
        "clear": lambda: lambda population, scope: clear_answers(library, population, scope),
        "protocol_for": lambda: dict(PROTOCOL_FOR),
    }


def python_error(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, AnswerError):
        return {"ok": False, "errors": dict(exc.errors)}
    assert isinstance(exc, ScreeningInputError)
    if exc.field == "population":
        tail = " Update the health history (intake) so its group fits the record."
        return {"ok": False, "errors": {"intake": exc.message + tail}}
    return {"ok": False, "errors": {exc.field: exc.message}}


SCREENING_MODULES = (
    test_screening_scenarios,
    test_screening,
    test_screening_rules,
    test_content_condition_programmes,
    test_adaptation,
)


@pytest.mark.parametrize(
    "module", SCREENING_MODULES, ids=[m.__name__.rsplit(".", 1)[1] for m in SCREENING_MODULES]
)
def test_every_screening_of_the_library_tests_gives_the_same_result_on_the_device(
    module: ModuleType, js: NodeRules, library: Library, settings: ScreeningSettings
) -> None:
    recorder = Recorder()
    ran, _ = replay(module, screening_fixtures(library, settings, recorder))
    assert ran
    assert recorder.cases
    compared, mismatches = 0, []
    for case in recorder.cases:
        try:
            bundle = bundle_for(
                library,
                client=case["client"],
                intake=case["intake"],
                protocol_id=case["protocol_id"],
                now=NOW,
                settings=case["settings"],
                released=case["released"],
            )
        except Unrepresentable:
            recorder.unrepresentable += 1
            continue
        expected = python_verdict(case["verdict"]) if "verdict" in case else python_error(case["error"])
        today = as_json(case["today"])
        server = plain(
            device_screen(library=library, bundle=bundle, answers=today, now=NOW, any_question=True)
        )
        assert server == expected, differences(expected, server)[:5]
        device = js.screen(bundle, today, now=NOW, any_question=True)
        compared += 1
        if device != expected:
            mismatches.append(differences(expected, device)[:5])
    assert not mismatches, mismatches[:5]
    # Nearly every screening is one a bundle can carry (the rest build facts by hand for another day).
    assert compared >= 0.9 * len(recorder.cases)


# --- 3. every in-session case of test_stop_rules.py ------------------------------------------------------


def observation_json(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """SessionObservations' arguments as the player sends them."""

    def reading(r: VitalReading) -> dict[str, Any]:
        return {k: v for k, v in asdict(r).items() if v is not None}

    out: dict[str, Any] = {k: v for k, v in kwargs.items() if k not in ("vitals", "baseline")}
    out["cues"] = list(kwargs.get("cues", ()))
    out["vitals"] = [reading(r) for r in kwargs.get("vitals", ())]
    if kwargs.get("baseline") is not None:
        out["baseline"] = reading(kwargs["baseline"])
    return out


def python_decision(decision: SessionDecision) -> dict[str, Any]:
    return plain(
        {
            "ok": True,
            "action": decision.action,
            "decision": decision.action,
            "reasons": asdict(decision)["reasons"],
        }
    )


def observe_bundle(library: Library, org: ScreeningSettings) -> dict[str, Any]:
    return bundle_for(
        library,
        client=fitting_client("preterm_infant"),
        intake={},
        protocol_id="preterm_tks_10d",
        now=NOW,
        settings=org,
    )


def test_every_stop_rule_case_gives_the_same_decision_on_the_device(
    js: NodeRules, library: Library, settings: ScreeningSettings
) -> None:
    cases: list[tuple[ScreeningSettings, dict[str, Any], dict[str, Any]]] = []

    def decide(org: ScreeningSettings | None = None, **kwargs: Any) -> SessionDecision:
        kwargs.setdefault("population", "preterm_infant")
        org = org or settings
        try:
            decision = evaluate_in_session(
                library=library, observations=SessionObservations(**kwargs), settings=org
            )
        except UnknownObservation as exc:
            cases.append((org, kwargs, {"ok": False, "errors": {exc.field: exc.message}}))
            raise
        cases.append((org, kwargs, python_decision(decision)))
        return decision

    fixtures = {"decide": lambda: decide, "library": lambda: library, "settings": lambda: settings}
    ran, skipped = replay(test_stop_rules, fixtures)
    assert ran >= 25
    assert skipped == 0, "a stop-rule test takes a fixture the replay does not offer"
    # The impossible readings are refused where a reading is made (VitalReading), before any decision.
    impossible = test_stop_rules.test_impossible_vital_signs_are_refused_with_the_field
    for params in _parametrizations(impossible):
        with pytest.raises(ImplausibleVitalSign) as caught:
            VitalReading(**{params["field"]: params["value"]})
        vitals = [{params["field"]: params["value"]}]
        error = {"ok": False, "errors": {caught.value.field: caught.value.message}}
        cases.append((settings, {"population": "preterm_infant", "_raw_vitals": vitals}, error))
    mismatches = []
    for org, kwargs, expected in cases:
        observation = observation_json({k: v for k, v in kwargs.items() if k != "_raw_vitals"})
        if "_raw_vitals" in kwargs:
            observation["vitals"] = kwargs["_raw_vitals"]
        device = js.observe(observe_bundle(library, org), observation)
        if device != expected:
            mismatches.append((kwargs, differences(expected, device)[:5]))
    assert len(cases) >= 70
    assert not mismatches, mismatches[:5]


# --- 4. random records, answers, settings, releases and clocks ------------------------------------------

OFFSETS = [
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
]
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"]
# Answers a device should never send, but might: each engine must refuse them with the same words.
WRONG = st.sampled_from(
    ["abc", "", " ", 5, -2.5, True, False, ["x"], [5], [], "2025-13-01", "09:30", {"a": 1}]
)


def _device_value(q: Any) -> st.SearchStrategy[Any]:
    if q.type == "datetime":  # often within the waits, with microseconds, in several offsets
        recent = st.one_of(st.integers(0, 2 * 3600 * 10**6), st.integers(0, 4 * 24 * 3600 * 10**6)).map(
            lambda us: NOW - timedelta(microseconds=us)
        )
        older = st.datetimes(min_value=datetime(2024, 12, 1), max_value=NOW.replace(tzinfo=None)).map(
            lambda d: d.replace(tzinfo=UTC)
        )
        return st.one_of(recent, recent, older).flatmap(lambda d: st.sampled_from(OFFSETS).map(d.astimezone))
    if q.type == "date":  # often within the look-back windows
        return st.one_of(
            st.integers(0, 400).map(lambda n: NOW.date() - timedelta(days=n)),
            st.dates(min_value=date(2015, 1, 1), max_value=NOW.date()),
        )
    return test_screening_properties._value(q)


@functools.cache
def _device_answers(population: str, scope: str) -> st.SearchStrategy[dict[str, Any]]:
    """Any of the questions answered with any value, valid or not, or left blank."""
    questions = LIB.questions_for(population, scope)
    values = {q.id: st.one_of(st.none(), _device_value(q), WRONG) for q in questions}
    return st.fixed_dictionaries({}, optional=values)


@st.composite
def changes(draw: st.DrawFn, population: str, scope: str) -> dict[str, Any]:
    """A few questions answered otherwise (any valid value, or a blank)."""
    questions = {q.id: q for q in LIB.questions_for(population, scope)}
    chosen = draw(st.lists(st.sampled_from(sorted(questions)), max_size=3, unique=True))
    return {qid: draw(st.one_of(st.none(), _device_value(questions[qid]))) for qid in chosen}


def _overrides() -> st.SearchStrategy[dict[str, float]]:
    def one(sid: str) -> st.SearchStrategy[float]:
        d = LIB.settings[sid]
        if d.integer:
            return st.integers(int(d.min), int(d.max)).map(float)
        return st.floats(d.min, d.max, allow_nan=False)

    return st.fixed_dictionaries({}, optional={sid: one(sid) for sid in sorted(LIB.settings)})


@st.composite
def device_cases(draw: st.DrawFn) -> dict[str, Any]:
    client = draw(records())
    population = client.population
    # From the all-clear answers, a few changed (most checks find something, but not everything).
    intake, today = consistent(
        {**clear_answers(LIB, population, "intake"), **draw(changes(population, "intake"))},
        {**clear_answers(LIB, population, "today"), **draw(changes(population, "today"))},
    )
    asked = {q.id for q in LIB.questions_for(population, "today")}
    for wait in sorted(asked & {"last_feed_at", "last_feed_or_handling_at"}):
        if draw(st.booleans()):  # a feed a little while ago: a wait, and when it ends
            offset = draw(st.sampled_from(OFFSETS))
            today[wait] = (NOW - timedelta(seconds=draw(st.integers(0, 5400)))).astimezone(offset)
    if draw(st.integers(0, 4)) == 0:  # sometimes the answers as drawn, contradictions and bad values too
        today = draw(_device_answers(population, "today"))
    written = sorted(p.id for p in LIB.protocols.values() if population in p.populations) or sorted(
        LIB.protocols
    )
    protocol = draw(
        st.one_of(st.sampled_from(written), st.sampled_from(written), st.sampled_from(sorted(LIB.protocols)))
    )
    now = NOW.astimezone(draw(st.sampled_from(OFFSETS))) + timedelta(
        minutes=draw(st.one_of(st.just(0), st.integers(0, 600)))
    )
    org = ScreeningSettings.for_library(LIB, draw(_overrides()))
    bundle = bundle_for(
        LIB,
        client=client,
        intake=intake,
        protocol_id=protocol,
        now=NOW,
        settings=org,
        time_zone=draw(st.sampled_from(ZONES)),
    )
    # Releases as a server keeps them: for some rules, for the finding as it stood then (read from a first
    # screening), ended or not, given by this person or another; newest first.
    first = device_screen(library=LIB, bundle=bundle, answers=as_json(today), now=now, protocol_id=protocol)
    findings = {r["rule_id"]: r["finding"] for r in first.get("reasons", [])}
    releases = []
    for rule_id in draw(st.lists(st.sampled_from(sorted(LIB.rules)), max_size=6)):
        releases.append(
            {
                "rule_id": rule_id,
                "protocol_id": draw(st.sampled_from([protocol, protocol, "other_programme"])),
                "finding": draw(st.sampled_from([None, findings.get(rule_id), {}])),
                "given_on": draw(st.sampled_from([None, "2025-02-27"])),
                "given_by": draw(st.sampled_from(["", "Dr Okafor"])),
                "valid_until": draw(st.sampled_from([None, "2025-02-28", "2025-03-01", "2025-03-09"])),
                "by_you": draw(st.booleans()),
            }
        )
    bundle["releases"] = releases
    bundle["self_release"] = draw(st.booleans())
    if draw(st.booleans()):  # a second check, the releases given on the first
        today = consistent(intake, {**today, **draw(changes(population, "today"))})[1]
    return {"bundle": bundle, "today": as_json(today), "now": now, "protocol": protocol}


RANDOM = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RANDOM
@given(case=device_cases())
def test_random_checks_give_the_same_result_on_the_device(js: NodeRules, case: dict[str, Any]) -> None:
    server = plain(
        device_screen(
            library=LIB,
            bundle=case["bundle"],
            answers=case["today"],
            now=case["now"],
            protocol_id=case["protocol"],
        )
    )
    device = js.screen(case["bundle"], case["today"], now=case["now"], protocol_id=case["protocol"])
    assert device == server, differences(server, device)[:5]


CUES = sorted(LIB.cues)
STATES = sorted(LIB.states)
VITAL = {  # around the limits
    "heart_rate": st.one_of(st.integers(85, 200), st.floats(90, 190, allow_nan=False)),
    "spo2": st.one_of(st.integers(75, 100), st.floats(75, 100, allow_nan=False)),
    "respiratory_rate": st.integers(0, 60),
    "temperature_c": st.floats(36, 37.5, allow_nan=False),
    "heart_rate_seconds": st.one_of(st.integers(0, 20), st.floats(0, 20, allow_nan=False)),
    "spo2_seconds": st.one_of(st.integers(0, 20), st.floats(0, 20, allow_nan=False)),
}
IMPOSSIBLE = {  # sometimes impossible too
    "heart_rate": st.integers(15, 320),
    "spo2": st.integers(0, 102),
    "respiratory_rate": st.integers(-1, 160),
    "temperature_c": st.floats(24, 46, allow_nan=False),
    "heart_rate_seconds": st.integers(-1, 20),
    "spo2_seconds": st.integers(-1, 20),
}


@st.composite
def observations(draw: st.DrawFn) -> tuple[ScreeningSettings, dict[str, Any]]:
    """Anything the player could send: cues, a state, crying, readings (timed or not), a baseline."""
    ranges = IMPOSSIBLE if draw(st.integers(0, 4)) == 0 else VITAL
    readings = draw(st.lists(st.fixed_dictionaries({}, optional=ranges), max_size=3))
    if draw(st.booleans()):  # timed readings, a few seconds apart, in some offset
        start = NOW.astimezone(draw(st.sampled_from(OFFSETS)))
        gaps = draw(st.lists(st.integers(0, 8_000_000), min_size=len(readings), max_size=len(readings)))
        moments = itertools.accumulate(gaps, initial=0)
        readings = [
            {**r, "at": start + timedelta(microseconds=m)} for r, m in zip(readings, moments, strict=False)
        ]
    observation: dict[str, Any] = {
        "population": draw(st.sampled_from([*sorted(LIB.populations)] * 4 + ["martian"])),
        "cues": draw(st.lists(st.sampled_from([*CUES] * 4 + ["wiggling"]), max_size=3)),
        "state": draw(st.one_of(st.none(), st.sampled_from([*STATES] * 2 + ["hyperalert"]))),
        "crying": draw(st.integers(0, 5)) == 0,
        "vitals": readings,
        "pauses_so_far": draw(st.sampled_from([0, 0, 0, 0, 1, 1, 2, -1])),
    }
    if draw(st.booleans()):
        observation["baseline"] = draw(st.fixed_dictionaries({}, optional=ranges))
    in_session = [s for s in sorted(LIB.settings) if LIB.settings[s].group == "in_session"]
    overrides = draw(_overrides())
    org = ScreeningSettings.for_library(LIB, {k: v for k, v in overrides.items() if k in in_session})
    return org, observation


def python_observe(org: ScreeningSettings, observation: Mapping[str, Any]) -> dict[str, Any]:
    """The server's reading of what the player sent (care.services.sessions builds the same objects)."""
    try:
        vitals = [VitalReading(**r) for r in observation["vitals"]]
        baseline = VitalReading(**observation["baseline"]) if "baseline" in observation else None
        decision = evaluate_in_session(
            library=LIB,
            settings=org,
            observations=SessionObservations(
                **{k: v for k, v in observation.items() if k not in ("vitals", "baseline")},
                vitals=vitals,
                baseline=baseline,
            ),
        )
    except (ImplausibleVitalSign, UnknownObservation) as exc:
        return {"ok": False, "errors": {exc.field: exc.message}}
    return python_decision(decision)


@RANDOM
@given(case=observations())
def test_random_observations_give_the_same_decision_on_the_device(
    js: NodeRules, case: tuple[ScreeningSettings, dict[str, Any]]
) -> None:
    org, observation = case
    expected = python_observe(org, observation)
    device = js.observe(observe_bundle(LIB, org), observation)
    assert device == expected, differences(expected, device)[:5]


# --- 5. an unknown fact never makes the device's verdict less cautious -----------------------------------


def _blank_is_unknown() -> set[str]:
    """Questions whose blank answer every rule reads as "may apply" (not those a rule reads as a no, such
    as an optional lab value, nor free text, which is never required)."""
    unknown, other = set(), set()
    for rule in LIB.rules.values():
        for part in walk(rule.when):
            if isinstance(part, AnswerP):
                (unknown if part.missing == "unknown" else other).add(part.answer)
        for qid in rule.regions.from_answers if rule.regions else ():
            unknown.add(qid)
    return unknown - other


BLANK_IS_UNKNOWN = _blank_is_unknown()


def test_an_unknown_answer_or_gestation_never_makes_the_device_less_cautious(
    js: NodeRules, library: Library, settings: ScreeningSettings
) -> None:
    """Each scenario again with each answer it gave blanked, and with the gestation not known: the device's
    verdict is at least as cautious as with the answer (and still the server's)."""
    compared = 0
    for s in SCENARIOS:
        i = scenario_inputs(library, s)
        bundle = bundle_for(
            library,
            client=i["client"],
            intake=i["intake"],
            protocol_id=s.protocol,
            now=NOW,
            released=i["released"],
        )
        base = js.screen(bundle, as_json(i["today"]), now=NOW, any_question=True)
        variants: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for scope in ("intake", "today"):
            for qid in s.args.get(scope, {}):
                if qid not in BLANK_IS_UNKNOWN:
                    continue
                blanked = {**i[scope], qid: None}
                b = (
                    bundle
                    if scope == "today"
                    else {**bundle, "intake": {"answers": as_json(blanked), "version": 1}}
                )
                variants.append((b, as_json(blanked if scope == "today" else i["today"])))
        if s.population in ("infant", "preterm_infant"):
            b = {**bundle, "client": {**bundle["client"], "gestation_weeks": None, "gestation_days": None}}
            variants.append((b, as_json(i["today"])))
        for b, today in variants:
            device = js.screen(b, today, now=NOW, any_question=True)
            server = plain(
                device_screen(library=library, bundle=b, answers=today, now=NOW, any_question=True)
            )
            assert device == server, (s.id, differences(server, device)[:5])
            assert RANK[device["action"]] >= RANK[base["action"]], (s.id, base["action"], device["action"])
            compared += 1
    assert compared >= 500


@RANDOM
@given(case=device_cases(), data=st.data())
def test_blanking_any_answer_never_makes_a_random_check_less_cautious(
    js: NodeRules, case: dict[str, Any], data: st.DataObject
) -> None:
    before = js.screen(case["bundle"], case["today"], now=case["now"], protocol_id=case["protocol"])
    blankable = sorted(q for q, v in case["today"].items() if q in BLANK_IS_UNKNOWN and v is not None)
    if not before["ok"] or not blankable:
        return
    qid = data.draw(st.sampled_from(blankable))
    after = js.screen(
        case["bundle"], {**case["today"], qid: None}, now=case["now"], protocol_id=case["protocol"]
    )
    if after["ok"]:  # a blank can only make a list-after-a-yes refusal go away, never a verdict milder
        assert RANK[after["action"]] >= RANK[before["action"]], (qid, before["action"], after["action"])


# --- 6. numbers and words as Python writes them ----------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=50))
def test_numbers_are_written_as_python_writes_them(js: NodeRules, values: list[float]) -> None:
    edge = [0.0, -0.0, 12345.25, 0.5, 2.5, 1e-5, 1e16, 123456.5, 99.99995, 86400.0, 36.2, 7.5]
    values = [*values, *edge]
    assert js.python_format("fmtG", values) == [f"{v:g}" for v in values]
    assert js.python_format("floatRepr", values) == [repr(v) for v in values]
    assert js.python_format("pyRound", [v * 18 for v in values if abs(v) < 1e12]) == [
        round(v * 18) for v in values if abs(v) < 1e12
    ]
    whole = [float(round(v)) for v in values if abs(v) < 1e20]
    assert js.python_format("fmtThousands", whole) == [f"{v:,.0f}" for v in whole]


CONDITIONS = ("diabetes", "cancer", "ptsd")


def test_the_check_shows_the_same_questions_and_words_on_the_device(js: NodeRules, library: Library) -> None:
    org = ScreeningSettings.for_library(library, {"feeding_wait_minutes": 45, "glucose_min_mmol_l": 4.5})
    for population in sorted(library.populations):
        babies = [newborn(population)] if population in ("infant", "preterm_infant") else []
        for client in [fitting_client(population), fitting_client(population, CONDITIONS), *babies]:
            bundle = bundle_for(
                library, client=client, intake={}, protocol_id=PROTOCOL_FOR[population], now=NOW, settings=org
            )
            shown = library.questions_asked(
                population, "today", conditions=client.conditions, age_days=client.age_days
            )
            assert js.questions(bundle, NOW) == [q.id for q in shown]
            for q in shown:
                values = {sid: org.value(sid) for sid in library.settings}
                assert js.label(bundle, q.id) == fill_settings(q.item_label or q.label, values)
