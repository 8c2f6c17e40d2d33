"""Today's steps on the device = the server's (issue 14): `KneadwellRules.todaysSteps` (static/js/rules.js,
under node) against `care.routine.todays_steps` after `verdict_for_today`, composed as
`care.selectors.sessions.todays_session_steps` composes them (the plan's always-avoided areas, pressure
cap and minutes factor merged with the check's, the focus areas, trained or not, a class's home routine
kept to the strokes taught).

The device starts from the kit's steps for a clear check (`offline.kit.narrowing` adds what the device
needs to narrow them) and from the verdict rules.js itself found on the bundle. Every step is compared
whole (technique, regions, regions left out, pressure, minutes, permission, order and every other field),
and whether any massage step is left.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kneadwell.care.routine import no_treatment, todays_steps, verdict_for_today
from kneadwell.courses.syllabus import limit_steps, stroke_key
from kneadwell.library.catalog import Library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import Action, screen
from kneadwell.offline.kit import narrowing

from . import test_screening_scenarios
from .conftest import NOW
from .rules_js import NodeRules, as_json, bundle_for, plain
from .test_rules_js_parity import scenario_inputs
from .test_screening_properties import LIB

TREATMENT_KINDS = ["manoeuvre", "movement", "stroke"]


@dataclass(frozen=True)
class PlanLimits:
    name: str
    avoid_regions: tuple[str, ...] = ()
    max_pressure: str = ""
    minutes_factor: float | None = None
    focus: tuple[str, ...] = ()
    every_other_stroke: bool = False  # a class's home routine: half the strokes taught


PLANS = (
    PlanLimits("no plan"),
    PlanLimits("plan leaves out the left leg and the back", avoid_regions=("left_leg", "back")),
    PlanLimits("plan caps at light pressure", max_pressure="light"),
    PlanLimits("plan caps at moderate pressure", max_pressure="moderate"),
    PlanLimits("plan shortens to 0.6", minutes_factor=0.6),
    PlanLimits("plan focus on the left ankle and lower back", focus=("left_ankle", "lower_back")),
    PlanLimits(
        "plan with everything",
        avoid_regions=("right_arm",),
        max_pressure="moderate",
        minutes_factor=0.75,
        focus=("left_leg",),
    ),
    PlanLimits("a class's home routine", every_other_stroke=True),
)


@pytest.fixture(scope="module")
def js() -> Iterator[NodeRules]:
    with NodeRules() as runner:
        yield runner


def _taught(library: Library, protocol_id: str, plan: PlanLimits) -> list[str]:
    """A class's strokes taught so far (courses.home.session_steps): every other stroke of the programme
    (the class's, whatever the check or the plan)."""
    clear = verdict_for_today({"action": "go", "protocol_id": protocol_id})
    steps, _ = todays_steps(library, protocol_id, clear, focus_regions=plan.focus, trained=True)
    taught = []
    for i, step in enumerate(steps):
        routine = library.routines[step["routine"]]
        section = {s.label: s.id for s in routine.sections}.get(step["section"], "")
        if i % 2 == 0:
            taught.append(stroke_key(section, step["technique"]))
    return taught


def server_steps(
    library: Library,
    protocol_id: str,
    stored: Mapping[str, Any],
    plan: PlanLimits,
    trained: bool,
) -> tuple[list[dict[str, Any]], bool]:
    """What todays_session_steps gives for a check whose saved verdict is `stored` (the verdict at the start
    is that check's): (steps, any massage step left)."""
    today = verdict_for_today(
        stored,
        avoid_regions=[*plan.avoid_regions, *stored.get("avoided_regions", ())],
        max_pressure=plan.max_pressure,
        minutes_factor=plan.minutes_factor,
        also=stored.get("modifications"),
    )
    steps, dropped = todays_steps(library, protocol_id, today, focus_regions=plan.focus, trained=trained)
    if plan.every_other_stroke:
        steps, dropped = limit_steps(library, steps, dropped, _taught(library, protocol_id, plan))
    return steps, no_treatment(steps, dropped) is None


def kit_protocol(library: Library, protocol_id: str, plan: PlanLimits, trained: bool) -> dict[str, Any]:
    # The kit's steps: todays_session_steps for a clear check (offline.kit.offline_kit).
    steps, _ = server_steps(library, protocol_id, {"action": "go", "protocol_id": protocol_id}, plan, trained)
    narrow = narrowing(
        library,
        protocol_id,
        steps,
        avoid_regions=plan.avoid_regions,
        max_pressure=plan.max_pressure,
        minutes_factor=plan.minutes_factor,
        focus=plan.focus,
        trained=trained,
    )
    assert narrow is not None, (protocol_id, plan.name)
    return {"id": protocol_id, "steps": steps, "narrow": narrow}


def device_steps(js: NodeRules, bundle: Mapping[str, Any], protocol: Mapping[str, Any], result: Any) -> Any:
    options = {"treatment_kinds": TREATMENT_KINDS, "content_version": bundle["content_version"]}
    return js._call(
        {"op": "todays_steps", "protocol": as_json(protocol), "result": as_json(result), "options": options},
        bundle,
    )


def protocols_for(library: Library, population: str, trained: bool) -> list[str]:
    """Every programme for the group a therapist (trained) or a parent (delivered by a parent) can run."""
    return [
        p.id
        for p in library.protocols.values()
        if population in p.populations and (trained or "parent" in p.delivered_by)
    ]


class Tally:
    def __init__(self) -> None:
        self.cases = 0
        self.no_treatment = 0
        self.narrowed = 0
        self.mismatches: list[tuple[str, Any]] = []

    def compare(self, case: str, expected: tuple[list[dict[str, Any]], bool], device: Any, kit: Any) -> None:
        self.cases += 1
        steps, treatment = expected
        if not device.get("ok"):
            self.mismatches.append((case, device))
            return
        got = [{k: v for k, v in s.items() if k != "shown"} for s in device["steps"]]
        self.no_treatment += not treatment
        self.narrowed += plain(steps) != plain(kit["steps"])
        if plain(steps) != got:
            self.mismatches.append((case, {"server": plain(steps)[:3], "device": got[:3]}))
        if device["treatment"] is not treatment:
            self.mismatches.append((case + " (massage left)", (treatment, device["treatment"])))


def test_every_avoid_areas_and_modify_scenario_gives_the_servers_steps_on_the_device(
    js: NodeRules, library: Library, settings: ScreeningSettings
) -> None:
    tally = Tally()
    kits: dict[tuple[str, str, bool], dict[str, Any]] = {}
    scenarios = [
        s for s in test_screening_scenarios.SCENARIOS if s.action in (Action.AVOID_AREAS, Action.MODIFY)
    ]
    verdicts_seen: set[str] = set()
    for s in scenarios:
        i = scenario_inputs(library, s)
        today = as_json(i["today"])
        for trained in (True, False):
            for protocol_id in protocols_for(library, s.population, trained):
                verdict = screen(
                    library=library, settings=settings, now=NOW, **{**i, "protocol_id": protocol_id}
                )
                if verdict.action not in (Action.AVOID_AREAS, Action.MODIFY):
                    continue
                verdicts_seen.add(verdict.action.value)
                # The bundle for this programme (a release is given for one programme).
                bundle = bundle_for(
                    library,
                    client=i["client"],
                    intake=i["intake"],
                    protocol_id=protocol_id,
                    now=NOW,
                    released=i["released"],
                )
                result = js.screen(bundle, today, now=NOW, protocol_id=protocol_id, any_question=True)
                stored = plain(verdict.to_dict())
                assert result["action"] == stored["action"], (s.id, protocol_id)
                assert result["avoided_regions"] == stored["avoided_regions"], (s.id, protocol_id)
                assert result["modifications"] == stored["modifications"], (s.id, protocol_id)
                for plan in PLANS:
                    key = (protocol_id, plan.name, trained)
                    if key not in kits:
                        kits[key] = kit_protocol(library, protocol_id, plan, trained)
                    kit = kits[key]
                    expected = server_steps(library, protocol_id, stored, plan, trained)
                    device = device_steps(js, bundle, kit, result)
                    tally.compare(
                        f"{s.id} {protocol_id} {plan.name} trained={trained}", expected, device, kit
                    )
    print(
        f"\ntoday's steps on the device: {tally.cases} cases, {tally.narrowed} narrowed by the verdict, "
        f"{tally.no_treatment} with no massage step left, {len(tally.mismatches)} mismatches"
    )
    assert verdicts_seen == {"avoid-areas", "modify"}
    assert tally.cases >= 1000
    assert tally.narrowed >= tally.cases // 3  # the verdicts do change the steps
    assert tally.no_treatment > 0
    assert not tally.mismatches, tally.mismatches[:5]


# --- random modifications and avoided regions ---------------------------------------------------------

_REGIONS = sorted(r.id for r in LIB.regions.values() if r.kind in ("area", "group"))
_TECHNIQUES = sorted(LIB.techniques)
_PROTOCOLS = sorted(LIB.protocols)


@st.composite
def verdicts(draw: Any) -> dict[str, Any]:
    mods = {
        "max_pressure": draw(st.sampled_from([None, "light", "moderate", "firm"])),
        "minutes_factor": draw(st.sampled_from([None, 0.25, 0.5, 0.6, 0.75, 1.0, 1 / 3])),
        "exclude_techniques": sorted(draw(st.sets(st.sampled_from(_TECHNIQUES), max_size=3))),
        "no_joint_movement_at": sorted(draw(st.sets(st.sampled_from(_REGIONS), max_size=2))),
        "no_oil": draw(st.booleans()),
        "ask_permission": draw(st.booleans()),
    }
    avoided = sorted(draw(st.sets(st.sampled_from(_REGIONS), max_size=3)))
    action = "avoid-areas" if avoided else "modify"
    return {"action": action, "avoided_regions": avoided, "modifications": mods}


@st.composite
def plans(draw: Any) -> PlanLimits:
    return PlanLimits(
        "random",
        avoid_regions=tuple(sorted(draw(st.sets(st.sampled_from(_REGIONS), max_size=2)))),
        max_pressure=draw(st.sampled_from(["", "light", "moderate", "firm"])),
        minutes_factor=draw(st.sampled_from([None, 0.5, 0.8, 0.9])),
        focus=tuple(draw(st.lists(st.sampled_from(_REGIONS), max_size=2, unique=True))),
        every_other_stroke=draw(st.booleans()),
    )


_BUNDLES: dict[str, dict[str, Any]] = {}


def _bundle(library: Library, protocol_id: str) -> dict[str, Any]:
    from .conftest import clear_answers, fitting_client

    population = library.protocols[protocol_id].population
    if population not in _BUNDLES:
        _BUNDLES[population] = bundle_for(
            library,
            client=fitting_client(population),
            intake=clear_answers(library, population, "intake"),
            protocol_id=protocol_id,
            now=NOW,
        )
    return _BUNDLES[population]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stored=verdicts(),
    plan=plans(),
    protocol_id=st.sampled_from(_PROTOCOLS),
    trained=st.booleans(),
)
def test_random_verdicts_and_plans_give_the_servers_steps_on_the_device(
    js: NodeRules,
    library: Library,
    stored: dict[str, Any],
    plan: PlanLimits,
    protocol_id: str,
    trained: bool,
) -> None:
    kit = kit_protocol(library, protocol_id, plan, trained)
    result = {"ok": True, "blocks": False, **stored}
    expected = server_steps(library, protocol_id, {**stored, "protocol_id": protocol_id}, plan, trained)
    device = device_steps(js, _bundle(library, protocol_id), kit, result)
    tally = Tally()
    tally.compare(protocol_id, expected, device, kit)
    assert not tally.mismatches, tally.mismatches


