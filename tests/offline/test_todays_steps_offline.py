"""A session started on the device after a check that found areas to leave out or a change (issue 14):
the steps rules.js puts together from the real kit and bundle are the server's for that check, and the
sync flags a session whose steps go beyond the server's (records.apply_session_start)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Plan, Session
from kneadwell.care.selectors.sessions import todays_session_steps
from kneadwell.library import selectors as library_selectors
from kneadwell.library import services as library_services
from kneadwell.library.models import ReadinessCheck
from kneadwell.offline import services
from kneadwell.offline.kit import offline_kit
from kneadwell.offline.services.records import steps_beyond
from kwtest.people import Clinic
from kwtest.screening import clear_answers
from library.rules_js import NodeRules

from .test_sync import (
    Device,
    as_json,
    baby,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db
PROTOCOL = "iaim_first_week"
LEFT_FOOT = {"skin_problem_regions": ["left_foot"]}  # form values (its gate is ticked for it)


@pytest.fixture(scope="module")
def js() -> Iterator[NodeRules]:
    with NodeRules() as runner:
        yield runner


def device_check(
    js: NodeRules, clinic: Clinic, child: Any, role: Role, protocol_id: str, **today: Any
) -> Any:
    """What the device does: the kit, the bundle, today's check by rules.js, then todaysSteps."""
    actor = clinic.actor(role)
    kit = offline_kit(actor=actor, client=child, protocol_ids=[protocol_id])
    protocol = kit["protocols"][0]
    bundle = library_selectors.rules_bundle_for(client=child, user_id=actor.user.pk, protocol_id=protocol_id)
    answers = as_json(clear_answers("infant", "today", **today))
    result = js.screen(bundle, answers, now=timezone.now(), protocol_id=protocol_id)
    options = {
        "treatment_kinds": kit["treatment_kinds"],
        "content_version": kit["content_version"],
        "pressure_labels": kit["words"]["pressures"],
    }
    steps = js._call(
        {"op": "todays_steps", "protocol": protocol, "result": result, "options": options}, bundle
    )
    return kit, protocol, answers, result, steps


def server_check(clinic: Clinic, child: Any, role: Role, protocol_id: str, answers: dict[str, Any]) -> Any:
    actor = clinic.actor(role)
    check = library_services.readiness_check_run(
        actor=actor, client=child, protocol_id=protocol_id, answers=answers, now=timezone.now()
    )
    plan = Plan.objects.filter(client=child, protocol_id=protocol_id, status=Plan.Status.ACTIVE).first()
    return todays_session_steps(
        client=child, check=check, plan=plan, verdict=check.verdict, trained=role is not Role.CAREGIVER
    )


def raw(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in s.items() if k != "shown"} for s in steps]


def test_a_left_foot_to_leave_out_gives_the_servers_steps_and_syncs_without_a_conflict(
    js: NodeRules,
    clinic: Clinic,
    baby: Any,  # noqa: F811
) -> None:
    _kit, protocol, answers, result, today = device_check(
        js, clinic, baby, Role.CAREGIVER, PROTOCOL, **LEFT_FOOT
    )
    assert result["action"] == "avoid-areas"
    assert today["ok"]
    assert today["treatment"]
    steps = raw(today["steps"])
    assert steps != raw(protocol["steps"])  # the foot strokes change
    assert not any("left_foot" in s["regions"] for s in steps)
    assert any("left_foot" in s["left_out_regions"] for s in steps)
    assert any("left foot" in s["shown"]["left_out"] for s in today["steps"])
    server = server_check(clinic, baby, Role.CAREGIVER, PROTOCOL, answers)
    assert steps == server.steps
    # Synced: the check screened again, the session stored as done, no conflict.
    ReadinessCheck.objects.filter(client=baby).delete()
    device = Device(baby.pk)
    check = device.add("check", {"protocol_id": PROTOCOL, "answers": answers, "device_action": "avoid-areas"})
    start = device.add("session_start", {"check_key": check.key, "protocol_id": PROTOCOL, "steps": steps})
    for i in range(len(steps)):
        device.add("step", {"index": i, "outcome": "done", "seconds": 20.0}, session_key=start.key)
    device.add("session_end", {"status": "completed"}, session_key=start.key)
    _at, outcomes = services.sync_records(actor=clinic.actor(Role.CAREGIVER), records=device.records)
    assert [o.status for o in outcomes] == ["stored"] * len(device.records), [o.message for o in outcomes]
    assert not any(o.conflict for o in outcomes), [o.conflict for o in outcomes if o.conflict]
    session = Session.objects.get(client=baby)
    assert [s["regions"] for s in session.steps] == [s["regions"] for s in steps]


