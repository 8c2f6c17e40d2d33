"""rules.js in the browser a phone runs (Chromium), not only under node: a sample of the screening
scenarios, one for every rule, and the in-session cases give the server's result there too (the full
comparison runs under node: tests/library/test_rules_js_parity.py)."""

from __future__ import annotations

import json
from typing import Any

from kneadwell.library.bundle import device_screen
from kneadwell.library.loader import default_library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.stop_rules import SessionObservations, VitalReading, evaluate_in_session
from library.conftest import NOW
from library.rules_js import RULES_JS, as_json, bundle_for, plain
from library.test_rules_js_parity import SCENARIOS, python_decision, scenario_inputs

LIB = default_library()


def test_rules_js_gives_the_servers_results_in_chromium(browser: Any) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_content("<!doctype html><title>rules</title>")
    page.add_script_tag(path=str(RULES_JS))
    one_per_rule = list({s.rule: s for s in SCENARIOS}.values())
    cases, expected = [], []
    for s in one_per_rule:
        i = scenario_inputs(LIB, s)
        bundle = bundle_for(
            LIB,
            client=i["client"],
            intake=i["intake"],
            protocol_id=s.protocol,
            now=NOW,
            released=i["released"],
        )
        today = as_json(i["today"])
        cases.append({"bundle": bundle, "answers": today})
        expected.append(
            plain(device_screen(library=LIB, bundle=bundle, answers=today, now=NOW, any_question=True))
        )
    got = page.evaluate(
        """([cases, now]) => cases.map((c) =>
             KneadwellRules.screen(c.bundle, c.answers, {now: now, any_question: true}))""",
        [json.loads(json.dumps(cases)), NOW.isoformat()],
    )
    assert len(got) == len(one_per_rule) >= 60
    assert [g["action"] for g in got] == [e["action"] for e in expected]
    assert got == expected

    settings = ScreeningSettings.for_library(LIB)
    observation = {
        "population": "preterm_infant",
        "cues": ["yawning", "arching"],
        "vitals": [{"heart_rate": 95, "heart_rate_seconds": 2.5}],
    }
    decision = evaluate_in_session(
        library=LIB,
        settings=settings,
        observations=SessionObservations(
            population="preterm_infant",
            cues=observation["cues"],
            vitals=[VitalReading(heart_rate=95, heart_rate_seconds=2.5)],
        ),
    )
    device = page.evaluate("([b, o]) => KneadwellRules.observe(b, o)", [cases[0]["bundle"], observation])
    assert device == python_decision(decision)
    page.close()