def test_a_blocking_verdict_never_gives_steps(js: NodeRules, library: Library) -> None:
    kit = kit_protocol(library, "iaim_parent_routine", PLANS[0], False)
    bundle = _bundle(library, "iaim_parent_routine")
    for action in ("stop", "needs-release"):
        result = {"ok": True, "blocks": True, "action": action, "avoided_regions": [], "modifications": {}}
        assert device_steps(js, bundle, kit, result) == {"ok": False, "error": "blocked"}
        # blocks missing or wrong: the action alone still refuses
        result["blocks"] = False
        assert device_steps(js, bundle, kit, result) == {"ok": False, "error": "blocked"}


def test_a_kit_of_other_content_or_without_narrowing_gives_no_steps(js: NodeRules, library: Library) -> None:
    kit = kit_protocol(library, "iaim_parent_routine", PLANS[0], False)
    bundle = _bundle(library, "iaim_parent_routine")
    result = {"ok": True, "blocks": False, "action": "modify", "avoided_regions": [], "modifications": {}}
    options = {"treatment_kinds": TREATMENT_KINDS, "content_version": "other"}
    other = js._call({"op": "todays_steps", "protocol": kit, "result": result, "options": options}, bundle)
    assert other == {"ok": False, "error": "content_version"}
    assert device_steps(js, bundle, {**kit, "narrow": None}, result) == {"ok": False, "error": "no_narrowing"}