def test_a_device_that_keeps_a_step_the_server_leaves_out_gets_a_conflict(
    js: NodeRules,
    clinic: Clinic,
    baby: Any,  # noqa: F811
) -> None:
    _kit, protocol, answers, _result, _today = device_check(
        js, clinic, baby, Role.CAREGIVER, PROTOCOL, **LEFT_FOOT
    )
    device = Device(baby.pk)
    check = device.add("check", {"protocol_id": PROTOCOL, "answers": answers, "device_action": "avoid-areas"})
    # The kit's steps for a clear check, the left foot in them: what a wrong device would play.
    start = device.add(
        "session_start", {"check_key": check.key, "protocol_id": PROTOCOL, "steps": raw(protocol["steps"])}
    )
    _at, outcomes = services.sync_records(actor=clinic.actor(Role.CAREGIVER), records=device.records)
    assert [o.status for o in outcomes] == ["stored", "stored"]
    assert outcomes[0].conflict in (None, {})
    conflict = outcomes[1].conflict
    assert conflict is not None
    assert conflict["code"] == "session_steps_differ"
    assert conflict["title"] == "This session's steps differ from the server's for this check"
    assert conflict["todo"] == (
        "Tell your therapist or nurse; the session is kept as it was done and flagged for them to see."
    )
    assert "left foot" in conflict["detail"]
    assert Session.objects.filter(client=baby).count() == 1  # kept as it was done
    assert start.key


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.THERAPIST])
@pytest.mark.parametrize(
    "plan_fields",
    [
        {},
        {"avoid_regions": ["right_leg"], "max_pressure": "light", "minutes_factor": 0.5},
        {"focus_regions": ["back"], "max_pressure": "moderate"},
    ],
    ids=["no plan", "plan limits", "plan focus"],
)
@pytest.mark.parametrize(
    "today",
    [LEFT_FOOT, {"skin_findings": ["dry_eczema"]}, {**LEFT_FOOT, "skin_findings": ["dry_eczema"]}],
    ids=["left foot", "dry eczema", "both"],
)
def test_the_real_kit_and_bundle_give_the_servers_steps(
    js: NodeRules,
    clinic: Clinic,
    baby: Any,  # noqa: F811
    role: Role,
    plan_fields: dict[str, Any],
    today: dict[str, Any],
) -> None:
    if plan_fields:
        check = ReadinessCheck.objects.create(
            organisation=clinic.org,
            client=baby,
            protocol_id=PROTOCOL,
            population="infant",
            answers={},
            action="go",
            verdict={"action": "go", "reasons": []},
            content_version="t",
            checked_by=clinic.user(Role.THERAPIST),
        )
        Plan.objects.create(
            organisation=clinic.org,
            client=baby,
            protocol_id=PROTOCOL,
            content_version="t",
            enrolment_check=check,
            starts_at=timezone.now() - dt.timedelta(days=1),
            calendar_token=f"h1-{baby.pk}-{timezone.now().timestamp()}",
            created_by=clinic.user(Role.THERAPIST),
            **plan_fields,
        )
    _kit, _protocol, answers, result, device = device_check(js, clinic, baby, role, PROTOCOL, **today)
    assert result["action"] in ("avoid-areas", "modify")
    server = server_check(clinic, baby, role, PROTOCOL, answers)
    assert device["ok"], device
    assert raw(device["steps"]) == server.steps
    assert device["treatment"] is (not server.refusal)


def test_steps_beyond_the_servers() -> None:
    server = [
        {
            "routine": "r",
            "technique": "t",
            "section": "Legs",
            "regions": ["left_leg", "right_leg"],
            "pressure": "light",
            "minutes": 2.0,
            "ask_permission": False,
        },
        {
            "routine": "r",
            "technique": "u",
            "section": "Legs",
            "regions": ["back"],
            "pressure": None,
            "minutes": None,
            "repetitions": 3,
            "ask_permission": True,
        },
    ]
    same = [dict(s) for s in server]
    assert steps_beyond(same, server) == []
    assert steps_beyond(same[1:], server) == []  # a step fewer is more cautious
    lighter = [{**server[0], "regions": ["left_leg"], "minutes": 1.0}]
    assert steps_beyond(lighter, server) == []
    assert steps_beyond([{**server[0], "pressure": "moderate"}], server)
    assert steps_beyond([{**server[0], "pressure": None}], server)  # no limit named: firm
    assert steps_beyond([{**server[0], "minutes": 2.5}], server)
    assert steps_beyond([{**server[0], "regions": ["left_leg", "belly"]}], server)
    assert steps_beyond([{**server[1], "ask_permission": False}], server)
    assert steps_beyond([{**server[1], "repetitions": 4}], server)
    assert steps_beyond([{**server[0], "technique": "v"}], server) == [
        "Step 1 (v): the server leaves this step out."
    ]
    assert steps_beyond([server[1], server[0]], server)  # out of order: the second is not the server's


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.THERAPIST])
def test_a_programme_that_watches_vital_signs_never_starts_a_changed_session_on_the_device(
    js: NodeRules,
    clinic: Clinic,
    baby: Any,  # noqa: F811
    role: Role,
) -> None:
    _kit, protocol, _answers, result, today = device_check(
        js, clinic, baby, role, "neonatal_practice", **LEFT_FOOT
    )
    assert result["action"] == "avoid-areas"
    assert protocol["steps"] == []
    assert protocol["narrow"] is None
    assert protocol["refusal"]
    assert today == {"ok": False, "error": "no_narrowing"}
